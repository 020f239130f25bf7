// drift-infer: run exported drift models (docs/weights-format.md) on the Eigen core.
#include <cstdio>
#include <exception>
#include <stdexcept>

#include "infer.h"

namespace drift::infer {

std::unique_ptr<core::Model> load_or_throw(const std::string& path) {
  std::string err;
  auto m = core::load_model_file(path, &err);
  if (!m) throw std::runtime_error(err);
  return m;
}

std::vector<int> parse_int_list(const std::string& s, const std::string& what) {
  std::vector<int> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    const std::string item = s.substr(pos, comma - pos);
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < -(1L << 30) || v > (1L << 30))
      throw std::runtime_error(what + ": '" + item + "' is not an integer (expected e.g. 0,1,2)");
    out.push_back(int(v));
    pos = comma + 1;
  }
  return out;
}

}  // namespace drift::infer

int main(int argc, char** argv) {
  CLI::App app{"drift-infer: sample from exported drift models with the Eigen core"};
  app.require_subcommand(1);
  for (auto& add : drift::infer::registrars()) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "drift-infer: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
