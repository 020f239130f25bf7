// Exponential moving average of generator weights (the weights that get sampled/exported).
// The update itself, ema <- decay * ema + (1 - decay) * param, is fused into FusedAdamW::step.
#pragma once
#include <cstdint>

namespace drift::train {

// Decay used after `step` optimiser steps: min(max_decay, (1 + step) / (10 + step)).
// A fixed 0.999 keeps 37% of the random initial weights after 1000 steps and made every
// early snapshot and short run look far worse than the weights being trained
// (docs/training.md, "EMA warm-up"); the warm-up lets the average follow early training.
double ema_decay(double max_decay, int64_t step);

}  // namespace drift::train
