// The training loop of `drift-train train` (docs/training.md).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "train/options.h"

namespace drift::train {

struct TrainResult {
  int64_t step = 0;             // last completed step
  bool interrupted = false;     // stopped by SIGINT (a checkpoint was written)
  std::string final_checkpoint; // model_final.pt, or the interrupt checkpoint
  double wall_s = 0;            // training seconds (this process)
  double steps_per_s = 0;
  nlohmann::json last;          // last logged scalars (loss, force, diversity, ...)
  nlohmann::json eval;          // quick eval result (when run)
};

// Fills defaults that depend on the dataset (steps, batch, lr, ...) in place.
void resolve_defaults(TrainOptions& opt, bool toy, int64_t num_classes, int64_t dataset_size);

// LR at a step: linear warmup, then constant or cosine decay to 10% of lr at opt.steps.
double learning_rate(const TrainOptions& opt, int64_t step);

// Trains (or resumes when resume_dir is non-empty: options come from its latest checkpoint,
// and overrides.steps > 0 extends the run). Throws std::runtime_error with one clear line
// (bad data path, non-finite loss with the last good checkpoint named, ...).
TrainResult run_training(TrainOptions opt, const std::string& resume_dir = "");

// Installs/removes the SIGINT handler that makes the loop checkpoint and stop.
void install_interrupt_handler();
bool interrupt_requested();
void request_interrupt();  // what the handler does (tests call it directly)

// "auto" -> cuda if available else cpu; "cuda" without CUDA -> error.
torch::Device pick_device(const std::string& name);

}  // namespace drift::train
