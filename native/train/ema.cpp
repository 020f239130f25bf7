#include "train/ema.h"

namespace drift::train {

void ema_update(models::Generator& ema, const models::Generator& model, double decay) {
  torch::NoGradGuard ng;
  auto e = ema->parameters();
  auto m = model->parameters();
  for (size_t i = 0; i < e.size(); ++i) e[i].mul_(decay).add_(m[i].detach(), 1.0 - decay);
}

}  // namespace drift::train
