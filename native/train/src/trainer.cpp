// Training loop: per step, every class group at once through one batched field evaluation.
#include "drift/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "drift/core/atomic_file.h"
#include "drift/core/toy_data.h"
#include "drift/eval/quick_eval.h"
#include "drift/export/export.h"
#include "drift/train/ema.h"
#include "drift/train/runtime.h"

namespace fs = std::filesystem;

namespace drift::train {

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string fmt(double v, int prec = 4) {
  std::ostringstream o;
  o.precision(prec);
  o << v;
  return o.str();
}

// Output spread/centre of a fresh toy generator, set through its last linear layer.
void apply_toy_init(models::Generator& g, const std::string& init) {
  core::toy_init(init);  // validates the name before anything is drawn
  torch::NoGradGuard ng;
  const auto& cfg = g->config();
  auto probe = g->generate(torch::randn({1024, cfg.latent_dim}), torch::zeros({1024}, torch::kLong),
                           torch::ones({1024}));
  const double sd = probe.std().item<double>();
  auto params = g->named_parameters();
  auto W = params[g->specs().back().weight], b = params[g->specs().back().bias];
  auto mean_wh = (probe - b).mean(0);  // W h part of the output, averaged
  const auto a = core::toy_init_affine(init, sd, mean_wh[0].item<float>(), mean_wh[1].item<float>());
  W.mul_(a.scale);
  b.copy_(torch::tensor({a.bias[0], a.bias[1]}));
}

// Mean within-group pairwise distance of [B,N,D] (diversity; 0 = every sample identical).
double within_group_spread(const torch::Tensor& x) {
  const int64_t N = x.size(1);
  if (N < 2) return 0;
  auto d = torch::cdist(x, x);
  return (d.sum() / double(x.size(0) * N * (N - 1))).item<double>();
}

// The options a run trains with: opt itself, or those stored in the run being resumed, of
// which only the length, device, threads and final eval may change.
TrainOptions options_for(TrainOptions opt, const std::string& resume_dir, std::string& resume_path) {
  if (resume_dir.empty()) return check_new_run_dir(opt.out), opt;
  TrainOptions stored;
  resume_path = resume_point(resume_dir, &stored);  // "" when stopped before its first checkpoint
  stored.out = resume_dir;
  if (opt.steps > 0) stored.steps = opt.steps;
  stored.device = opt.device;
  stored.threads = opt.threads;
  stored.final_eval = opt.final_eval;
  return stored;
}
}  // namespace

Trainer::Trainer(TrainOptions opt, const std::string& resume_dir) {
  std::string resume_path;
  opt_ = options_for(std::move(opt), resume_dir, resume_path);
  if (opt_.out.empty()) throw std::runtime_error("--out: a run directory is required");
  if (opt_.threads > 0) set_cpu_threads(opt_.threads);
  dev_ = pick_device(opt_.device);
  data_ = std::make_unique<TrainData>(opt_.dataset, opt_.data_dir, dev_);
  const bool toy = data_->is_toy();
  if (toy) core::toy_init(opt_.init);  // validates the name before any work
  resolve_defaults(opt_, toy, data_->num_classes(), data_->size());
  fs::create_directories(opt_.out);

  // Model, EMA, optimizer: initialised from the seed, before the sampler stream exists.
  torch::manual_seed(opt_.seed);
  cfg_ = toy ? models::default_toy_config()
             : models::default_image_config(opt_.arch, data_->num_classes(), data_->sample_shape());
  cfg_.dataset = opt_.dataset;
  if (!toy) cfg_.output_activation = opt_.out_act;
  st_.model = models::Generator(cfg_);
  if (toy) apply_toy_init(st_.model, opt_.init);
  st_.ema = models::Generator(cfg_);
  models::copy_weights(st_.ema, st_.model);
  st_.model->to(dev_);
  st_.ema->to(dev_);
  st_.ema->eval();
  for (auto& p : st_.ema->parameters()) p.set_requires_grad(false);
  AdamWConfig acfg;  // betas 0.9/0.95, eps 1e-8
  acfg.lr = opt_.lr;
  acfg.weight_decay = opt_.weight_decay;
  st_.optim = std::make_unique<FusedAdamW>(st_.model->parameters(), acfg);
  st_.rng = at::detail::createCPUGenerator(opt_.seed * 2654435761ULL + 17);
  if (!resume_path.empty()) {
    load_train_checkpoint(resume_path, st_);
    std::fprintf(stderr, "resuming %s at step %lld\n", resume_path.c_str(), (long long)st_.step);
  } else if (!resume_dir.empty()) {
    std::fprintf(stderr, "%s: no checkpoint yet; starting again from step 0 with its options.json\n",
                 resume_dir.c_str());
  }
  core::write_file_atomic((fs::path(opt_.out) / "options.json").string(), nlohmann::json(opt_).dump(2) + "\n");

  // What the logs compare against; each from its own fixed stream, never the training one.
  fixed_ = make_fixed_samples(cfg_, 2048, opt_.grid_alpha, opt_.seed + 1);
  at::Generator target_gen = at::detail::createCPUGenerator(99);
  if (toy) target_pts_ = data_->reference(4096, target_gen).cpu();
  auto spread_gen = at::detail::createCPUGenerator(7);
  const int64_t B = data_->num_groups();
  real_spread_ = within_group_spread(
      data_->positives(torch::arange(B, torch::kLong), std::min<int64_t>(opt_.positives, 64), spread_gen));

  log_ = std::make_unique<logging::RunLog>(opt_.out);
  logging::ProgressOptions po;
  po.label = "train";
  po.start_step = st_.step;
  bar_ = std::make_unique<logging::ProgressBar>(opt_.steps, po);
  bar_->message("run " + opt_.out + ": " + models::arch_name(cfg_.arch) + " (" +
                std::to_string(st_.model->num_parameters()) + " params) on " + opt_.dataset + ", " +
                std::to_string(B) + " groups x " + std::to_string(opt_.batch_size) + " generated, P=" +
                std::to_string(opt_.positives) + " U=" + std::to_string(opt_.uncond) + ", device " + dev_.str());
  t0_ = now_s();
  wall0_ = st_.wall_s;
  start_step_ = st_.step;
  st_.model->train();
}

StepStats Trainer::step() {
  const int64_t B = data_->num_groups(), G = opt_.batch_size, P = opt_.positives, U = opt_.uncond;
  const int64_t D = data_->dim();
  // The step's randomness, all from st_.rng on the CPU, in a fixed order (resume is exact).
  auto class_ids = torch::arange(B, torch::kLong);
  auto alpha = sample_alpha(B, opt_.alpha, st_.rng);                      // [B]
  auto eps = torch::randn({B * G, cfg_.latent_dim}, st_.rng);             // [B*G, L]
  auto labels = class_ids.repeat_interleave(G);                           // [B*G]
  auto alpha_rows = alpha.repeat_interleave(G);                           // [B*G]
  field::FieldInput in;
  in.pos = data_->positives(class_ids, P, st_.rng);                       // [B,P,D]
  if (U > 0) {
    in.uncond = data_->uncond(B, U, st_.rng);                             // [B,U,D]
    in.w_u = uncond_weight(alpha, G, U).to(dev_);                         // [B]
  }
  // Generate, field, loss.
  StepStats s;
  s.lr = learning_rate(opt_, st_.step);
  st_.optim->set_lr(s.lr);
  in.x = st_.model->generate(eps.to(dev_), labels.to(dev_), alpha_rows.to(dev_)).view({B, G, D});
  field::FieldOptions fopt;
  fopt.taus = opt_.taus;
  fopt.floor = opt_.floor;
  s.field = field::compute_field(in, fopt);
  auto loss = field::drift_loss(in.x, s.field);
  s.loss = loss.item<double>();
  if (!std::isfinite(s.loss) || !std::isfinite(s.field.s)) {
    save_checkpoint(ckpt_path(st_.step));  // this step has not touched the weights: the last good state
    throw std::runtime_error("non-finite loss at step " + std::to_string(st_.step) + " (field scale " +
                             fmt(s.field.s) + "); stopped. Last good checkpoint: " + ckpt_path(st_.step));
  }
  // Update: clip + AdamW + EMA in one pass over the parameters.
  st_.optim->zero_grad();
  loss.backward();
  st_.optim->step(opt_.clip, st_.ema->parameters(), ema_decay(opt_.ema, st_.step));
  ++st_.step;
  s.x = in.x.detach();
  return s;
}

void Trainer::log(const StepStats& s) {
  const int64_t step = st_.step;
  if (step % opt_.log_every != 0 && step != opt_.steps && step != start_step_ + 1) return;
  torch::NoGradGuard ng;
  const double spread = within_group_spread(s.x);
  const double ratio = real_spread_ > 0 ? spread / real_spread_ : 0;
  last_ = {{"step", step}, {"loss", s.loss}, {"field/scale", s.field.s}, {"lr", s.lr},
           {"diversity/generated", spread}, {"diversity/real", real_spread_}, {"diversity/ratio", ratio}};
  for (size_t i = 0; i < opt_.taus.size(); ++i) last_["force/tau_" + fmt(opt_.taus[i], 3)] = s.field.force_rms[i];
  if (step > start_step_) last_["steps_per_s"] = double(step - start_step_) / std::max(now_s() - t0_, 1e-9);
  for (const auto& [tag, value] : last_.items())
    if (tag != "step") log_->scalar(tag, value.get<double>(), step);
  if (!data_->is_toy() && step > 3 * opt_.warmup && ratio < 0.5 && !warned_collapse_) {
    warned_collapse_ = true;
    bar_->message("warning: step " + std::to_string(step) + ": generated diversity is " + fmt(ratio, 2) +
                  "x real (collapse?). Check --floor (0 recommended) and --lr.");
  }
  bar_->update(step, "loss " + fmt(s.loss) + " div " + fmt(ratio, 2));
}

void Trainer::save_due() {
  if (opt_.record > 0 && st_.step % opt_.record == 0) write_record(opt_.out, st_.step, st_.ema, fixed_);
  if (opt_.ckpt_every > 0 && st_.step % opt_.ckpt_every == 0) {
    save_checkpoint(ckpt_path(st_.step));
    save_samples();
  }
}

TrainResult Trainer::interrupt() {
  TrainResult res;
  save_checkpoint(ckpt_path(st_.step));
  bar_->finish("interrupted");
  std::fprintf(stderr, "interrupted at step %lld: wrote %s (continue with --resume %s)\n", (long long)st_.step,
               ckpt_path(st_.step).c_str(), opt_.out.c_str());
  res.interrupted = true;
  res.step = st_.step;
  res.final_checkpoint = ckpt_path(st_.step);
  res.last = last_;
  log_->flush();
  return res;
}

TrainResult Trainer::finish() {
  bar_->finish("done");
  TrainResult res;
  res.wall_s = now_s() - t0_;
  res.steps_per_s = double(st_.step - start_step_) / std::max(res.wall_s, 1e-9);
  res.step = st_.step;
  res.last = last_;
  res.final_checkpoint = (fs::path(opt_.out) / "model_final.pt").string();
  save_checkpoint(res.final_checkpoint);
  save_samples();
  if (opt_.record > 0 && st_.step % opt_.record != 0) write_record(opt_.out, st_.step, st_.ema, fixed_);
  log_->flush();
  std::fprintf(stderr, "trained %lld steps in %.1fs (%.2f steps/s); wrote %s and %s\n", (long long)st_.step,
               res.wall_s, res.steps_per_s, res.final_checkpoint.c_str(),
               (fs::path(opt_.out) / "samples.png").string().c_str());
  if (opt_.final_eval) eval_and_export(res);
  return res;
}

std::string Trainer::ckpt_path(int64_t step) const {
  return (fs::path(opt_.out) / ("ckpt_" + std::to_string(step) + ".pt")).string();
}

void Trainer::save_checkpoint(const std::string& path) {
  st_.wall_s = wall0_ + (now_s() - t0_);
  save_train_checkpoint(path, st_, opt_);
}

// The sample grid goes to TensorBoard (images tab) and to RUN_DIR/samples.png.
void Trainer::save_samples() {
  log_->image("samples", render_samples(generate_fixed(st_.ema, fixed_), cfg_, target_pts_), st_.step,
              (fs::path(opt_.out) / "samples.png").string());
}

void Trainer::eval_and_export(TrainResult& res) {
  st_.ema->to(torch::kCPU);
  eval::QuickEvalOptions eo;
  eo.n = opt_.eval_n;
  eo.data_dir = opt_.data_dir;
  res.eval = eval::quick_eval(st_.ema, opt_.dataset, eo);
  const fs::path eval_json = fs::path(opt_.out) / "eval.json";
  core::write_file_atomic(eval_json.string(), res.eval.dump(2) + "\n");
  std::fprintf(stderr, "%s", eval::format_eval_table(res.eval).c_str());
  exporter::ExportOptions xo;
  if (opt_.record > 0) xo.snapshots_dir = (fs::path(opt_.out) / "snapshots").string();
  xo.metrics_json = eval_json.string();
  xo.command = opt_.command;
  xo.alpha_max = opt_.alpha.alpha_max;
  xo.seed = int64_t(opt_.seed);
  xo.wall_time_s = st_.wall_s;
  auto ex = exporter::export_model(res.final_checkpoint, (fs::path(opt_.out) / "export").string(), xo);
  std::fprintf(stderr, "exported %s (%lld bytes)\n", ex.manifest_path.c_str(), (long long)ex.bin_bytes);
}

TrainResult run_training(TrainOptions opt, const std::string& resume_dir) {
  clear_interrupt();  // a stale request from an earlier run does not stop this one
  Trainer t(std::move(opt), resume_dir);
  while (!t.done()) {
    const StepStats s = t.step();
    t.log(s);
    t.save_due();
    if (interrupt_requested()) return t.interrupt();
  }
  return t.finish();
}

}  // namespace drift::train
