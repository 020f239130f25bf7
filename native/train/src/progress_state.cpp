#include "drift/train/progress_state.h"

#include <mutex>

namespace drift::train {

void write_progress(torch::serialize::OutputArchive& ar, int64_t step, double wall_s, at::Generator rng) {
  ar.write("step", torch::tensor(step, torch::kLong));
  ar.write("wall_s", torch::tensor(wall_s, torch::kDouble));
  torch::Tensor state;
  {
    std::lock_guard<std::mutex> lock(rng.mutex());  // at::Generator is shared: get_state under its lock
    state = rng.get_state();
  }
  ar.write("rng", state);
}

bool read_progress(torch::serialize::InputArchive& ar, int64_t& step, double& wall_s, at::Generator rng) {
  torch::Tensor s, w, state;
  if (!ar.try_read("step", s) || !ar.try_read("rng", state)) return false;
  step = s.item<int64_t>();
  if (ar.try_read("wall_s", w)) wall_s = w.item<double>();
  std::lock_guard<std::mutex> lock(rng.mutex());
  rng.set_state(state);
  return true;
}

}  // namespace drift::train
