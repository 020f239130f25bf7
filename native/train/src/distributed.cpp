// c10d process group for several training processes: TCPStore + Gloo (CPU) or NCCL (CUDA).
#include "drift/train/distributed.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "torch_compat.h"

#include <chrono>
#include <cstdlib>
#include <stdexcept>

// Debian's LibTorch declares USE_C10D_GLOO, but ProcessGroupGloo.hpp also needs Gloo's own
// headers (Debian: libgloo-dev; scripts/setup.sh installs it).
#if defined(USE_C10D_GLOO) && __has_include(<gloo/algorithm.h>)
#define DRIFT_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(USE_C10D_NCCL)
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace drift::train {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The variable as an integer in [lo, hi), or fallback when unset/empty and allowed.
int env_int(const char* name, int lo, int hi, const int* fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) {
    if (fallback) return *fallback;
    throw std::runtime_error(std::string("distributed: WORLD_SIZE > 1 but ") + name + " is not set");
  }
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end || x < lo || x >= hi)
    throw std::runtime_error(std::string("distributed: ") + name + "='" + v + "' is not an integer in [" +
                             std::to_string(lo) + ", " + std::to_string(hi) + ")");
  return int(x);
}

// First line of an exception's message, without c10's backtrace.
std::string first_line(const std::exception& e) {
  const auto* ce = dynamic_cast<const c10::Error*>(&e);
  std::string m = ce ? ce->what_without_backtrace() : e.what();
  const auto nl = m.find('\n');
  if (nl != std::string::npos) m.resize(nl);
  return m;
}

}  // namespace

DistEnv dist_env_from_environment() {
  DistEnv e;
  const int one = 1;
  e.world = env_int("WORLD_SIZE", 1, 1 << 20, &one);
  if (e.world == 1) return e;
  e.rank = env_int("RANK", 0, e.world, nullptr);
  const int zero = 0;
  e.local_rank = env_int("LOCAL_RANK", 0, e.world, &zero);
  e.local_world = env_int("LOCAL_WORLD_SIZE", 1, e.world + 1, &e.world);
  const char* addr = std::getenv("MASTER_ADDR");
  if (!addr || !*addr) throw std::runtime_error("distributed: WORLD_SIZE > 1 but MASTER_ADDR is not set");
  e.master_addr = addr;
  e.master_port = env_int("MASTER_PORT", 1, 65536, nullptr);
  const char* agent = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
  e.agent_store = agent && std::string(agent) == "True";
  return e;
}

Shard shard_groups(int64_t B, int rank, int world) {
  Shard s;
  if (world <= B) {
    for (int64_t g = rank; g < B; g += world) s.groups.push_back(g);
    s.total_groups = B;
  } else {
    s.groups.push_back(rank % B);
    s.replica = rank / B;
    s.total_groups = world;
  }
  return s;
}

uint64_t replica_seed(uint64_t seed, int64_t replica, int64_t step) {
  // splitmix64 over (seed, replica, step): unrelated streams for nearby inputs.
  uint64_t z = seed ^ (uint64_t(replica) * 0x9E3779B97F4A7C15ULL) ^ (uint64_t(step) * 0xD1B54A32D192ED03ULL);
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Distributed::Distributed(const DistEnv& env, torch::Device device, double timeout_s)
    : env_(env), device_(device), timeout_s_(timeout_s) {
  const auto timeout = std::chrono::milliseconds(int64_t(timeout_s * 1000));
  const std::string where = "distributed: rank " + std::to_string(env.rank) + " of " + std::to_string(env.world);
  try {
    // Rank 0 hosts the store and the others connect to it (retrying until the timeout), unless
    // torchrun's agent already hosts it: then all are clients.
    c10d::TCPStoreOptions so;
    so.port = uint16_t(env.master_port);
    so.isServer = env.rank == 0 && !env.agent_store;
    so.numWorkers = size_t(env.world);
    so.waitWorkers = true;  // clients too: each one counts itself in, which the server waits for
    so.timeout = timeout;
    compat::use_classic_tcpstore(so);
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    if (device.is_cuda()) {
#if defined(USE_C10D_NCCL)
      c10::cuda::set_device(device.index());
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl", store),
                                                            env.rank, env.world, opts);
      allreduce_ = [pg](std::vector<at::Tensor>& t) { pg->allreduce(t)->wait(); };
      backend_ = "nccl";
#endif
    }
    if (!allreduce_) {
#if defined(DRIFT_HAVE_GLOO)
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      // GLOO_SOCKET_IFNAME picks the interface as in PyTorch; loopback for a local master
      // (one machine); otherwise the address this machine's hostname resolves to.
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname)
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (env.master_addr == "127.0.0.1" || env.master_addr == "localhost")
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      opts->threads = 1;  // one collective at a time: one worker thread is enough
      auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", store),
                                                            env.rank, env.world, opts);
      allreduce_ = [pg](std::vector<at::Tensor>& t) { pg->allreduce(t)->wait(); };
      backend_ = "gloo";
#else
      throw std::runtime_error("this LibTorch build has no Gloo backend (or its gloo/ headers were missing at build time)");
#endif
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(where + ": joining the group at " + env.master_addr + ":" +
                             std::to_string(env.master_port) + " failed within --dist-timeout " +
                             std::to_string(int64_t(timeout_s)) + " s: " + first_line(e));
  }
}

Distributed::~Distributed() = default;

void Distributed::all_reduce(torch::Tensor& t, const char* what) {
  const double t0 = now_s();
  try {
    std::vector<at::Tensor> ts{t};
    allreduce_(ts);
  } catch (const std::exception& e) {
    throw std::runtime_error("distributed: rank " + std::to_string(env_.rank) + " of " + std::to_string(env_.world) +
                             ": all-reduce of the " + what + " failed (another rank exited, or none answered within " +
                             "--dist-timeout " + std::to_string(int64_t(timeout_s_)) + " s): " + first_line(e));
  }
  coll_s_ += now_s() - t0;
}

void Distributed::sum(std::vector<double>& values) {
  auto t = torch::tensor(values, torch::dtype(torch::kDouble)).to(device_);
  all_reduce(t, "scalars");
  t = t.cpu();
  for (size_t i = 0; i < values.size(); ++i) values[i] = t[int64_t(i)].item<double>();
}

void Distributed::sum_gradients(const std::vector<torch::Tensor>& params, std::vector<double>& extra) {
  std::vector<torch::Tensor> parts;
  parts.reserve(params.size() + 1);
  for (const auto& p : params) parts.push_back(p.grad().defined() ? p.grad().reshape(-1) : torch::zeros({p.numel()}, p.options()));
  const auto fopt = params.empty() ? torch::TensorOptions().device(device_) : params.front().options();
  parts.push_back(torch::tensor(std::vector<float>(extra.begin(), extra.end())).to(fopt));
  torch::Tensor buf = torch::cat(parts);
  all_reduce(buf, "gradients");
  int64_t off = 0;
  for (const auto& p : params) {
    p.mutable_grad() = buf.narrow(0, off, p.numel()).view(p.sizes());
    off += p.numel();
  }
  const auto tail = buf.narrow(0, off, int64_t(extra.size())).to(torch::kCPU, torch::kDouble);
  for (size_t i = 0; i < extra.size(); ++i) extra[i] = tail[int64_t(i)].item<double>();
}

}  // namespace drift::train
