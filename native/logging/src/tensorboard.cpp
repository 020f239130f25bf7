#include "drift/logging/tensorboard.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "drift/core/atomic_file.h"
#include "drift/logging/crc32c.h"
#include "drift/logging/png.h"
#include "drift/logging/proto_wire.h"

namespace drift::logging {

double wall_time_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

namespace {

std::string le_bytes(uint64_t v, int n) {
  std::string s(size_t(n), '\0');
  for (int i = 0; i < n; ++i) s[size_t(i)] = char((v >> (8 * i)) & 0xFF);
  return s;
}

uint64_t read_le(const std::string& s, size_t pos, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(s[pos + size_t(i)])) << (8 * i);
  return v;
}

std::string event_header(double wall_time, int64_t step) {
  proto::Writer e;
  e.fixed64_double(1, wall_time);
  if (step != 0) e.varint(2, uint64_t(step));  // proto3 omits default values
  return e.str();
}

std::string summary_event(const std::string& value_msg, int64_t step, double wall_time) {
  proto::Writer summary;
  summary.bytes(1, value_msg);
  std::string ev = event_header(wall_time, step);
  proto::Writer tail;
  tail.bytes(5, summary.str());
  return ev + tail.str();
}

}  // namespace

std::string frame_record(std::string_view data) {
  std::string len = le_bytes(data.size(), 8);
  std::string out = len;
  out += le_bytes(masked_crc32c(len), 4);
  out.append(data.data(), data.size());
  out += le_bytes(masked_crc32c(data), 4);
  return out;
}

std::vector<std::string> read_records(const std::string& path) {
  const std::string s = drift::core::read_file(path);
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    const std::string where = path + ": record " + std::to_string(out.size()) + ": ";
    if (s.size() - pos < 12) throw std::runtime_error(where + "truncated header");
    const std::string len_bytes = s.substr(pos, 8);
    if (uint32_t(read_le(s, pos + 8, 4)) != masked_crc32c(len_bytes))
      throw std::runtime_error(where + "length CRC mismatch");
    const uint64_t len = read_le(s, pos, 8);
    pos += 12;
    if (s.size() - pos < len + 4) throw std::runtime_error(where + "truncated data");
    std::string data = s.substr(pos, size_t(len));
    if (uint32_t(read_le(s, pos + size_t(len), 4)) != masked_crc32c(data))
      throw std::runtime_error(where + "data CRC mismatch");
    pos += size_t(len) + 4;
    out.push_back(std::move(data));
  }
  return out;
}

std::string encode_file_version_event(double wall_time) {
  proto::Writer e;
  e.fixed64_double(1, wall_time);
  e.bytes(3, "brain.Event:2");
  return e.str();
}

std::string encode_scalar_event(const std::string& tag, float value, int64_t step, double wall_time) {
  proto::Writer v;
  v.bytes(1, tag);
  v.fixed32_float(2, value);
  return summary_event(v.str(), step, wall_time);
}

std::string encode_image_event(const std::string& tag, const std::string& png, int height, int width,
                               int colorspace, int64_t step, double wall_time) {
  proto::Writer im;
  im.varint(1, uint64_t(height));
  im.varint(2, uint64_t(width));
  im.varint(3, uint64_t(colorspace));
  im.bytes(4, png);
  proto::Writer v;
  v.bytes(1, tag);
  v.bytes(4, im.str());
  return summary_event(v.str(), step, wall_time);
}

TensorBoardWriter::TensorBoardWriter(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create directory (" + ec.message() + ")");
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::strcpy(host, "localhost");
  const double now = wall_time_now();
  path_ = (std::filesystem::path(dir) / ("events.out.tfevents." + std::to_string(int64_t(now)) + "." +
                                         host + "." + std::to_string(getpid())))
              .string();
  // "ab": a second writer in the same second and process appends instead of clobbering.
  file_ = std::fopen(path_.c_str(), "ab");
  if (!file_) throw std::runtime_error(path_ + ": cannot open for writing (" + std::strerror(errno) + ")");
  write_record(encode_file_version_event(now));
  flush();
}

TensorBoardWriter::~TensorBoardWriter() {
  if (file_) std::fclose(file_);
}

void TensorBoardWriter::write_record(const std::string& event) {
  const std::string rec = frame_record(event);
  if (std::fwrite(rec.data(), 1, rec.size(), file_) != rec.size())
    throw std::runtime_error(path_ + ": write failed (" + std::strerror(errno) + ")");
}

void TensorBoardWriter::add_scalar(const std::string& tag, float value, int64_t step, double wall_time) {
  write_record(encode_scalar_event(tag, value, step, wall_time));
}

void TensorBoardWriter::add_image(const std::string& tag, const Image& img, int64_t step, double wall_time) {
  const std::string png = encode_png(img);
  write_record(encode_image_event(tag, png, img.height, img.width, img.channels == 1 ? 1 : 3, step, wall_time));
}

void TensorBoardWriter::flush() {
  if (std::fflush(file_) != 0) throw std::runtime_error(path_ + ": flush failed (" + std::strerror(errno) + ")");
}

}  // namespace drift::logging
