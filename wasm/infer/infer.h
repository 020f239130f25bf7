// drift-infer subcommands: each infer_*.cpp registers one with DRIFT_INFER_COMMAND.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drift/core/model.h"

namespace drift::infer {

using Registrar = std::function<void(CLI::App&)>;
inline std::vector<Registrar>& registrars() {
  static std::vector<Registrar> all;
  return all;
}
struct AutoRegister {
  explicit AutoRegister(Registrar r) { registrars().push_back(std::move(r)); }
};

// Loads PATH (and its bin) or throws std::runtime_error with the loader's one line.
std::unique_ptr<core::Model> load_or_throw(const std::string& path);

// "0,1,2" -> {0,1,2}; throws "--labels: ..." on anything else.
std::vector<int> parse_int_list(const std::string& s, const std::string& what);

}  // namespace drift::infer

#define DRIFT_INFER_CONCAT2(a, b) a##b
#define DRIFT_INFER_CONCAT(a, b) DRIFT_INFER_CONCAT2(a, b)
#define DRIFT_INFER_COMMAND(fn) \
  static ::drift::infer::AutoRegister DRIFT_INFER_CONCAT(drift_infer_reg_, __LINE__){fn}
