#include "drift/logging/run_log.h"

#include <filesystem>

#include "drift/logging/png.h"

namespace drift::logging {

RunLog::RunLog(const std::string& run_dir, RunLogOptions opt) : run_dir_(run_dir), opt_(opt) {
  const std::filesystem::path dir(run_dir);
  if (opt_.tensorboard) tb_ = std::make_unique<TensorBoardWriter>((dir / "tb").string());
  if (opt_.jsonl) jsonl_ = std::make_unique<JsonlWriter>((dir / "metrics.jsonl").string());
}

RunLog::~RunLog() {
  try {
    flush();
  } catch (...) {
    // A destructor must not throw; the last records are lost only if the disk failed.
  }
}

void RunLog::scalar(const std::string& tag, double value, int64_t step) {
  const double wall = wall_time_now();
  if (tb_) tb_->add_scalar(tag, float(value), step, wall);
  if (jsonl_) jsonl_->write(step, tag, value, wall);
  if (++since_flush_ >= opt_.flush_every) flush();
}

void RunLog::image(const std::string& tag, const Image& img, int64_t step, const std::string& png_path) {
  if (tb_) tb_->add_image(tag, img, step);
  if (!png_path.empty()) write_png(png_path, img);
  flush();
}

void RunLog::flush() {
  if (tb_) tb_->flush();
  if (jsonl_) jsonl_->flush();
  since_flush_ = 0;
}

}  // namespace drift::logging
