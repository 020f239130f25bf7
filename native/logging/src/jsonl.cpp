#include "drift/logging/jsonl.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace drift::logging {

std::string jsonl_line(int64_t step, const std::string& tag, double value, double wall_time) {
  char num[64];
  std::string out = "{\"step\":" + std::to_string(step) + ",\"tag\":" + nlohmann::json(tag).dump() + ",\"value\":";
  if (std::isfinite(value)) {
    std::snprintf(num, sizeof(num), "%.9g", value);
    out += num;
  } else {
    out += "null";
  }
  std::snprintf(num, sizeof(num), "%.3f", wall_time);
  out += ",\"wall\":";
  out += num;
  out += "}";
  return out;
}

JsonlWriter::JsonlWriter(const std::string& path) : path_(path) {
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) throw std::runtime_error(parent.string() + ": cannot create directory (" + ec.message() + ")");
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) throw std::runtime_error(path + ": cannot open for appending (" + std::strerror(errno) + ")");
}

JsonlWriter::~JsonlWriter() {
  if (file_) std::fclose(file_);
}

void JsonlWriter::write(int64_t step, const std::string& tag, double value, double wall_time) {
  const std::string line = jsonl_line(step, tag, value, wall_time) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size())
    throw std::runtime_error(path_ + ": write failed (" + std::strerror(errno) + ")");
}

void JsonlWriter::flush() {
  if (std::fflush(file_) != 0) throw std::runtime_error(path_ + ": flush failed (" + std::strerror(errno) + ")");
}

}  // namespace drift::logging
