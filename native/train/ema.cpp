#include "train/ema.h"

#include <algorithm>

namespace drift::train {

double ema_decay(double max_decay, int64_t step) {
  return std::min(max_decay, double(1 + step) / double(10 + step));
}

void ema_update(models::Generator& ema, const models::Generator& model, double decay) {
  torch::NoGradGuard ng;
  auto e = ema->parameters();
  auto m = model->parameters();
  for (size_t i = 0; i < e.size(); ++i) e[i].mul_(decay).add_(m[i].detach(), 1.0 - decay);
}

}  // namespace drift::train
