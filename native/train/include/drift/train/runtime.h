// Where and how training runs: the torch device, CPU threads, and the SIGINT flag that makes
// the loop checkpoint and stop.
#pragma once
#include <torch/torch.h>

#include "drift/train/options.h"

namespace drift::train {

// auto -> CUDA if this LibTorch and machine have it, else CPU; cuda without CUDA -> error.
torch::Device pick_device(Device d);

// LibTorch's intra-op pool and OpenBLAS's own pool (which ignores torch::set_num_threads).
void set_cpu_threads(int n);

// With LibTorch 2.x, oneDNN is off: the CPU ops it served (convolutions among them) run
// LibTorch's own kernels. Debian 13's 2.6 (oneDNN 3.7.2) gave non-finite results now and then
// on an AMD EPYC with AVX-512 (docs/portability.md). LibTorch 1.x (Debian 12) is left alone, so its runs stay bit for bit.
// pick_device calls it; so does drift-train's main, for the commands that pick no device.
void use_reliable_cpu_kernels();

void install_interrupt_handler();
bool interrupt_requested();
void request_interrupt();  // what the handler does (tests call it directly)
void clear_interrupt();

}  // namespace drift::train
