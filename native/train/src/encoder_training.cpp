// The encoder's training loop: masked-patch L2 on random training images, no labels.
#include "drift/train/encoder_training.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "drift/core/atomic_file.h"
#include "drift/data/image_dataset.h"
#include "drift/features/encoder.h"
#include "drift/logging/progress.h"
#include "drift/logging/run_log.h"
#include "drift/models/generator.h"
#include "drift/train/progress_state.h"
#include "drift/train/runtime.h"

namespace fs = std::filesystem;

namespace drift::train {

#define DRIFT_ENC_FIELDS(X) X(dataset) X(data_dir) X(out) X(steps) X(batch) X(lr) X(mask_ratio) X(seed) X(ckpt_every) X(log_every)

void to_json(nlohmann::json& j, const EncoderTrainOptions& o) {
  j = nlohmann::json::object();
#define X(f) j[#f] = o.f;
  DRIFT_ENC_FIELDS(X)
#undef X
}
void from_json(const nlohmann::json& j, EncoderTrainOptions& o) {
#define X(f) \
  if (j.contains(#f)) j.at(#f).get_to(o.f);
  DRIFT_ENC_FIELDS(X)
#undef X
}

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Linear warmup, then constant: independent of the run's length, so extending a finished
// run with --resume --steps continues exactly as a longer run would have.
double encoder_lr(const EncoderTrainOptions& o, int64_t step) {
  return o.lr * std::min(1.0, double(step + 1) / 100.0);
}

struct EncState {
  features::MaskedAutoencoder model{nullptr};
  std::unique_ptr<torch::optim::Adam> optim;
  at::Generator rng;
  int64_t step = 0;
  double wall_s = 0;
};

void save_state(const std::string& path, EncState& st, const EncoderTrainOptions& opt) {
  torch::serialize::OutputArchive ar, model, optim;
  ar.write("kind", c10::IValue(std::string("drift-encoder-checkpoint")));
  ar.write("options", c10::IValue(nlohmann::json(opt).dump()));
  ar.write("config", c10::IValue(nlohmann::json(st.model->config()).dump()));
  st.model->save(model);
  st.optim->save(optim);
  ar.write("model", model);
  ar.write("optim", optim);
  write_progress(ar, st.step, st.wall_s, st.rng);
  models::save_archive_atomic(ar, path, "encoder checkpoint");  // serialised in memory, then renamed in
}

EncoderTrainOptions read_state_options(const std::string& path) {
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read encoder checkpoint: " + e.what_without_backtrace());
  }
  c10::IValue kind, options;
  if (!ar.try_read("kind", kind) || !kind.isString() || kind.toStringRef() != "drift-encoder-checkpoint" ||
      !ar.try_read("options", options) || !options.isString())
    throw std::runtime_error(path + ": not an encoder checkpoint");
  return nlohmann::json::parse(options.toStringRef()).get<EncoderTrainOptions>();
}

void load_state(const std::string& path, EncState& st) {
  torch::serialize::InputArchive ar, model, optim;
  ar.load_from(path, torch::kCPU);
  try {
    if (!ar.try_read("model", model) || !ar.try_read("optim", optim))
      throw std::runtime_error("incomplete encoder checkpoint");
    const auto dev = st.model->parameters().front().device();
    st.model->load(model);
    st.model->to(dev);
    st.optim->load(optim);
    if (!read_progress(ar, st.step, st.wall_s, st.rng)) throw std::runtime_error("incomplete encoder checkpoint");
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot restore encoder training: " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}
}  // namespace

EncoderTrainResult train_encoder(EncoderTrainOptions opt, const std::string& resume_dir) {
  clear_interrupt();
  std::string ckpt;
  if (!resume_dir.empty()) {  // the run's own options; only length, device and threads change
    ckpt = (fs::path(resume_dir) / "encoder_ckpt.pt").string();
    if (!fs::exists(ckpt)) throw std::runtime_error(resume_dir + ": no encoder_ckpt.pt to resume from");
    EncoderTrainOptions stored = read_state_options(ckpt);
    if (opt.steps > 0) stored.steps = opt.steps;
    stored.threads = opt.threads;
    stored.device = opt.device;
    stored.out = resume_dir;
    opt = stored;
  } else {
    if (opt.steps <= 0) opt.steps = 1500;
    if (opt.out.empty()) throw std::runtime_error("encoder: --out ENC_DIR is required (or --resume ENC_DIR)");
    for (const char* f : {"encoder.pt", "encoder_ckpt.pt"})
      if (fs::exists(fs::path(opt.out) / f))
        throw std::runtime_error(opt.out + ": holds another encoder (" + f + "); continue it with --resume " + opt.out +
                                 ", or choose another --out");
  }
  if (!data::is_image_dataset(opt.dataset))
    throw std::runtime_error("encoder: dataset '" + opt.dataset + "' is not an image dataset (mnist, fashion-mnist, idx:DIR)");
  if (opt.threads > 0) set_cpu_threads(opt.threads);
  const torch::Device dev = pick_device(opt.device);
  data::ImageDatasetOptions dopt;
  dopt.data_dir = opt.data_dir;
  features::EncoderConfig cfg;
  torch::Tensor x;  // [N,D]: images only; the labels are dropped here, so none reaches the encoder
  {
    auto ds = data::load_image_dataset(opt.dataset, dopt);
    x = ds.x.to(dev);
    cfg.in_channels = ds.channels;
    cfg.height = ds.height;
    cfg.width = ds.width;
  }
  cfg.mask_ratio = opt.mask_ratio;
  cfg.dataset = opt.dataset;
  fs::create_directories(opt.out);

  torch::manual_seed(opt.seed);
  EncState st;
  st.model = features::MaskedAutoencoder(cfg);
  st.model->to(dev);
  st.optim = std::make_unique<torch::optim::Adam>(st.model->parameters(), torch::optim::AdamOptions(opt.lr));
  st.rng = at::detail::createCPUGenerator(opt.seed * 2654435761ULL + 29);
  if (!ckpt.empty()) {
    load_state(ckpt, st);
    std::fprintf(stderr, "resuming %s at step %lld\n", ckpt.c_str(), (long long)st.step);
  }
  const std::string ckpt_out = (fs::path(opt.out) / "encoder_ckpt.pt").string();
  core::write_file_atomic((fs::path(opt.out) / "encoder_options.json").string(), nlohmann::json(opt).dump(2) + "\n");

  logging::RunLog log(opt.out);
  logging::ProgressOptions po;
  po.label = "encoder";
  po.start_step = st.step;
  logging::ProgressBar bar(opt.steps, po);
  int64_t params = 0;
  for (const auto& p : st.model->parameters()) params += p.numel();
  bar.message("encoder " + opt.out + ": masked autoencoder (" + std::to_string(params) + " params, stages " +
              std::to_string(cfg.channels[0]) + "/" + std::to_string(cfg.channels[1]) + "/" +
              std::to_string(cfg.channels[2]) + " at " + std::to_string(cfg.height) + "², " +
              std::to_string(cfg.height / 2) + "², " + std::to_string(cfg.height / 4) + "²) on " + opt.dataset +
              " (" + std::to_string(x.size(0)) + " images, no labels), batch " + std::to_string(opt.batch) + ", " +
              std::to_string(int(std::lround(100 * opt.mask_ratio))) + "% of " + std::to_string(cfg.patch) + "x" +
              std::to_string(cfg.patch) + " patches masked");
  const std::string encoder_path = (fs::path(opt.out) / "encoder.pt").string();
  if (st.step >= opt.steps && fs::exists(encoder_path)) {
    // A resume with nothing left to train: encoder.pt stays byte-identical, so the runs that
    // recorded its SHA-256 keep resuming.
    EncoderTrainResult r;
    r.step = st.step, r.wall_s = st.wall_s, r.encoder_path = encoder_path;
    r.loss = std::nan("");  // not recomputed; encoder.pt's metadata keeps the trained figure
    r.sha256 = features::file_sha256(encoder_path);
    std::fprintf(stderr, "the encoder run %s is already at step %lld: %s unchanged (sha256 %s)\n", opt.out.c_str(),
                 (long long)st.step, encoder_path.c_str(), r.sha256.c_str());
    return r;
  }
  const double t0 = now_s(), wall0 = st.wall_s;
  const int64_t start = st.step;
  double window = 0, last = 0;
  int64_t in_window = 0;
  st.model->train();
  while (st.step < opt.steps) {
    // Batch and mask from the one seeded stream (resume continues it exactly).
    auto idx = torch::randint(x.size(0), {opt.batch}, st.rng, torch::kLong);
    auto mask = features::make_patch_mask(opt.batch, cfg.height, cfg.width, cfg.patch, cfg.mask_ratio, st.rng);
    auto xb = x.index_select(0, idx.to(dev)).view({opt.batch, cfg.in_channels, cfg.height, cfg.width});
    for (auto& g : st.optim->param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(encoder_lr(opt, st.step));
    st.optim->zero_grad();
    auto loss = features::mae_loss(st.model, xb, mask.to(dev));
    const double lv = loss.item<double>();
    if (!std::isfinite(lv)) throw std::runtime_error("encoder: non-finite loss at step " + std::to_string(st.step));
    loss.backward();
    st.optim->step();
    ++st.step;
    window += lv, ++in_window;
    if (st.step % opt.log_every == 0 || st.step == opt.steps) {
      last = window / double(in_window);
      window = 0, in_window = 0;
      log.scalar("encoder/masked_l2", last, st.step);
      log.scalar("lr", encoder_lr(opt, st.step - 1), st.step);
      log.scalar("steps_per_s", double(st.step - start) / std::max(now_s() - t0, 1e-9), st.step);
      bar.update(st.step, "masked L2 " + std::to_string(last).substr(0, 6));
    } else {
      bar.update(st.step);
    }
    if (opt.ckpt_every > 0 && st.step % opt.ckpt_every == 0 && st.step < opt.steps) {
      st.wall_s = wall0 + now_s() - t0;
      save_state(ckpt_out, st, opt);
    }
    if (interrupt_requested()) {
      st.wall_s = wall0 + now_s() - t0;
      save_state(ckpt_out, st, opt);
      bar.finish("interrupted");
      log.flush();
      std::fprintf(stderr, "interrupted at step %lld: wrote %s (continue with --resume %s)\n", (long long)st.step,
                   ckpt_out.c_str(), opt.out.c_str());
      EncoderTrainResult r;
      r.step = st.step, r.interrupted = true, r.loss = last, r.wall_s = st.wall_s;
      return r;
    }
  }
  bar.finish("done");
  st.wall_s = wall0 + now_s() - t0;
  save_state(ckpt_out, st, opt);  // first: a kill between the two files still resumes
  EncoderTrainResult r;
  r.step = st.step;
  r.loss = last;
  r.wall_s = st.wall_s;
  r.encoder_path = encoder_path;
  st.model->to(torch::kCPU);
  features::save_encoder(st.model, r.encoder_path,
                         {{"steps", st.step}, {"masked_l2", last}, {"wall_s", st.wall_s}, {"options", nlohmann::json(opt)}});
  r.sha256 = features::file_sha256(r.encoder_path);
  log.flush();
  std::fprintf(stderr, "trained the encoder %lld steps in %.1fs (masked L2 %.4f); wrote %s (sha256 %s)\n",
               (long long)st.step, st.wall_s, last, r.encoder_path.c_str(), r.sha256.c_str());
  return r;
}

}  // namespace drift::train
