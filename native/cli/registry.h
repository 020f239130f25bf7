// Subcommand registry: each cmd_<name>.cpp registers itself, so adding a subcommand never
// edits a shared list. main.cpp builds the CLI11 app from whatever registered.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace drift::cli {

// A registrar adds one subcommand (with its options and callback) to the app.
using Registrar = std::function<void(CLI::App& app)>;

inline std::vector<Registrar>& registrars() {
  static std::vector<Registrar> all;
  return all;
}

struct AutoRegister {
  explicit AutoRegister(Registrar r) { registrars().push_back(std::move(r)); }
};

}  // namespace drift::cli

#define DRIFT_CLI_CONCAT2(a, b) a##b
#define DRIFT_CLI_CONCAT(a, b) DRIFT_CLI_CONCAT2(a, b)
// DRIFT_REGISTER_COMMAND(fn): fn is void(CLI::App&), adding one subcommand.
#define DRIFT_REGISTER_COMMAND(fn) \
  static ::drift::cli::AutoRegister DRIFT_CLI_CONCAT(drift_cli_reg_, __LINE__){fn}
