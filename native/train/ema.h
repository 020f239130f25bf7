// Exponential moving average of generator weights (the weights that get sampled/exported).
#pragma once
#include "models/generator.h"

namespace drift::train {

// ema <- decay * ema + (1 - decay) * model, parameters and buffers alike.
void ema_update(models::Generator& ema, const models::Generator& model, double decay);

}  // namespace drift::train
