// Every core in one run (docs/training.md, "Workers"): `drift-train train --workers N` starts
// N - 1 copies of its own command as local ranks on loopback and becomes rank 0 itself, as
// `torchrun --standalone --nproc_per_node N` would. The class groups of each step are sharded
// over the ranks exactly as for ranks started by hand (distributed.h), so N workers train the
// same run as N ranks.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace drift::train {

// The cores this process may run on (its CPU affinity mask; at least 1).
int usable_cores();

// How a run uses the cores: worker processes and the CPU threads of each.
struct WorkerPlan {
  int workers = 1;
  int threads = 0;  // per worker; 0 = LibTorch's default (one worker only)
};

// requested: 0 = auto (one worker per usable core, capped by the step's class groups); on CUDA
// or under a launcher that already set WORLD_SIZE (torchrun) a process is one worker.
// threads: 0 = the default, which never oversubscribes: cores / workers each (at least 1) when
// there are several workers on this machine (local_world, LOCAL_WORLD_SIZE under torchrun).
// An explicit --threads is kept as given.
WorkerPlan plan_workers(int requested, int threads, int64_t groups, bool cuda, bool launched, int local_world,
                        int cores);

// Starts workers - 1 copies of this process's command line (/proc/self/exe, /proc/self/cmdline)
// with torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT: a free loopback port) and OMP/OpenBLAS thread counts in their environment, so
// their libraries load with them; then sets RANK=0 and the rest in this process. Each child dies
// with this process (PR_SET_PDEATHSIG), so a SIGKILL of the run leaves no orphan rank behind.
class LocalWorkers {
 public:
  LocalWorkers(int workers, int threads_each);
  ~LocalWorkers();  // stops (SIGTERM, then SIGKILL) and reaps any worker still running
  LocalWorkers(const LocalWorkers&) = delete;
  LocalWorkers& operator=(const LocalWorkers&) = delete;

  // Waits for every worker; throws one line naming the first that failed and how (an exit
  // status of 0 or ok_status counts as success: 130 when the run was interrupted).
  void wait(int ok_status = 0);

 private:
  void stop();  // SIGTERM, SIGKILL after 3 s, reap; unsets this process's rank variables
  std::vector<pid_t> pids_;
};

}  // namespace drift::train
