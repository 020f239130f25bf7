#include "drift/train/runtime.h"

#include <atomic>
#include <csignal>
#include <dlfcn.h>
#include <stdexcept>

#include <torch/version.h>

namespace drift::train {

namespace {
std::atomic<bool> g_interrupt{false};
extern "C" void on_sigint(int) { g_interrupt.store(true); }
}  // namespace

void use_reliable_cpu_kernels() {
#if TORCH_VERSION_MAJOR >= 2
  at::globalContext().setUserEnabledMkldnn(false);
#endif
}

torch::Device pick_device(Device d) {
  use_reliable_cpu_kernels();
  if (d == Device::cpu) return torch::kCPU;
  if (d == Device::cuda) {
    if (!torch::cuda::is_available())
      throw std::runtime_error("--device cuda: CUDA is not available in this LibTorch build/machine");
    return torch::kCUDA;
  }
  return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

void set_cpu_threads(int n) {
  torch::set_num_threads(n);
  // Without this, `--threads 1` still ran OpenBLAS's GEMMs on one thread per core.
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(n);
}

void install_interrupt_handler() { std::signal(SIGINT, on_sigint); }
bool interrupt_requested() { return g_interrupt.load(); }
void request_interrupt() { g_interrupt.store(true); }
void clear_interrupt() { g_interrupt.store(false); }

}  // namespace drift::train
