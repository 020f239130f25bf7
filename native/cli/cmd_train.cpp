// drift-train train: train a generator on images or a 2D toy set (docs/training.md).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "registry.h"
#include "validators.h"
#include "drift/core/toy_data.h"
#include "drift/train/runtime.h"
#include "drift/train/trainer.h"

namespace {

// The --arch choices: the image architectures of models::arch_names() (toy sets pick theirs).
std::vector<std::pair<std::string, drift::models::Arch>> image_archs() {
  std::vector<std::pair<std::string, drift::models::Arch>> out;
  for (const auto& p : drift::models::arch_names())
    if (p.second != drift::models::Arch::toy) out.push_back(p);
  return out;
}

std::string own_command_line() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()), out;
  for (char c : all) out += c ? c : ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void add_train(CLI::App& app) {
  struct Args {
    drift::train::TrainOptions o;
    std::string resume;
    std::string workers = "auto";
    bool no_eval = false;
  };
  auto a = std::make_shared<Args>();
  auto& o = a->o;
  auto* c = app.add_subcommand("train", "Train a drifting generator (images or 2D toy data)");
  const auto pos = drift::cli::finite_positive(), nonneg = drift::cli::finite_non_negative();
  using drift::cli::finite_range;
  c->add_option("--dataset", o.dataset,
                "mnist | fashion-mnist | idx:DIR | " + drift::core::toy_names_joined(" | ") + " | csv:FILE")
      ->capture_default_str();
  c->add_option("--data-dir,--data_dir", o.data_dir, "folder holding mnist/ and fashion-mnist/")->capture_default_str();
  c->add_option("--out", o.out, "run directory (checkpoints, logs, samples, export)");
  c->add_option("--steps", o.steps, "training steps (default 6000 images, 2000 toys)")->check(pos);
  c->add_option("--epochs", o.epochs, "alternative to --steps: passes over the positives")->check(pos);
  c->add_option("--batch-size,--batch_size", o.batch_size, "generated samples per class group G (default 64 images, 1024 toys)")
      ->check(pos);
  c->add_option("--positives", o.positives, "real positives per group P (default 4G images, G toys)")->check(pos);
  c->add_option("--uncond", o.uncond, "unconditional real negatives per group U (default 2G images, 0 toys)")->check(nonneg);
  c->add_option("--lr", o.lr, "peak learning rate, after the linear warmup")->capture_default_str()->check(pos);
  c->add_option("--warmup", o.warmup, "linear warmup steps")->capture_default_str()->check(nonneg);
  c->add_option("--weight-decay", o.weight_decay, "AdamW weight decay")->capture_default_str()->check(nonneg);
  c->add_option("--clip", o.clip, "gradient norm clip (0 = off)")->capture_default_str()->check(nonneg);
  c->add_option("--ema", o.ema, "EMA decay in [0, 1) (default 0.999 images, 0.99 toys)")->check(finite_range(0.0, 0.999999));
  c->add_option("--alpha-max", o.alpha.alpha_max, "largest training guidance alpha")->capture_default_str()
      ->check(finite_range(1.0, 100.0));
  c->add_option("--alpha-k", o.alpha.k, "alpha density ~ alpha^-k")->capture_default_str()->check(nonneg);
  c->add_option("--alpha-one", o.alpha.frac_one, "fraction of groups trained at alpha = 1")->capture_default_str()
      ->check(finite_range(0.0, 1.0));
  c->add_option("--taus", o.taus, "field temperatures (each > 0)")->capture_default_str()->check(pos);
  c->add_option("--floor", o.floor, "affinity floor of the field (1e-6 = official; 0 avoids MNIST collapse)")
      ->capture_default_str()->check(finite_range(0.0, 1.0));
  c->add_option("--class-split", o.class_split,
                "train 1/K of the classes each step (alternating; K = 2: halves) with K*G generated each, "
                "the same generator passes per step; K must divide the classes (docs/training.md)")
      ->capture_default_str()->check(CLI::Range(int64_t(1), int64_t(1024)));
  c->add_option("--velocity-clip", o.velocity_clip,
                "per-sample clipping of the pixel field V: off | median (kappa = the batch median of "
                "r_i = rms of V_i) | unit (every V_i to r_i = 1) | a fixed kappa > 0 (docs/drift-field.md)")
      ->capture_default_str()->check(drift::cli::velocity_clip_choice());
  c->add_option("--disc-key-dim", o.disc_key_dim,
                "online discriminative key: z = W x with this many rows, PCA-initialised, trained each step "
                "as a real-vs-generated KDE-ratio classifier, drifted in beside the pixels "
                "(default 64 for images, off for toy sets; 0 = off)")
      ->check(CLI::Range(int64_t(0), int64_t(4096)));
  c->add_option("--disc-key-weight", o.disc_key_weight, "loss weight of the discriminative key")
      ->capture_default_str()->check(finite_range(0.0, 10.0, true));
  c->add_option("--disc-key-temp", o.disc_key_temp,
                "temperature T of the key's Laplace KDEs, in units of the group's mean key distance")
      ->capture_default_str()->check(finite_range(0.0, 10.0, true));
  c->add_option("--disc-key-lr", o.disc_key_lr, "AdamW learning rate of the key's W")
      ->capture_default_str()->check(finite_range(0.0, 1.0, true));
  c->add_option("--init", o.init, "toy generator start")->capture_default_str()
      ->check(CLI::IsMember(drift::core::toy_init_names()));
  c->add_option("--arch", o.arch, "image generator (default mlpconv)")
      ->transform(CLI::CheckedTransformer(image_archs(), CLI::ignore_case));
  c->add_option("--widths", o.widths, "images: hidden widths of the generator's MLP, e.g. 512,640 (default 512,1024)")
      ->delimiter(',')->check(CLI::Range(int64_t(1), int64_t(65536)));
  c->add_option("--out-act", o.out_act, "image generator output")->capture_default_str()
      ->check(CLI::IsMember({"none", "sigmoid"}));
  c->add_option("--device", o.device, "where to train (default auto: CUDA when present)")
      ->transform(CLI::CheckedTransformer(drift::train::device_names(), CLI::ignore_case));
  c->add_option("--seed", o.seed, "seed of initialisation and sampling")->capture_default_str();
  c->add_option("--workers", a->workers,
                "worker processes on this machine, each training a share of every step's class groups "
                "(auto: one per usable core, at most one per group; 1 on CUDA and under torchrun)")
      ->capture_default_str()->check(drift::cli::auto_or_count(1024));
  c->add_option("--threads", o.threads,
                "CPU threads of each worker (0 = cores / workers, or LibTorch's default with one worker; with --resume, 0 keeps the run's)")
      ->capture_default_str()->check(nonneg);
  c->add_option("--record", o.record, "every K steps: EMA snapshot + generated record .npy (0 = off)")
      ->capture_default_str()->check(nonneg);
  c->add_option("--ckpt-every", o.ckpt_every, "checkpoint every N steps (0 = only at the end)")->capture_default_str()
      ->check(nonneg);
  c->add_option("--log-every", o.log_every, "log scalars every N steps")->capture_default_str()->check(pos);
  c->add_option("--grid-alpha", o.grid_alpha, "guidance of the logged sample grid")->capture_default_str()->check(pos);
  c->add_option("--eval-n", o.eval_n, "samples per alpha in the final quick eval")->capture_default_str()->check(pos);
  c->add_option("--features", o.features,
                "feature-space drift: an encoder.pt from `drift-train encoder` (its SHA-256 is recorded; --resume insists on it)");
  c->add_option("--feature-gen", o.feature_gen, "generated samples per group that enter the feature keys")
      ->capture_default_str()->check(pos);
  c->add_option("--feature-pos", o.feature_pos, "positives per group that enter the feature keys")
      ->capture_default_str()->check(pos);
  c->add_option("--feature-uncond", o.feature_uncond, "unconditional reals per group that enter the feature keys")->capture_default_str()->check(nonneg);
  c->add_option("--feature-max-locations", o.feature_max_locations,
                "per-location and per-patch keys only with at most this many locations or patches per stage (784 = all; 49 = the cheaper set)")
      ->capture_default_str()->check(nonneg);
  c->add_option("--feature-weight", o.feature_weight, "weight of the summed feature-key losses")->capture_default_str()
      ->check(nonneg);
  c->add_flag("--no-eval", a->no_eval, "skip the final quick eval and export");
  c->add_option("--dist-timeout", o.dist_timeout,
                "several processes (torchrun): seconds to wait for the other ranks before exiting with an error")
      ->capture_default_str()->check(pos);
  c->add_option("--resume", a->resume, "continue the run in RUN_DIR from its latest checkpoint");
  c->callback([a] {
    auto& o = a->o;
    if (a->resume.empty() && o.out.empty()) throw std::runtime_error("train: --out RUN_DIR is required (or --resume RUN_DIR)");
    o.final_eval = !a->no_eval;
    o.workers = a->workers == "auto" ? 0 : std::stoi(a->workers);
    o.command = own_command_line();
    drift::train::install_interrupt_handler();
    auto r = drift::train::run_training(o, a->resume);
    if (r.interrupted) std::exit(130);
    if (!r.main_process) return;  // ranks > 0 of several processes stay silent
    std::printf("%s\n", nlohmann::json{{"step", r.step}, {"checkpoint", r.final_checkpoint},
                                       {"wall_s", r.wall_s}, {"steps_per_s", r.steps_per_s}, {"last", r.last}}
                            .dump()
                            .c_str());
  });
}
DRIFT_REGISTER_COMMAND(add_train);
}  // namespace
