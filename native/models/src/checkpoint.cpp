// Reading checkpoints/snapshots and writing snapshots (format in generator.h).
#include <filesystem>
#include <stdexcept>

#include "drift/core/atomic_file.h"
#include "drift/models/generator.h"

namespace drift::models {

LoadedModel load_checkpoint(const std::string& path, const std::string& weights) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": no such file");
  LoadedModel out;
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path, torch::kCPU);
    c10::IValue cfg_iv;
    if (!ar.try_read("config", cfg_iv) || !cfg_iv.isString())
      throw std::runtime_error("not a drift checkpoint (no 'config' entry)");
    out.config = nlohmann::json::parse(cfg_iv.toStringRef()).get<GeneratorConfig>();
    torch::Tensor step;
    if (ar.try_read("step", step)) out.step = step.item<int64_t>();
    torch::Tensor wall;
    if (ar.try_read("wall_s", wall)) out.wall_s = wall.item<double>();
    out.ema = Generator(out.config);
    torch::serialize::InputArchive ema;
    if (weights != "ema" && weights != "raw")
      throw std::runtime_error("weights '" + weights + "': expected ema or raw");
    const char* entry = weights == "raw" ? "model" : "ema";
    if (!ar.try_read(entry, ema))
      throw std::runtime_error(weights == "raw" ? "no raw weights (snapshots hold only EMA weights)"
                                                : "not a drift checkpoint (no 'ema' weights)");
    out.ema->load(ema);
    out.ema->eval();
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read checkpoint: " + e.what_without_backtrace());
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": bad config JSON: " + e.what());
  }
  return out;
}

void save_snapshot(const std::string& path, const Generator& ema, int64_t step) {
  torch::serialize::OutputArchive ar;
  ar.write("config", c10::IValue(nlohmann::json(ema->config()).dump()));
  ar.write("step", torch::tensor(step, torch::kLong));
  torch::serialize::OutputArchive sub;
  ema->save(sub);
  ar.write("ema", sub);
  save_archive_atomic(ar, path, "snapshot");
}

void save_archive_atomic(torch::serialize::OutputArchive& ar, const std::string& path, const std::string& what) {
  std::string bytes;
  try {
    ar.save_to([&bytes](const void* data, size_t n) -> size_t {
      bytes.append(static_cast<const char*>(data), n);
      return n;
    });
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot write " + what + ": " + e.what_without_backtrace());
  }
  try {
    core::write_file_atomic(path, bytes);
  } catch (const std::runtime_error& e) {
    // "PATH: write failed (...)" -> "PATH: cannot write WHAT: write failed (...)"
    std::string why = e.what();
    if (why.rfind(path + ": ", 0) == 0) why = why.substr(path.size() + 2);
    throw std::runtime_error(path + ": cannot write " + what + ": " + why);
  }
}

}  // namespace drift::models
