// drift-train: thin CLI over the trainer libraries. Subcommands live in cmd_*.cpp.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <unistd.h>
#include "drift/train/runtime.h"
#include "registry.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {
// A training step allocates and frees the same few multi-MB activation buffers every time.
// glibc serves blocks above its mmap threshold with fresh mmaps and returns them on free, so
// each step paid thousands of page faults (2.0 s of system time per 80 mlpconv steps).
// Keeping such blocks in the heap makes them reusable: 0.13 s (docs/training.md, "Speed").
void keep_freed_buffers_in_heap() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest allowed threshold on 64-bit
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
// After each GEMM, OpenBLAS's idle worker threads spin on sched_yield for 2^28 cycles
// (OPENBLAS_THREAD_TIMEOUT=28). With LibTorch's own threads on the same cores that is a third of
// all CPU time spent in the kernel (MNIST, 150 steps on 2 cores: 19.7 s system of 62 s), and
// under any outside load the yields hand the cores away (steps/s fell 0.70 -> 1.22 with the
// fix). Timeout 4 (2^4 cycles) lets them sleep at once: 2.7 s system, same steps/s when quiet.
// OpenBLAS reads the variable only when it loads, so set it and restart this process once.
void quiet_openblas_workers(char** argv) {
  if (std::getenv("OPENBLAS_THREAD_TIMEOUT")) return;  // the user's choice, or already restarted
  setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
  execv("/proc/self/exe", argv);  // returns only on failure: then run on with the default
}
}  // namespace

int main(int argc, char** argv) {
  quiet_openblas_workers(argv);
  keep_freed_buffers_in_heap();
  drift::train::use_reliable_cpu_kernels();
  CLI::App app{"drift-train: train, sample, evaluate and export Drifting Models"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  for (auto& add : drift::cli::registrars()) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; a bad flag or value is one line from CLI11 and exit status 2.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // Library errors are one line that names the file and the problem.
    std::fprintf(stderr, "drift-train: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
