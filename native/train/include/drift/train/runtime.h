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

void install_interrupt_handler();
bool interrupt_requested();
void request_interrupt();  // what the handler does (tests call it directly)
void clear_interrupt();

}  // namespace drift::train
