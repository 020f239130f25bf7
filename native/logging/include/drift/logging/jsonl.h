// Scalar log as JSON Lines: one {"step":..,"tag":..,"value":..,"wall":..} per line, so a run
// can be plotted with any tool (jq, pandas) without TensorBoard. Torch-free.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace drift::logging {

// One line, without the newline. value NaN/inf is written as null (JSON has no NaN).
std::string jsonl_line(int64_t step, const std::string& tag, double value, double wall_time);

class JsonlWriter {
 public:
  // Appends to path (creating it and its folder), so a resumed run continues the same log.
  explicit JsonlWriter(const std::string& path);
  ~JsonlWriter();
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  void write(int64_t step, const std::string& tag, double value, double wall_time);
  void flush();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace drift::logging
