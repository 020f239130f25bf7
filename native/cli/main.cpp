// drift-train: thin CLI over the trainer libraries. Subcommands live in cmd_*.cpp.
#include <cstdio>
#include <exception>
#include "registry.h"

int main(int argc, char** argv) {
  CLI::App app{"drift-train: train, sample, evaluate and export Drifting Models"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  for (auto& add : drift::cli::registrars()) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Library errors are one line that names the file and the problem.
    std::fprintf(stderr, "drift-train: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
