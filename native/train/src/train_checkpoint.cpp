#include "drift/train/train_checkpoint.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "drift/train/progress_state.h"

namespace fs = std::filesystem;

namespace drift::train {

void save_train_checkpoint(const std::string& path, const TrainState& st, const TrainOptions& opt) {
  torch::serialize::OutputArchive ar;
  ar.write("config", c10::IValue(nlohmann::json(st.model->config()).dump()));
  ar.write("options", c10::IValue(nlohmann::json(opt).dump()));
  torch::serialize::OutputArchive ema, model, optim;
  st.ema->save(ema);
  st.model->save(model);
  st.optim->save(optim);
  ar.write("ema", ema);
  ar.write("model", model);
  ar.write("optim", optim);
  if (st.disc_key) {
    torch::serialize::OutputArchive dk;
    st.disc_key->save(dk);
    ar.write("disc_key", dk);
  }
  write_progress(ar, st.step, st.wall_s, st.rng);
  models::save_archive_atomic(ar, path, "checkpoint");
}

namespace {
torch::serialize::InputArchive open_archive(const std::string& path) {
  if (!fs::exists(path)) throw std::runtime_error(path + ": no such file");
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read checkpoint: " + e.what_without_backtrace());
  }
  return ar;
}

TrainOptions options_from(torch::serialize::InputArchive& ar, const std::string& path) {
  c10::IValue iv;
  if (!ar.try_read("options", iv) || !iv.isString())
    throw std::runtime_error(path + ": not a training checkpoint (no 'options'; a snapshot cannot be resumed)");
  return nlohmann::json::parse(iv.toStringRef()).get<TrainOptions>();
}
}  // namespace

TrainOptions read_checkpoint_options(const std::string& path) {
  auto ar = open_archive(path);
  return options_from(ar, path);
}

TrainOptions load_train_checkpoint(const std::string& path, TrainState& st) {
  auto ar = open_archive(path);
  TrainOptions opt = options_from(ar, path);
  try {
    torch::serialize::InputArchive ema, model, optim;
    if (!ar.try_read("ema", ema) || !ar.try_read("model", model) || !ar.try_read("optim", optim))
      throw std::runtime_error("incomplete training checkpoint");
    const auto dev = st.model->parameters().front().device();
    st.model->load(model);
    st.ema->load(ema);
    st.model->to(dev);
    st.ema->to(dev);
    st.optim->load(optim);  // moments land where the parameters live
    if (st.disc_key) {
      torch::serialize::InputArchive dk;
      if (!ar.try_read("disc_key", dk)) throw std::runtime_error("no discriminative key state (saved without --disc-key-dim)");
      st.disc_key->load(dk);
    }
    if (!read_progress(ar, st.step, st.wall_s, st.rng)) throw std::runtime_error("incomplete training checkpoint");
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot restore training state: " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return opt;
}

std::string latest_checkpoint(const std::string& run_dir) {
  if (!fs::is_directory(run_dir)) throw std::runtime_error(run_dir + ": not a run directory");
  std::string best;
  int64_t best_step = -1;
  for (const auto& e : fs::directory_iterator(run_dir)) {
    const std::string name = e.path().filename().string();
    const bool ckpt = name.rfind("ckpt_", 0) == 0 && e.path().extension() == ".pt";
    if (!ckpt && name != "model_final.pt") continue;
    int64_t step = 0;
    try {
      torch::serialize::InputArchive ar;
      ar.load_from(e.path().string(), torch::kCPU);
      torch::Tensor s;
      if (!ar.try_read("step", s)) continue;
      step = s.item<int64_t>();
    } catch (const c10::Error&) {
      continue;  // a damaged file is skipped, not resumed from
    }
    if (step > best_step || (step == best_step && name == "model_final.pt")) best_step = step, best = e.path().string();
  }
  if (best.empty()) throw std::runtime_error(run_dir + ": no checkpoint to resume from");
  return best;
}

namespace {
bool has_checkpoint(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if ((name.rfind("ckpt_", 0) == 0 && e.path().extension() == ".pt") || name == "model_final.pt") return true;
  }
  return false;
}
}  // namespace

std::string resume_point(const std::string& run_dir, TrainOptions* stored) {
  if (!fs::is_directory(run_dir)) throw std::runtime_error(run_dir + ": not a run directory");
  const fs::path options = fs::path(run_dir) / "options.json";
  if (has_checkpoint(run_dir) || !fs::exists(options)) {
    std::string path = latest_checkpoint(run_dir);
    *stored = read_checkpoint_options(path);
    return path;
  }
  try {
    std::ifstream in(options);
    *stored = nlohmann::json::parse(in).get<TrainOptions>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(options.string() + ": cannot read the run's options: " + e.what());
  }
  return "";
}

void check_new_run_dir(const std::string& out) {
  if (out.empty() || !fs::is_directory(out)) return;
  std::string what;
  if (has_checkpoint(out)) what = "checkpoints";
  else if (fs::exists(fs::path(out) / "options.json")) what = "options.json, no checkpoint yet";
  if (!what.empty())
    throw std::runtime_error(out + ": holds another run (" + what + "); continue it with --resume " + out +
                             ", or choose another --out");
}

}  // namespace drift::train
