// What every training loop's checkpoint holds besides weights and optimizer: the step, the
// training seconds so far and the state of the one RNG stream its randomness comes from.
// The trainer's and the encoder's checkpoints share it, so both resume the same way.
#pragma once
#include <torch/torch.h>

namespace drift::train {

// Writes "step" (int64), "wall_s" (double) and "rng" (the generator's state) into ar.
void write_progress(torch::serialize::OutputArchive& ar, int64_t step, double wall_s, at::Generator rng);

// Reads them back into step, wall_s and rng. False when "step" or "rng" is missing; "wall_s"
// is optional (files written before it was recorded keep the caller's value).
bool read_progress(torch::serialize::InputArchive& ar, int64_t& step, double& wall_s, at::Generator rng);

}  // namespace drift::train
