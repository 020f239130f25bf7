// Training checkpoints: RUN_DIR/ckpt_<step>.pt and RUN_DIR/model_final.pt. A superset of the
// snapshot format in models/generator.h (so load_checkpoint reads them too): config, step,
// ema, plus model weights, optimizer state, sampler RNG state and the options JSON.
#pragma once
#include <string>

#include "drift/features/disc_key.h"
#include "drift/models/generator.h"
#include "drift/train/fused_adamw.h"
#include "drift/train/options.h"

namespace drift::train {

struct TrainState {
  models::Generator model{nullptr}, ema{nullptr};
  std::unique_ptr<FusedAdamW> optim;  // clip + AdamW + EMA in one pass (fused_adamw.h)
  at::Generator rng;  // the one CPU stream all training randomness comes from
  int64_t step = 0;
  double wall_s = 0;  // training seconds so far (over resumes)
  // --disc-key-dim > 0: the online key (owned by the trainer); its W and AdamW moments are
  // saved under "disc_key" and must be there to resume.
  features::DiscKey* disc_key = nullptr;
};

// Atomic (temp + rename).
void save_train_checkpoint(const std::string& path, const TrainState& st, const TrainOptions& opt);

// Loads weights, optimizer and RNG state into an already constructed st (same config).
// Returns the options stored in the file. Throws "PATH: problem".
TrainOptions load_train_checkpoint(const std::string& path, TrainState& st);

// Reads only the options stored in a checkpoint.
TrainOptions read_checkpoint_options(const std::string& path);

// The checkpoint with the highest step in RUN_DIR (ckpt_*.pt or model_final.pt), or throws
// "RUN_DIR: no checkpoint to resume from".
std::string latest_checkpoint(const std::string& run_dir);

// What `--resume RUN_DIR` continues from: the latest checkpoint, or "" for a run stopped
// before its first checkpoint (RUN_DIR holds options.json but no checkpoint): that run starts
// again from step 0 with *stored (the same seed, so it trains what it would have).
// Throws "RUN_DIR: problem" when RUN_DIR holds neither.
std::string resume_point(const std::string& run_dir, TrainOptions* stored);

// A new run (no --resume) never writes into another run's folder: throws
// "OUT: holds another run (...); continue it with --resume OUT or choose another --out" when
// OUT has options.json or a checkpoint.
void check_new_run_dir(const std::string& out);

}  // namespace drift::train
