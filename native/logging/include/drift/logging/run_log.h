// RunLog: the trainer's one logging object. Every scalar goes to TensorBoard and to JSONL;
// images go to TensorBoard and, if asked, to a PNG file. Torch-free.
//
// Files under RUN_DIR:
//   tb/events.out.tfevents.*   TensorBoard (tensorboard --logdir RUN_DIR/tb, or a parent)
//   metrics.jsonl              {"step","tag","value","wall"} per scalar
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "drift/logging/image.h"
#include "drift/logging/jsonl.h"
#include "drift/logging/tensorboard.h"

namespace drift::logging {

struct RunLogOptions {
  bool tensorboard = true;
  bool jsonl = true;
  int flush_every = 50;  // flush both files after this many scalars (and on images/flush())
};

class RunLog {
 public:
  explicit RunLog(const std::string& run_dir, RunLogOptions opt = {});
  ~RunLog();

  void scalar(const std::string& tag, double value, int64_t step);
  // To TensorBoard; and to png_path (atomically) when it is not empty.
  void image(const std::string& tag, const Image& img, int64_t step, const std::string& png_path = "");
  void flush();

  const std::string& run_dir() const { return run_dir_; }
  std::string tensorboard_path() const { return tb_ ? tb_->path() : ""; }
  std::string jsonl_path() const { return jsonl_ ? jsonl_->path() : ""; }

 private:
  std::string run_dir_;
  RunLogOptions opt_;
  std::unique_ptr<TensorBoardWriter> tb_;
  std::unique_ptr<JsonlWriter> jsonl_;
  int since_flush_ = 0;
};

}  // namespace drift::logging
