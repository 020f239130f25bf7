// Training loop: per step, every class group at once through one batched field evaluation.
#include "train/trainer.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <dlfcn.h>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "drift/data/atomic_file.h"
#include "drift/toy_data.h"
#include "drift/logging/progress.h"
#include "drift/logging/run_log.h"
#include "field/field.h"
#include "field/views.h"
#include "train/ema.h"
#include "train/record.h"
#include "train/train_checkpoint.h"
#include "train/train_data.h"
#ifdef DRIFT_HAVE_EVAL
#include "eval/quick_eval.h"
#endif
#ifdef DRIFT_HAVE_EXPORT
#include "export/export.h"
#endif

namespace fs = std::filesystem;

namespace drift::train {

namespace {
std::atomic<bool> g_interrupt{false};
extern "C" void on_sigint(int) { g_interrupt.store(true); }

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Output spread/centre of a fresh toy generator, set through its last linear layer.
void apply_toy_init(models::Generator& g, const std::string& init) {
  const auto ti = core::toy_init(init);
  torch::NoGradGuard ng;
  const auto& cfg = g->config();
  auto probe = g->generate(torch::randn({1024, cfg.latent_dim}), torch::zeros({1024}, torch::kLong),
                           torch::ones({1024}));
  const double sd = probe.std().item<double>();
  auto params = g->named_parameters();
  const std::string last = g->layers_json().back()["weight"].get<std::string>();
  const std::string last_b = g->layers_json().back()["bias"].get<std::string>();
  auto W = params[last], b = params[last_b];
  const double c = ti.spread / std::max(sd, 1e-8);
  auto mean_wh = (probe - b).mean(0);  // W h part of the output, averaged
  W.mul_(c);
  b.copy_(torch::tensor({ti.cx, ti.cy}) - c * mean_wh);
}

// Mean within-group pairwise distance of [B,N,D] (diversity; 0 = every sample identical).
double within_group_spread(const torch::Tensor& x) {
  const int64_t N = x.size(1);
  if (N < 2) return 0;
  auto d = torch::cdist(x, x);
  return (d.sum() / double(x.size(0) * N * (N - 1))).item<double>();
}

std::string fmt(double v, int prec = 4) {
  std::ostringstream o;
  o.precision(prec);
  o << v;
  return o.str();
}
}  // namespace

// LibTorch's own pool does not reach OpenBLAS, which keeps one thread per core for the
// GEMMs unless told otherwise; without this `--threads 1` still ran its GEMMs on 2 threads.
static void set_cpu_threads(int n) {
  torch::set_num_threads(n);
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(n);
}

double learning_rate(const TrainOptions& o, int64_t step) {
  const double warm = std::min(1.0, double(step + 1) / double(std::max<int64_t>(o.warmup, 1)));
  if (o.schedule != "cosine" || step < o.warmup) return o.lr * warm;
  const double t = double(step - o.warmup) / double(std::max<int64_t>(o.steps - o.warmup, 1));
  return o.lr * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * std::min(t, 1.0))));
}

void install_interrupt_handler() { std::signal(SIGINT, on_sigint); }
bool interrupt_requested() { return g_interrupt.load(); }
void request_interrupt() { g_interrupt.store(true); }

torch::Device pick_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) throw std::runtime_error("--device cuda: CUDA is not available in this LibTorch build/machine");
    return torch::kCUDA;
  }
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  throw std::runtime_error("--device '" + name + "': expected auto, cpu or cuda");
}

void resolve_defaults(TrainOptions& o, bool toy, int64_t num_classes, int64_t dataset_size) {
  if (o.batch_size <= 0) o.batch_size = toy ? 1024 : 64;  // images: G = 64 beat 32 on FD, accuracy and recall (docs/results.md)
  // Real samples cost no generator passes: more of them sharpen the field almost for free.
  if (o.positives <= 0) o.positives = toy ? o.batch_size : 4 * o.batch_size;
  if (o.uncond < 0) o.uncond = toy ? 0 : 2 * o.batch_size;
  if (o.lr <= 0) o.lr = (o.arch == "conv" && !toy) ? 5e-4 : 1e-3;
  if (o.ema < 0) o.ema = toy ? 0.99 : 0.999;
  if (o.steps <= 0) {
    if (o.epochs > 0) {
      const double per_step = double(o.positives) * double(std::max<int64_t>(num_classes, 1));
      o.steps = std::max<int64_t>(1, int64_t(std::ceil(o.epochs * double(dataset_size) / per_step)));
    } else {
      o.steps = toy ? 2000 : 6000;
    }
  }
  if (toy) o.alpha.frac_one = 1.0;  // no classes, no guidance
}

TrainResult run_training(TrainOptions opt, const std::string& resume_dir) {
  g_interrupt.store(false);  // a stale request from an earlier run does not stop this one
  std::string resume_path;
  if (!resume_dir.empty()) {
    resume_path = latest_checkpoint(resume_dir);
    TrainOptions stored = read_checkpoint_options(resume_path);
    // Everything comes from the run; only the length (and device/threads/eval) may change.
    stored.out = resume_dir;
    if (opt.steps > 0) stored.steps = opt.steps;
    stored.device = opt.device;
    stored.threads = opt.threads;
    stored.final_eval = opt.final_eval;
    opt = stored;
  }
  if (opt.out.empty()) throw std::runtime_error("--out: a run directory is required");
  if (opt.threads > 0) set_cpu_threads(opt.threads);
  const torch::Device dev = pick_device(opt.device);
  if (opt.taus.empty()) throw std::runtime_error("--taus: need at least one temperature");
  if (opt.gen_negatives < 0) throw std::runtime_error("--gen-negatives: must be 0 or more");
  if (opt.out_act != "none" && opt.out_act != "sigmoid")
    throw std::runtime_error("--out-act '" + opt.out_act + "': expected none or sigmoid");
  if (opt.schedule != "const" && opt.schedule != "cosine")
    throw std::runtime_error("--lr-schedule '" + opt.schedule + "': expected const or cosine");

  TrainData data(opt.dataset, opt.data_dir, dev);
  const bool toy = data.is_toy();
  if (!toy && opt.arch != "mlp" && opt.arch != "conv" && opt.arch != "mlpconv")
    throw std::runtime_error("--arch '" + opt.arch + "': expected mlp, mlpconv or conv");
  if (toy) core::toy_init(opt.init);  // validates the name early
  if (toy && opt.views != std::vector<std::string>{"pixel"})
    throw std::runtime_error("--views: 2D toy sets have only the 'pixel' view (the points themselves)");
  for (const auto& v : opt.views)
    if (!field::is_known_view(v)) throw std::runtime_error("--views: unknown view '" + v + "' (known: " + field::known_views() + ")");
  resolve_defaults(opt, toy, data.num_classes(), data.size());
  fs::create_directories(opt.out);

  // Model, EMA, optimizer; initialisation from the seed (before the sampler stream).
  torch::manual_seed(opt.seed);
  models::GeneratorConfig cfg = toy ? models::default_toy_config()
                                    : opt.arch == "mlpconv" ? models::default_mlpconv_config(data.num_classes(), data.sample_shape())
                                    : (opt.arch == "conv" ? models::default_conv_config(data.num_classes(), data.sample_shape())
                                                          : models::default_mlp_config(data.num_classes(), data.sample_shape()));
  cfg.dataset = opt.dataset;
  if (!toy) cfg.output_activation = opt.out_act;
  TrainState st;
  st.model = models::Generator(cfg);
  if (toy) apply_toy_init(st.model, opt.init);
  st.ema = models::Generator(cfg);
  models::copy_weights(st.ema, st.model);
  st.model->to(dev);
  st.ema->to(dev);
  st.ema->eval();
  for (auto& p : st.ema->parameters()) p.set_requires_grad(false);
  AdamWConfig acfg;  // betas 0.9/0.95, eps 1e-8
  acfg.lr = opt.lr;
  acfg.weight_decay = opt.weight_decay;
  st.optim = std::make_unique<FusedAdamW>(st.model->parameters(), acfg);
  st.rng = at::detail::createCPUGenerator(opt.seed * 2654435761ULL + 17);
  if (!resume_path.empty()) {
    load_train_checkpoint(resume_path, st);
    std::fprintf(stderr, "resuming %s at step %lld\n", resume_path.c_str(), (long long)st.step);
  }
  data::write_file_atomic((fs::path(opt.out) / "options.json").string(), nlohmann::json(opt).dump(2) + "\n");

  const int64_t B = data.num_groups(), G = opt.batch_size, P = opt.positives, U = opt.uncond, D = data.dim();
  const int64_t Q = opt.gen_negatives;
  field::FieldOptions fopt;
  fopt.taus = opt.taus;
  fopt.floor = opt.floor;
  const FixedSamples fixed = make_fixed_samples(cfg, 2048, opt.grid_alpha, opt.seed + 1);
  at::Generator target_gen = at::detail::createCPUGenerator(99);
  const torch::Tensor target_pts = toy ? data.reference(4096, target_gen).cpu() : torch::Tensor();
  // Real-data diversity (mean within-class distance) as the yardstick for collapse warnings.
  double real_spread = 0;
  {
    auto g = at::detail::createCPUGenerator(7);
    auto ids = torch::arange(B, torch::kLong);
    real_spread = within_group_spread(data.positives(ids, std::min<int64_t>(P, 64), g));
  }

  logging::RunLog log(opt.out);
  logging::ProgressOptions po;
  po.label = "train";
  po.start_step = st.step;
  logging::ProgressBar bar(opt.steps, po);
  bar.message("run " + opt.out + ": " + cfg.arch + " (" + std::to_string(st.model->num_parameters()) +
              " params) on " + opt.dataset + ", " + std::to_string(B) + " groups x " + std::to_string(G) +
              " generated, P=" + std::to_string(P) + " U=" + std::to_string(U) + ", device " + dev.str());

  TrainResult res;
  auto ckpt_path = [&](int64_t step) { return (fs::path(opt.out) / ("ckpt_" + std::to_string(step) + ".pt")).string(); };
  const double t0 = now_s();
  const double wall0 = st.wall_s;
  const int64_t start_step = st.step;
  std::string last_good;
  bool warned_collapse = false;
  st.model->train();

  while (st.step < opt.steps) {
    // ---- sample the step's randomness (all from st.rng, on CPU) ----
    auto class_ids = torch::arange(B, torch::kLong);
    auto alpha = sample_alpha(B, opt.alpha, st.rng);                       // [B]
    auto eps = torch::randn({B * G, cfg.latent_dim}, st.rng);              // [B*G, L]
    auto labels = class_ids.repeat_interleave(G);                          // [B*G]
    auto alpha_rows = alpha.repeat_interleave(G);                          // [B*G]
    auto pos = data.positives(class_ids, P, st.rng);                       // [B,P,D]
    torch::Tensor unc, w_u;
    if (U > 0) {
      unc = data.uncond(B, U, st.rng);                                     // [B,U,D]
      w_u = uncond_weight(alpha, G + Q, U).to(dev);                        // [B]
    }
    torch::Tensor eps_q = Q > 0 ? torch::randn({B * Q, cfg.latent_dim}, st.rng) : torch::Tensor();  // [B*Q, L]
    // ---- generate, field, loss ----
    const double lr = learning_rate(opt, st.step);
    st.optim->set_lr(lr);
    auto x = st.model->generate(eps.to(dev), labels.to(dev), alpha_rows.to(dev)).view({B, G, D});
    torch::Tensor gen_neg;  // [B,Q,D]: same classes and alphas, no graph
    if (Q > 0) {
      torch::NoGradGuard ng;
      gen_neg = st.model->generate(eps_q.to(dev), class_ids.repeat_interleave(Q).to(dev),
                                   alpha.repeat_interleave(Q).to(dev)).view({B, Q, D});
    }
    auto views = field::multi_view_loss({x, pos, unc, w_u, gen_neg}, opt.views, data.sample_shape(), fopt);
    const field::FieldResult& f = views.fields.front();  // the first view drives the logs below
    auto loss = views.loss;
    const double loss_v = loss.item<double>();
    if (!std::isfinite(loss_v) || !std::isfinite(f.s)) {
      // The weights have not been touched by this step: save them as the last good state.
      save_train_checkpoint(ckpt_path(st.step), st, opt);
      throw std::runtime_error("non-finite loss at step " + std::to_string(st.step) +
                               " (field scale " + fmt(f.s) + "); stopped. Last good checkpoint: " + ckpt_path(st.step));
    }
    st.optim->zero_grad();
    loss.backward();
    st.optim->step(opt.clip, st.ema->parameters(), ema_decay(opt.ema, st.step));  // clip + AdamW + EMA, one pass
    ++st.step;

    // ---- log ----
    if (st.step % opt.log_every == 0 || st.step == opt.steps || st.step == start_step + 1) {
      torch::NoGradGuard ng;
      const double spread = within_group_spread(x.detach());
      const double ratio = real_spread > 0 ? spread / real_spread : 0;
      const double elapsed = now_s() - t0;
      res.last = {{"step", st.step}, {"loss", loss_v}, {"scale", f.s}, {"lr", lr}, {"diversity", spread},
                  {"diversity_ratio", ratio}};
      log.scalar("loss", loss_v, st.step);
      log.scalar("field/scale", f.s, st.step);
      log.scalar("lr", lr, st.step);
      log.scalar("diversity/generated", spread, st.step);
      log.scalar("diversity/real", real_spread, st.step);
      log.scalar("diversity/ratio", ratio, st.step);
      for (size_t i = 0; i < opt.taus.size(); ++i) {
        log.scalar("force/tau_" + fmt(opt.taus[i], 3), f.force_rms[i], st.step);
        res.last["force_tau_" + fmt(opt.taus[i], 3)] = f.force_rms[i];
      }
      for (size_t v = 1; v < opt.views.size(); ++v) {
        log.scalar("field/scale_" + opt.views[v], views.fields[v].s, st.step);
        for (size_t i = 0; i < opt.taus.size(); ++i)
          log.scalar("force/" + opt.views[v] + "/tau_" + fmt(opt.taus[i], 3), views.fields[v].force_rms[i], st.step);
      }
      if (st.step > start_step) log.scalar("steps_per_s", double(st.step - start_step) / std::max(elapsed, 1e-9), st.step);
      if (!toy && st.step > 3 * opt.warmup && ratio < 0.5 && !warned_collapse) {
        warned_collapse = true;
        bar.message("warning: step " + std::to_string(st.step) + ": generated diversity is " + fmt(ratio, 2) +
                    "x real (collapse?). Check --floor (0 recommended) and --lr.");
      }
      bar.update(st.step, "loss " + fmt(loss_v) + " div " + fmt(ratio, 2));
    }
    if (opt.record > 0 && st.step % opt.record == 0) write_record(opt.out, st.step, st.ema, fixed);
    if (opt.ckpt_every > 0 && st.step % opt.ckpt_every == 0) {
      st.wall_s = wall0 + (now_s() - t0);
      save_train_checkpoint(ckpt_path(st.step), st, opt);
      last_good = ckpt_path(st.step);
      // The sample grid goes to TensorBoard (images tab) and to RUN_DIR/samples.png.
      log.image("samples", render_samples(generate_fixed(st.ema, fixed), cfg, target_pts), st.step,
                (fs::path(opt.out) / "samples.png").string());
    }
    if (g_interrupt.load()) {
      st.wall_s = wall0 + (now_s() - t0);
      save_train_checkpoint(ckpt_path(st.step), st, opt);
      bar.finish("interrupted");
      std::fprintf(stderr, "interrupted at step %lld: wrote %s (continue with --resume %s)\n",
                   (long long)st.step, ckpt_path(st.step).c_str(), opt.out.c_str());
      res.interrupted = true;
      res.step = st.step;
      res.final_checkpoint = ckpt_path(st.step);
      log.flush();
      return res;
    }
  }
  bar.finish("done");
  res.wall_s = now_s() - t0;
  st.wall_s = wall0 + res.wall_s;
  res.steps_per_s = double(st.step - start_step) / std::max(res.wall_s, 1e-9);
  res.step = st.step;
  res.final_checkpoint = (fs::path(opt.out) / "model_final.pt").string();
  save_train_checkpoint(res.final_checkpoint, st, opt);
  const std::string png = (fs::path(opt.out) / "samples.png").string();
  log.image("samples", render_samples(generate_fixed(st.ema, fixed), cfg, target_pts), st.step, png);
  if (opt.record > 0 && st.step % opt.record != 0) write_record(opt.out, st.step, st.ema, fixed);
  log.flush();
  std::fprintf(stderr, "trained %lld steps in %.1fs (%.2f steps/s); wrote %s and %s\n", (long long)st.step,
               res.wall_s, res.steps_per_s, res.final_checkpoint.c_str(), png.c_str());

  if (opt.final_eval) {
#ifdef DRIFT_HAVE_EVAL
    st.ema->to(torch::kCPU);
    eval::QuickEvalOptions eo;
    eo.n = opt.eval_n;
    eo.data_dir = opt.data_dir;
    res.eval = eval::quick_eval(st.ema, opt.dataset, eo);
    data::write_file_atomic((fs::path(opt.out) / "eval.json").string(), res.eval.dump(2) + "\n");
    std::fprintf(stderr, "%s", eval::format_eval_table(res.eval).c_str());
#endif
#ifdef DRIFT_HAVE_EXPORT
    exporter::ExportOptions xo;
    if (opt.record > 0) xo.snapshots_dir = (fs::path(opt.out) / "snapshots").string();
    if (fs::exists(fs::path(opt.out) / "eval.json")) xo.metrics_json = (fs::path(opt.out) / "eval.json").string();
    xo.command = opt.command;
    xo.alpha_max = opt.alpha.alpha_max;
    xo.seed = int64_t(opt.seed);
    xo.wall_time_s = st.wall_s;
    auto ex = exporter::export_model(res.final_checkpoint, (fs::path(opt.out) / "export").string(), xo);
    std::fprintf(stderr, "exported %s (%lld bytes)\n", ex.manifest_path.c_str(), (long long)ex.bin_bytes);
#endif
  }
  return res;
}

}  // namespace drift::train
