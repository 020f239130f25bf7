// Several training processes on torch.distributed's c10d (docs/training.md, "Several
// processes"): a TCPStore hosted by rank 0 at MASTER_ADDR:MASTER_PORT, then Gloo on the CPU
// or NCCL on CUDA (when this LibTorch has it). Launched by torchrun, Slurm or by hand through
// torchrun's variables; with WORLD_SIZE unset (or 1) none of this runs.
#pragma once
#include <torch/torch.h>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace drift::train {

// torchrun's variables: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT.
struct DistEnv {
  int rank = 0, world = 1, local_rank = 0, local_world = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // torchrun with its default (static) rendezvous already serves the TCPStore at
  // MASTER_ADDR:MASTER_PORT, a new one for each restart, and says so with
  // TORCHELASTIC_USE_AGENT_STORE=True: every rank is then a client (as in PyTorch's env://).
  bool agent_store = false;
  bool active() const { return world > 1; }
};

// world = 1 when WORLD_SIZE is unset, empty or 1. A malformed or missing variable otherwise
// throws one line: "distributed: RANK='x' is not an integer in [0, 2)".
DistEnv dist_env_from_environment();

// Which class groups of a step a rank trains.
//   W <= B: rank r takes groups r, r+W, r+2W, ... of the one batch (exactly 1 process's step);
//   W > B: rank r takes group r mod B of replica r / B; replica k > 0 draws its own batch
//   from a stream seeded by (seed, k, step), so the step has W groups in all.
struct Shard {
  std::vector<int64_t> groups;  // this rank's groups, increasing
  int64_t replica = 0;          // 0: the run's own stream (the one checkpoints store)
  int64_t total_groups = 0;     // groups of the step over all ranks: B, or W when W > B
};
Shard shard_groups(int64_t num_groups, int rank, int world);

// The seed of replica k's stream at a step (k > 0; replica 0 uses the run's stream).
uint64_t replica_seed(uint64_t seed, int64_t replica, int64_t step);

class Distributed {
 public:
  // Joins the process group; every collective (and the join itself) fails after timeout_s
  // seconds without progress. Errors are one line naming this rank.
  Distributed(const DistEnv& env, torch::Device device, double timeout_s);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return env_.rank; }
  int world() const { return env_.world; }
  bool is_main() const { return env_.rank == 0; }
  const std::string& backend() const { return backend_; }

  // Sums over all ranks, in place (a few scalars; float64).
  void sum(std::vector<double>& values);
  // Sums the gradients of params over all ranks in one all-reduce of one flat buffer, with
  // extra (a few scalars, summed as float32) appended; afterwards each gradient is a view of
  // the summed buffer. A parameter without a gradient contributes zeros.
  void sum_gradients(const std::vector<torch::Tensor>& params, std::vector<double>& extra);

  double collective_seconds() const { return coll_s_; }  // time spent in collectives so far

 private:
  void all_reduce(torch::Tensor& t, const char* what);
  DistEnv env_;
  torch::Device device_;
  double timeout_s_;
  std::string backend_;
  std::function<void(std::vector<at::Tensor>&)> allreduce_;  // holds the store and the group
  double coll_s_ = 0;
};

}  // namespace drift::train
