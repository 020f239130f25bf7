// drift-train encoder: train the feature encoder of feature-space drift, a small masked
// autoencoder, on a dataset's training images without labels (docs/training.md).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "registry.h"
#include "validators.h"
#include "drift/train/encoder_training.h"
#include "drift/train/runtime.h"

namespace {

void add_encoder(CLI::App& app) {
  struct Args {
    drift::train::EncoderTrainOptions o;
    std::string resume;
  };
  auto a = std::make_shared<Args>();
  auto& o = a->o;
  auto* c = app.add_subcommand("encoder", "Train the feature encoder for `train --features` (masked autoencoder, no labels)");
  const auto pos = drift::cli::finite_positive(), nonneg = drift::cli::finite_non_negative();
  c->add_option("--dataset", o.dataset, "mnist | fashion-mnist | idx:DIR")->capture_default_str();
  c->add_option("--data-dir,--data_dir", o.data_dir, "folder holding mnist/ and fashion-mnist/")->capture_default_str();
  c->add_option("--out", o.out, "encoder directory: encoder.pt, encoder_ckpt.pt, metrics.jsonl, tb/");
  c->add_option("--steps", o.steps, "training steps (default 1500)")->check(pos);
  c->add_option("--batch", o.batch, "images per step")->capture_default_str()->check(pos);
  c->add_option("--lr", o.lr, "Adam learning rate (after a 100-step linear warmup)")->capture_default_str()->check(pos);
  c->add_option("--mask-ratio", o.mask_ratio, "fraction of 2x2 patches masked")->capture_default_str()
      ->check(drift::cli::finite_range(0.0, 1.0, true));
  c->add_option("--seed", o.seed, "seed of initialisation, batches and masks")->capture_default_str();
  c->add_option("--threads", o.threads, "CPU threads (0 = LibTorch default)")->capture_default_str()->check(nonneg);
  c->add_option("--ckpt-every", o.ckpt_every, "write encoder_ckpt.pt every N steps (0 = only at the end)")
      ->capture_default_str()->check(nonneg);
  c->add_option("--log-every", o.log_every, "log scalars every N steps")->capture_default_str()->check(pos);
  c->add_option("--device", o.device, "where to train (default auto: CUDA when present)")
      ->transform(CLI::CheckedTransformer(drift::train::device_names(), CLI::ignore_case));
  c->add_option("--resume", a->resume, "continue the encoder run in ENC_DIR from encoder_ckpt.pt");
  c->callback([a] {
    drift::train::install_interrupt_handler();
    auto r = drift::train::train_encoder(a->o, a->resume);
    if (r.interrupted) std::exit(130);
    std::printf("%s\n", nlohmann::json{{"step", r.step}, {"encoder", r.encoder_path}, {"sha256", r.sha256},
                                       {"masked_l2", r.loss}, {"wall_s", r.wall_s}}
                            .dump()
                            .c_str());
  });
}
DRIFT_REGISTER_COMMAND(add_encoder);
}  // namespace
