// The encoder's training loop: masked-patch L2 on random training images, no labels.
#include "drift/train/encoder_training.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

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

namespace {
// The options an encoder run trains with: opt for a new run (checked not to overwrite another
// encoder), or those stored in resume_dir's checkpoint (*ckpt), of which only the length,
// device and threads change.
EncoderTrainOptions encoder_options_for(EncoderTrainOptions opt, const std::string& resume_dir, std::string* ckpt) {
  if (!resume_dir.empty()) {
    *ckpt = (fs::path(resume_dir) / "encoder_ckpt.pt").string();
    if (!fs::exists(*ckpt)) throw std::runtime_error(resume_dir + ": no encoder_ckpt.pt to resume from");
    EncoderTrainOptions stored = read_state_options(*ckpt);
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
  return opt;
}

// One encoder run: the images, the model and optimizer (from the seed or the checkpoint), the
// log and the progress bar; then steps until done, interrupted or finished.
class EncoderRun {
 public:
  EncoderRun(const EncoderTrainOptions& opt, const std::string& ckpt);
  bool done() const { return st_.step >= opt_.steps; }
  // A resume with nothing left to train and encoder.pt present.
  bool already_trained() const { return done() && fs::exists(encoder_path_); }
  EncoderTrainResult unchanged();
  void step();
  EncoderTrainResult interrupt();
  EncoderTrainResult finish();

 private:
  void load_images();
  void build_model(const std::string& ckpt);
  void open_log();
  void save() { st_.wall_s = wall0_ + now_s() - t0_, save_state(ckpt_out_, st_, opt_); }

  EncoderTrainOptions opt_;
  torch::Device dev_{torch::kCPU};
  features::EncoderConfig cfg_;
  torch::Tensor x_;  // [N,D]: images only; the labels are dropped, so none reaches the encoder
  EncState st_;
  std::string ckpt_out_, encoder_path_;
  std::unique_ptr<logging::RunLog> log_;
  std::unique_ptr<logging::ProgressBar> bar_;
  double t0_ = 0, wall0_ = 0, window_ = 0, last_ = 0;
  int64_t start_ = 0, in_window_ = 0;
};

EncoderRun::EncoderRun(const EncoderTrainOptions& opt, const std::string& ckpt) : opt_(opt) {
  if (opt_.threads > 0) set_cpu_threads(opt_.threads);
  dev_ = pick_device(opt_.device);
  load_images();
  fs::create_directories(opt_.out);
  build_model(ckpt);
  ckpt_out_ = (fs::path(opt_.out) / "encoder_ckpt.pt").string();
  encoder_path_ = (fs::path(opt_.out) / "encoder.pt").string();
  core::write_file_atomic((fs::path(opt_.out) / "encoder_options.json").string(), nlohmann::json(opt_).dump(2) + "\n");
  open_log();
  t0_ = now_s(), wall0_ = st_.wall_s, start_ = st_.step;
  st_.model->train();
}

void EncoderRun::load_images() {
  data::ImageDatasetOptions dopt;
  dopt.data_dir = opt_.data_dir;
  auto ds = data::load_image_dataset(opt_.dataset, dopt);
  x_ = ds.x.to(dev_);
  cfg_.in_channels = ds.channels;
  cfg_.height = ds.height;
  cfg_.width = ds.width;
  cfg_.mask_ratio = opt_.mask_ratio;
  cfg_.dataset = opt_.dataset;
}

void EncoderRun::build_model(const std::string& ckpt) {
  torch::manual_seed(opt_.seed);
  st_.model = features::MaskedAutoencoder(cfg_);
  st_.model->to(dev_);
  st_.optim = std::make_unique<torch::optim::Adam>(st_.model->parameters(), torch::optim::AdamOptions(opt_.lr));
  st_.rng = at::detail::createCPUGenerator(opt_.seed * 2654435761ULL + 29);
  if (ckpt.empty()) return;
  load_state(ckpt, st_);
  std::fprintf(stderr, "resuming %s at step %lld\n", ckpt.c_str(), (long long)st_.step);
}

void EncoderRun::open_log() {
  log_ = std::make_unique<logging::RunLog>(opt_.out);
  logging::ProgressOptions po;
  po.label = "encoder";
  po.start_step = st_.step;
  bar_ = std::make_unique<logging::ProgressBar>(opt_.steps, po);
  int64_t params = 0;
  for (const auto& p : st_.model->parameters()) params += p.numel();
  bar_->message("encoder " + opt_.out + ": masked autoencoder (" + std::to_string(params) + " params, stages " +
                std::to_string(cfg_.channels[0]) + "/" + std::to_string(cfg_.channels[1]) + "/" +
                std::to_string(cfg_.channels[2]) + " at " + std::to_string(cfg_.height) + "², " +
                std::to_string(cfg_.height / 2) + "², " + std::to_string(cfg_.height / 4) + "²) on " + opt_.dataset +
                " (" + std::to_string(x_.size(0)) + " images, no labels), batch " + std::to_string(opt_.batch) + ", " +
                std::to_string(int(std::lround(100 * opt_.mask_ratio))) + "% of " + std::to_string(cfg_.patch) + "x" +
                std::to_string(cfg_.patch) + " patches masked");
}

// encoder.pt stays byte-identical, so the runs that recorded its SHA-256 keep resuming.
EncoderTrainResult EncoderRun::unchanged() {
  EncoderTrainResult r;
  r.step = st_.step, r.wall_s = st_.wall_s, r.encoder_path = encoder_path_;
  r.loss = std::nan("");  // not recomputed; encoder.pt's metadata keeps the trained figure
  r.sha256 = features::file_sha256(encoder_path_);
  std::fprintf(stderr, "the encoder run %s is already at step %lld: %s unchanged (sha256 %s)\n", opt_.out.c_str(),
               (long long)st_.step, encoder_path_.c_str(), r.sha256.c_str());
  return r;
}

void EncoderRun::step() {
  // Batch and mask from the one seeded stream (resume continues it exactly).
  auto idx = torch::randint(x_.size(0), {opt_.batch}, st_.rng, torch::kLong);
  auto mask = features::make_patch_mask(opt_.batch, cfg_.height, cfg_.width, cfg_.patch, cfg_.mask_ratio, st_.rng);
  auto xb = x_.index_select(0, idx.to(dev_)).view({opt_.batch, cfg_.in_channels, cfg_.height, cfg_.width});
  for (auto& g : st_.optim->param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(encoder_lr(opt_, st_.step));
  st_.optim->zero_grad();
  auto loss = features::mae_loss(st_.model, xb, mask.to(dev_));
  const double lv = loss.item<double>();
  if (!std::isfinite(lv)) throw std::runtime_error("encoder: non-finite loss at step " + std::to_string(st_.step));
  loss.backward();
  st_.optim->step();
  ++st_.step;
  window_ += lv, ++in_window_;
  if (st_.step % opt_.log_every == 0 || st_.step == opt_.steps) {
    last_ = window_ / double(in_window_);
    window_ = 0, in_window_ = 0;
    log_->scalar("encoder/masked_l2", last_, st_.step);
    log_->scalar("lr", encoder_lr(opt_, st_.step - 1), st_.step);
    log_->scalar("steps_per_s", double(st_.step - start_) / std::max(now_s() - t0_, 1e-9), st_.step);
    bar_->update(st_.step, "masked L2 " + std::to_string(last_).substr(0, 6));
  } else {
    bar_->update(st_.step);
  }
  if (opt_.ckpt_every > 0 && st_.step % opt_.ckpt_every == 0 && st_.step < opt_.steps) save();
}

EncoderTrainResult EncoderRun::interrupt() {
  save();
  bar_->finish("interrupted");
  log_->flush();
  std::fprintf(stderr, "interrupted at step %lld: wrote %s (continue with --resume %s)\n", (long long)st_.step,
               ckpt_out_.c_str(), opt_.out.c_str());
  EncoderTrainResult r;
  r.step = st_.step, r.interrupted = true, r.loss = last_, r.wall_s = st_.wall_s;
  return r;
}

EncoderTrainResult EncoderRun::finish() {
  bar_->finish("done");
  save();  // first: a kill between the two files still resumes
  EncoderTrainResult r;
  r.step = st_.step;
  r.loss = last_;
  r.wall_s = st_.wall_s;
  r.encoder_path = encoder_path_;
  st_.model->to(torch::kCPU);
  features::save_encoder(st_.model, r.encoder_path,
                         {{"steps", st_.step}, {"masked_l2", last_}, {"wall_s", st_.wall_s}, {"options", nlohmann::json(opt_)}});
  r.sha256 = features::file_sha256(r.encoder_path);
  log_->flush();
  std::fprintf(stderr, "trained the encoder %lld steps in %.1fs (masked L2 %.4f); wrote %s (sha256 %s)\n",
               (long long)st_.step, st_.wall_s, last_, r.encoder_path.c_str(), r.sha256.c_str());
  return r;
}
}  // namespace

EncoderTrainResult train_encoder(EncoderTrainOptions opt, const std::string& resume_dir) {
  clear_interrupt();
  std::string ckpt;
  EncoderRun run(encoder_options_for(std::move(opt), resume_dir, &ckpt), ckpt);
  if (run.already_trained()) return run.unchanged();
  while (!run.done()) {
    run.step();
    if (interrupt_requested()) return run.interrupt();
  }
  return run.finish();
}

}  // namespace drift::train
