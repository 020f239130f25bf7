// TensorBoard event-file writer, hand-encoded (no protobuf or TensorFlow dependency).
// Torch-free.
//
// File: DIR/events.out.tfevents.<unix seconds>.<hostname>.<pid>, a stream of TFRecords:
//   uint64 length (LE) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
// Each data is a tensorflow.Event proto:
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; Image image = 4; }
//   Image   { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
// The first record carries file_version "brain.Event:2", as TensorBoard expects.
// The file is an append-only stream that TensorBoard reads while it grows, so it is not
// written atomically; every record is complete once flush() returns.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "drift/logging/image.h"

namespace drift::logging {

// Seconds since the Unix epoch, with sub-second precision.
double wall_time_now();

// TFRecord framing of one record.
std::string frame_record(std::string_view data);

// Reads every record of a TFRecord file, checking both CRCs of each. Throws
// std::runtime_error("PATH: record N: problem") on a bad CRC or a truncated record.
std::vector<std::string> read_records(const std::string& path);

// Event protos (serialized), exposed for tests.
std::string encode_file_version_event(double wall_time);
std::string encode_scalar_event(const std::string& tag, float value, int64_t step, double wall_time);
// png: encoded PNG bytes of img; colorspace 1 = gray, 3 = RGB.
std::string encode_image_event(const std::string& tag, const std::string& png, int height, int width,
                               int colorspace, int64_t step, double wall_time);

class TensorBoardWriter {
 public:
  // Creates dir (with parents) and a new event file in it. Throws "DIR: problem".
  explicit TensorBoardWriter(const std::string& dir);
  ~TensorBoardWriter();
  TensorBoardWriter(const TensorBoardWriter&) = delete;
  TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

  void add_scalar(const std::string& tag, float value, int64_t step, double wall_time = wall_time_now());
  // PNG-encodes img (gray or RGB) into an image summary.
  void add_image(const std::string& tag, const Image& img, int64_t step, double wall_time = wall_time_now());
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& event);
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace drift::logging
