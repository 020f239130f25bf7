// Local ranks started by drift-train itself (local_workers.h).
#include "drift/train/local_workers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace drift::train {

namespace {

// A loopback port nobody listens on now (the kernel's pick for port 0). Another process could
// take it before rank 0's store binds it; torchrun --standalone lives with the same race.
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("--workers: cannot open a socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) throw std::runtime_error(std::string("--workers: no free loopback port: ") + std::strerror(err));
  return ntohs(a.sin_port);
}

std::vector<std::string> own_argv() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (std::size_t pos = 0; pos < all.size();) {
    const std::size_t end = all.find('\0', pos);
    args.push_back(all.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  if (args.empty()) throw std::runtime_error("--workers: /proc/self/cmdline is empty");
  return args;
}

// This process's environment with `set` replacing variables of the same name.
std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& set) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const std::string name = kv.substr(0, kv.find('='));
    if (std::none_of(set.begin(), set.end(), [&](const auto& p) { return p.first == name; })) env.push_back(kv);
  }
  for (const auto& [k, v] : set) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, int(std::thread::hardware_concurrency()));
}

WorkerPlan plan_workers(int requested, int threads, int64_t groups, bool cuda, bool launched, int local_world,
                        int cores) {
  WorkerPlan p;
  if (launched || cuda) {
    p.workers = 1;
  } else if (requested > 0) {
    p.workers = requested;
  } else {
    p.workers = int(std::max<int64_t>(1, std::min<int64_t>(cores, std::max<int64_t>(groups, 1))));
  }
  const int on_this_machine = launched ? std::max(local_world, 1) : p.workers;
  p.threads = threads > 0 ? threads : (on_this_machine > 1 ? std::max(1, cores / on_this_machine) : 0);
  return p;
}

LocalWorkers::LocalWorkers(int workers, int threads_each) {
  const std::string port = std::to_string(free_loopback_port());
  const std::string world = std::to_string(workers), threads = std::to_string(std::max(threads_each, 1));
  auto args = own_argv();
  auto argv = c_strings(args);
  const pid_t parent = ::getpid();
  for (int r = 1; r < workers; ++r) {
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    auto env = environment_with({{"RANK", std::to_string(r)}, {"LOCAL_RANK", std::to_string(r)},
                                 {"WORLD_SIZE", world}, {"LOCAL_WORLD_SIZE", world},
                                 {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port},
                                 {"OMP_NUM_THREADS", threads}, {"OPENBLAS_NUM_THREADS", threads}});
    auto envp = c_strings(env);
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      stop();
      throw std::runtime_error("--workers: cannot start worker " + std::to_string(r) + ": " + std::strerror(err));
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);  // the run died before the line above
      ::execve("/proc/self/exe", argv.data(), envp.data());
      ::_exit(127);
    }
    pids_.push_back(pid);
  }
  // This process is rank 0 (Trainer reads torchrun's variables through dist_env_from_environment).
  for (const auto& [k, v] : std::vector<std::pair<const char*, std::string>>{
           {"RANK", "0"}, {"LOCAL_RANK", "0"}, {"WORLD_SIZE", world}, {"LOCAL_WORLD_SIZE", world},
           {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port}})
    ::setenv(k, v.c_str(), 1);
}

void LocalWorkers::wait(int ok_status) {
  std::string failed;
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    int status = 0;
    while (::waitpid(pids_[i], &status, 0) < 0 && errno == EINTR) {
    }
    const bool ok = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == ok_status);
    if (failed.empty() && !ok)
      failed = "--workers: worker " + std::to_string(i + 1) + " (pid " + std::to_string(pids_[i]) + ") " +
               describe_status(status);
  }
  pids_.clear();
  if (!failed.empty()) throw std::runtime_error(failed);
}

LocalWorkers::~LocalWorkers() { stop(); }

void LocalWorkers::stop() {
  for (pid_t p : pids_) ::kill(p, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (pid_t p : pids_) {
    int status = 0;
    while (::waitpid(p, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(p, SIGKILL);
        ::waitpid(p, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  pids_.clear();
  for (const char* k : {"RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"})
    ::unsetenv(k);
}

}  // namespace drift::train
