#include "drift/train/ema.h"

#include <algorithm>

namespace drift::train {

double ema_decay(double max_decay, int64_t step) {
  return std::min(max_decay, double(1 + step) / double(10 + step));
}

}  // namespace drift::train
