// Training loop: per step, every class group at once through one batched field evaluation.
#include "drift/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "drift/core/adamw.h"
#include "drift/core/atomic_file.h"
#include "drift/core/toy_data.h"
#include "drift/eval/quick_eval.h"
#include "drift/export/export.h"
#include "drift/train/local_workers.h"
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
// which only the length, device, threads and final eval may change. The run's own --threads
// is kept unless another is given: a different thread count changes float summation order,
// so only the same one continues bit for bit.
TrainOptions options_for(TrainOptions opt, const std::string& resume_dir, std::string& resume_path) {
  if (resume_dir.empty()) return check_new_run_dir(opt.out), opt;
  TrainOptions stored;
  resume_path = resume_point(resume_dir, &stored);  // "" when stopped before its first checkpoint
  stored.out = resume_dir;
  if (opt.steps > 0) stored.steps = opt.steps;
  stored.device = opt.device;
  if (opt.threads > 0) stored.threads = opt.threads;
  stored.final_eval = opt.final_eval;
  stored.dist_timeout = opt.dist_timeout;
  stored.workers = opt.workers;
  if (!opt.features.empty()) stored.features = opt.features;  // a moved encoder file; its hash must match
  return stored;
}
}  // namespace

Trainer::Trainer(TrainOptions opt, const std::string& resume_dir) {
  std::string resume_path;
  opt_ = options_for(std::move(opt), resume_dir, resume_path);
  if (opt_.out.empty()) throw std::runtime_error("--out: a run directory is required");
  open_data_and_processes();
  open_features();
  open_disc_key();
  if (main_) fs::create_directories(opt_.out);
  init_state(resume_dir, resume_path);
  init_references();
  open_logs();
  t0_ = now_s();
  wall0_ = st_.wall_s;
  start_step_ = st_.step;
  st_.model->train();
}

// The device, the data, and the processes that share each step: this one alone, ranks started
// by a launcher (torchrun's variables), or --workers started here; then the CPU threads of each.
void Trainer::open_data_and_processes() {
  dev_ = pick_device(opt_.device);
  DistEnv env = dist_env_from_environment();
  if (env.active() && dev_.is_cuda()) dev_ = torch::Device(torch::kCUDA, c10::DeviceIndex(env.local_rank));  // one GPU per process
  data_ = std::make_unique<TrainData>(opt_.dataset, opt_.data_dir, dev_);
  const bool toy = data_->is_toy();
  if (toy) core::toy_init(opt_.init);  // validates the name before any work
  resolve_defaults(opt_, toy, data_->num_classes(), data_->size(), data_->dim());
  const WorkerPlan plan = plan_workers(opt_.workers, opt_.threads, step_groups(), dev_.is_cuda(), env.active(),
                                       env.local_world, usable_cores());
  if (plan.threads > 0) set_cpu_threads(plan.threads);
  if (plan.workers > 1) {
    workers_ = std::make_unique<LocalWorkers>(plan.workers, plan.threads);
    env = dist_env_from_environment();
  }
  if (env.active()) {
    dist_ = std::make_unique<Distributed>(env, dev_, opt_.dist_timeout);
    main_ = dist_->is_main();
  }
  shard_ = shard_groups(step_groups(), env.rank, env.world);
  threads_ = plan.threads;
}

// --features: the frozen encoder, checked against the data and against the run being resumed.
void Trainer::open_features() {
  if (opt_.features.empty()) return;
  if (data_->is_toy()) throw std::runtime_error("--features: needs an image dataset (" + opt_.dataset + " is a 2D toy set)");
  features::FeatureOptions fo;
  fo.max_locations = opt_.feature_max_locations;
  features_ = std::make_unique<features::FeatureDrift>(opt_.features, dev_, fo);
  const auto& ec = features_->config();
  if (std::vector<int64_t>{ec.in_channels, ec.height, ec.width} != data_->sample_shape())
    throw std::runtime_error(opt_.features + ": the encoder takes " + std::to_string(ec.in_channels) + "x" +
                             std::to_string(ec.height) + "x" + std::to_string(ec.width) + " images, not " +
                             opt_.dataset + "'s");
  if (opt_.features_sha256.empty()) {
    opt_.features_sha256 = features_->sha256();  // recorded in options.json and every checkpoint
  } else if (opt_.features_sha256 != features_->sha256()) {
    throw std::runtime_error(opt_.features + ": not the encoder this run was trained with (SHA-256 " +
                             features_->sha256() + ", the run recorded " + opt_.features_sha256 +
                             "); --resume needs that same file (give its path with --features)");
  }
}

// --disc-key-dim: the online key, W from the PCA of a fixed draw of the training data (its own
// stream, never the training one). Rank 0 computes it and every rank gets its exact values (the
// others add zeros), so the ranks start from the same W whatever their eigensolver threads.
// On --resume the checkpoint's W and moments replace it (init_state).
void Trainer::open_disc_key() {
  if (opt_.disc_key_dim <= 0) return;
  const int64_t D = data_->dim(), k = opt_.disc_key_dim;
  if (k > D)
    throw std::runtime_error("--disc-key-dim " + std::to_string(k) + ": more than the " + std::to_string(D) +
                             " values of a " + opt_.dataset + " sample");
  if (opt_.positives < 2 || group_size() < 2)
    throw std::runtime_error("--disc-key-dim: its leave-one-out densities need at least 2 positives and 2 generated samples per group");
  torch::Tensor w = torch::zeros({k, D});
  if (main_) {
    at::Generator gen = at::detail::createCPUGenerator(opt_.seed * 2654435761ULL + 0xD15C);
    w = features::pca_directions(data_->reference(std::min<int64_t>(10000, data_->size()), gen), k);
  }
  if (dist_) {
    std::vector<double> v(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    dist_->sum(v);
    w = torch::tensor(v, torch::kDouble).to(torch::kFloat).view({k, D});
  }
  disc_ = std::make_unique<features::DiscKey>(w.to(dev_), opt_.disc_key_temp, opt_.disc_key_lr);
  st_.disc_key = disc_.get();
}

// Model, EMA, optimizer and sampler stream from the seed (before the sampler stream exists),
// or restored from the latest checkpoint; then options.json.
void Trainer::init_state(const std::string& resume_dir, const std::string& resume_path) {
  const bool toy = data_->is_toy();
  torch::manual_seed(opt_.seed);
  cfg_ = toy ? models::default_toy_config()
             : models::default_image_config(opt_.arch, data_->num_classes(), data_->sample_shape());
  cfg_.dataset = opt_.dataset;
  if (!toy) cfg_.output_activation = opt_.out_act;
  if (!toy && !opt_.widths.empty()) cfg_.widths = opt_.widths;  // a lighter page model (#15): docs/training.md
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
    if (main_) std::fprintf(stderr, "resuming %s at step %lld\n", resume_path.c_str(), (long long)st_.step);
  } else if (!resume_dir.empty()) {
    if (main_)
      std::fprintf(stderr, "%s: no checkpoint yet; starting again from step 0 with its options.json\n",
                   resume_dir.c_str());
  }
  if (main_)
    core::write_file_atomic((fs::path(opt_.out) / "options.json").string(), nlohmann::json(opt_).dump(2) + "\n");
}

// What the logs compare against; each from its own fixed stream, never the training one.
void Trainer::init_references() {
  fixed_ = make_fixed_samples(cfg_, 2048, opt_.grid_alpha, opt_.seed + 1);
  at::Generator target_gen = at::detail::createCPUGenerator(99);
  if (data_->is_toy()) target_pts_ = data_->reference(4096, target_gen).cpu();
  auto spread_gen = at::detail::createCPUGenerator(7);
  const int64_t B = data_->num_groups();
  real_spread_ = within_group_spread(
      data_->positives(torch::arange(B, torch::kLong), std::min<int64_t>(opt_.positives, 64), spread_gen));
}

// Rank 0: the run log and progress bar, and what the run is.
void Trainer::open_logs() {
  if (main_) {
    log_ = std::make_unique<logging::RunLog>(opt_.out);
    logging::ProgressOptions po;
    po.label = "train";
    po.start_step = st_.step;
    bar_ = std::make_unique<logging::ProgressBar>(opt_.steps, po);
  }
  const int64_t B = data_->num_groups();
  say("run " + opt_.out + ": " + models::arch_name(cfg_.arch) + " (" + std::to_string(st_.model->num_parameters()) +
      " params) on " + opt_.dataset + ", " + std::to_string(B) + " groups x " + std::to_string(opt_.batch_size) +
      " generated, P=" + std::to_string(opt_.positives) + " U=" + std::to_string(opt_.uncond) + ", device " +
      dev_.str());
  if (opt_.class_split > 1)
    say("class split " + std::to_string(opt_.class_split) + ": " + std::to_string(step_groups()) +
        " classes per step (alternating), " + std::to_string(group_size()) + " generated each");
  if (opt_.velocity_clip != "off") say("velocity clipping: " + opt_.velocity_clip);
  if (disc_)
    say("discriminative key: " + std::to_string(data_->dim()) + " -> " + std::to_string(opt_.disc_key_dim) +
        " (PCA start), weight " + fmt(opt_.disc_key_weight) + ", T " + fmt(opt_.disc_key_temp) + ", lr " +
        fmt(opt_.disc_key_lr));
  if (features_)
    say("features: encoder " + opt_.features + " (sha256 " + opt_.features_sha256.substr(0, 12) + "...), keys of " +
        std::to_string(opt_.feature_gen) + " generated, " + std::to_string(opt_.feature_pos) + " positives + " + std::to_string(opt_.feature_uncond) +
        " unconditional reals per group, weight " + fmt(opt_.feature_weight));
  if (dist_)
    say(std::to_string(dist_->world()) + (workers_ ? " workers on this machine" : " processes") + " (" +
        dist_->backend() + "), " + std::to_string(shard_.total_groups) + " groups per step over all of them" +
        (threads_ > 0 ? ", " + std::to_string(threads_) + " CPU thread(s) each" : "") +
        (shard_.total_groups > B ? " (more ranks than groups: replicas with their own noise)" : ""));
}

StepStats Trainer::step() {
  const int64_t B = step_groups(), G = group_size(), P = opt_.positives, U = opt_.uncond;
  const int64_t D = data_->dim();
  // The step's randomness, all from st_.rng on the CPU, in a fixed order (resume is exact).
  // Several processes: every rank draws the whole batch's and keeps its groups.
  at::Generator& rng = step_stream();
  // --class-split K: the classes c with c mod K = step mod K (K = 1: all of them).
  const int64_t K = opt_.class_split;
  auto class_ids = K == 1 ? torch::arange(B, torch::kLong) : torch::arange(st_.step % K, B * K, K, torch::kLong);
  auto alpha = sample_alpha(B, opt_.alpha, rng);                          // [B]
  auto eps = torch::randn({B * G, cfg_.latent_dim}, rng);                 // [B*G, L]
  field::FieldInput in;
  in.pos = data_->positives(class_ids, P, rng);                           // [B,P,D]
  if (U > 0) in.uncond = data_->uncond(B, U, rng);                        // [B,U,D]
  int64_t Bl = B;                                                         // groups in this process
  if (dist_) {
    const auto keep = torch::tensor(shard_.groups, torch::kLong), keep_dev = keep.to(dev_);
    Bl = keep.size(0);
    class_ids = class_ids.index_select(0, keep);
    alpha = alpha.index_select(0, keep);
    eps = eps.view({B, G, -1}).index_select(0, keep).reshape({Bl * G, -1});
    in.pos = in.pos.index_select(0, keep_dev);
    if (U > 0) in.uncond = in.uncond.index_select(0, keep_dev);
  }
  auto labels = class_ids.repeat_interleave(G);                           // [Bl*G]
  auto alpha_rows = alpha.repeat_interleave(G);                           // [Bl*G]
  if (U > 0) in.w_u = uncond_weight(alpha, G, U).to(dev_);                // [Bl]
  // Generate, field, loss.
  StepStats s;
  s.lr = learning_rate(opt_, st_.step);
  st_.optim->set_lr(s.lr);
  in.x = st_.model->generate(eps.to(dev_), labels.to(dev_), alpha_rows.to(dev_)).view({Bl, G, D});
  field::FieldOptions fopt = pixel_field_options(opt_);
  if (dist_) {
    fopt.sum_over_processes = [this](std::vector<double>& v) { dist_->sum(v); };  // s, RMS of the batch
    fopt.gather_over_processes = [this](const torch::Tensor& r) { return gather_all(r); };  // clipping's median
  }
  s.field = field::compute_field(in, fopt);
  auto loss = field::drift_loss(in.x, s.field);
  if (features_ || disc_) s.pixel_loss = loss.item<double>();
  field::FieldOptions kopt = fopt;  // velocity clipping is a pixel-key lever: keys keep their V
  kopt.velocity_clip = field::VelocityClip::off;
  if (features_) {  // the feature keys' losses, on the same draw; gradients reach x through the frozen encoder
    auto fl = features_->loss(in, kopt, opt_.feature_gen, opt_.feature_pos, opt_.feature_uncond);
    s.feature_loss = fl.loss.item<double>();
    loss = loss + opt_.feature_weight * fl.loss;
  }
  if (disc_) {  // W is a constant here: x moves toward stop-gradient targets in key space
    const auto kl = features::key_drift_loss(disc_->keys(in.x), disc_->keys(in.pos),
                                             U > 0 ? disc_->keys(in.uncond) : torch::Tensor(), in.w_u, Bl, kopt);
    s.disc_key_loss = kl.loss.item<double>();
    loss = loss + opt_.disc_key_weight * kl.loss;
  }
  st_.optim->zero_grad();
  s.loss = dist_ ? backward_sharded(loss) : loss.item<double>();  // several processes: the batch's loss
  if (!std::isfinite(s.loss) || !std::isfinite(s.field.s)) {
    save_checkpoint(ckpt_path(st_.step));  // this step has not touched the weights: the last good state
    throw std::runtime_error("non-finite loss at step " + std::to_string(st_.step) + " (field scale " +
                             fmt(s.field.s) + "); stopped. Last good checkpoint: " + ckpt_path(st_.step));
  }
  // Update: clip + AdamW + EMA in one pass over the parameters.
  if (!dist_) loss.backward();
  st_.optim->step(opt_.clip, st_.ema->parameters(), core::ema_decay(opt_.ema, st_.step));
  if (disc_) update_disc_key(in, s);
  ++st_.step;
  s.x = in.x.detach();
  s.classes = class_ids;
  return s;
}

void Trainer::log(const StepStats& s) {
  const int64_t step = st_.step;
  if (step % opt_.log_every != 0 && step != opt_.steps && step != start_step_ + 1) return;
  torch::NoGradGuard ng;
  const double spread = dist_ ? global_spread(s.x) : within_group_spread(s.x);
  if (!main_) return;
  const double ratio = real_spread_ > 0 ? spread / real_spread_ : 0;
  last_ = {{"step", step}, {"loss", s.loss}, {"field/scale", s.field.s}, {"lr", s.lr},
           {"diversity/generated", spread}, {"diversity/real", real_spread_}, {"diversity/ratio", ratio}};
  for (size_t i = 0; i < opt_.taus.size(); ++i) last_["force/tau_" + fmt(opt_.taus[i], 3)] = s.field.force_rms[i];
  if (features_ || disc_) last_["loss/pixels"] = s.pixel_loss;
  if (features_) last_["loss/features"] = s.feature_loss;
  if (disc_) last_["loss/disc_key"] = s.disc_key_loss, last_["disc/loss"] = s.disc_loss, last_["disc/accuracy"] = s.disc_accuracy;
  if (opt_.velocity_clip != "off") last_["clip/kappa"] = s.field.clip_kappa, last_["clip/clipped_frac"] = s.field.clipped_frac;
  if (step > start_step_) last_["steps_per_s"] = double(step - start_step_) / std::max(now_s() - t0_, 1e-9);
  if (dist_ && step > start_step_) last_["dist/allreduce_ms"] = 1e3 * dist_->collective_seconds() / double(step - start_step_);
  for (const auto& [tag, value] : last_.items())
    if (tag != "step") log_->scalar(tag, value.get<double>(), step);
  if (!data_->is_toy() && step > 3 * opt_.warmup && ratio < 0.5 && !warned_collapse_) {
    warned_collapse_ = true;
    say("warning: step " + std::to_string(step) + ": generated diversity is " + fmt(ratio, 2) +
                  "x real (collapse?). Check --floor (0 recommended) and --lr.");
  }
  bar_->update(step, "loss " + fmt(s.loss) + " div " + fmt(ratio, 2));
}

void Trainer::save_due() {
  if (!main_) return;
  if (opt_.record > 0 && st_.step % opt_.record == 0) write_record(opt_.out, st_.step, st_.ema, fixed_);
  if (opt_.ckpt_every > 0 && st_.step % opt_.ckpt_every == 0) {
    save_checkpoint(ckpt_path(st_.step));
    save_samples();
  }
}

TrainResult Trainer::interrupt() {
  TrainResult res;
  res.interrupted = true;
  res.step = st_.step;
  res.final_checkpoint = ckpt_path(st_.step);
  res.last = last_;
  res.main_process = main_;
  if (!main_) return res;
  if (workers_) workers_->wait(130);  // they stop at the same step, as drift-train does on SIGINT
  save_checkpoint(ckpt_path(st_.step));
  bar_->finish("interrupted");
  std::fprintf(stderr, "interrupted at step %lld: wrote %s (continue with --resume %s)\n", (long long)st_.step,
               ckpt_path(st_.step).c_str(), opt_.out.c_str());
  log_->flush();
  return res;
}

TrainResult Trainer::finish() {
  TrainResult res;
  res.wall_s = now_s() - t0_;
  res.steps_per_s = double(st_.step - start_step_) / std::max(res.wall_s, 1e-9);
  res.step = st_.step;
  res.last = last_;
  res.final_checkpoint = (fs::path(opt_.out) / "model_final.pt").string();
  res.main_process = main_;
  if (!main_) return res;
  if (workers_) {
    workers_->wait();
    if (opt_.threads == 0) set_cpu_threads(usable_cores());  // the eval runs here alone: every core again
  }
  bar_->finish("done");
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
  if (!main_) return;
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

bool Trainer::stop_requested() const { return dist_ ? stop_ : interrupt_requested(); }

void Trainer::say(const std::string& line) {
  if (bar_) bar_->message(line);
}

// Replica 0 (every rank when there are no more ranks than groups) draws from the run's own
// stream, exactly as one process; replica k > 0 from a stream of (seed, k, step), which needs
// no state in checkpoints.
at::Generator& Trainer::step_stream() {
  if (shard_.replica == 0) return st_.rng;
  replica_rng_ = at::detail::createCPUGenerator(replica_seed(opt_.seed, shard_.replica, st_.step));
  return replica_rng_;
}

// The batch's loss is the mean over all its groups: this rank's mean, weighted by its share of
// the groups, summed over the ranks; so are the gradients (one all-reduce, which also carries
// the loss and the ranks' interrupt flags). Uneven splits stay exact.
double Trainer::backward_sharded(const torch::Tensor& loss) {
  const double share = double(shard_.groups.size()) / double(shard_.total_groups);
  (loss * share).backward();
  std::vector<double> extra{loss.item<double>() * share, interrupt_requested() ? 1.0 : 0.0};
  dist_->sum_gradients(st_.model->parameters(), extra);
  stop_ = extra[1] > 0;
  return extra[0];
}

// One AdamW step of the online key on the step's positives and detached generated samples. Several
// processes: W's gradient (and the logged loss and accuracy) is the sum over the ranks of each
// one's, weighted by its share of the groups, as the generator's; every rank then takes the same step.
void Trainer::update_disc_key(const field::FieldInput& in, StepStats& s) {
  const double share = dist_ ? double(shard_.groups.size()) / double(shard_.total_groups) : 1.0;
  const auto r = disc_->backward(in.pos, in.x, share);
  std::vector<double> extra{r.loss * share, r.accuracy * share};
  if (dist_) dist_->sum_gradients({disc_->weight()}, extra);
  disc_->step();
  s.disc_loss = extra[0];
  s.disc_accuracy = extra[1];
}

// Every rank's values of a 1-d float64 tensor, concatenated in rank order: each rank writes
// its own at its offset in a zero vector and one sum all-reduce adds them (adding zeros is exact).
torch::Tensor Trainer::gather_all(const torch::Tensor& values) {
  const int world = dist_->world(), rank = dist_->rank();
  std::vector<double> counts(size_t(world), 0.0);
  counts[size_t(rank)] = double(values.numel());
  dist_->sum(counts);
  int64_t offset = 0, total = 0;
  for (int r = 0; r < world; ++r) (r < rank ? offset : total) += int64_t(counts[size_t(r)]);
  total += offset;
  std::vector<double> all(size_t(total), 0.0);
  const torch::Tensor v = values.to(torch::kCPU, torch::kDouble).contiguous();
  std::copy(v.data_ptr<double>(), v.data_ptr<double>() + v.numel(), all.begin() + offset);
  dist_->sum(all);
  return torch::tensor(all, torch::kDouble);
}

// within_group_spread over the groups of every rank.
double Trainer::global_spread(const torch::Tensor& x) {
  const int64_t N = x.size(1);
  if (N < 2) return 0;
  std::vector<double> v{torch::cdist(x, x).sum().item<double>(), double(x.size(0) * N * (N - 1))};
  dist_->sum(v);
  return v[0] / v[1];
}

TrainResult run_training(TrainOptions opt, const std::string& resume_dir) {
  clear_interrupt();  // a stale request from an earlier run does not stop this one
  Trainer t(std::move(opt), resume_dir);
  while (!t.done()) {
    const StepStats s = t.step();
    t.log(s);
    t.save_due();
    if (t.stop_requested()) return t.interrupt();
  }
  return t.finish();
}

}  // namespace drift::train
