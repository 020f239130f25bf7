// TensorBoard event files (CRC32C, TFRecord framing, Event protos), JSONL, RunLog and the
// progress bar.
#include "drift_catch.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "drift/core/atomic_file.h"
#include "drift/logging/crc32c.h"
#include "drift/logging/jsonl.h"
#include "drift/logging/png.h"
#include "drift/logging/progress.h"
#include "drift/logging/proto_wire.h"
#include "drift/logging/run_log.h"
#include "drift/logging/tensorboard.h"

#include "test_util.h"

namespace fs = std::filesystem;
using namespace drift::logging;

namespace {

std::string one_file_in(const fs::path& dir) {
  std::string found;
  int count = 0;
  for (const auto& e : fs::directory_iterator(dir)) found = e.path().string(), ++count;
  REQUIRE(count == 1);
  return found;
}

const proto::Field* field(const std::vector<proto::Field>& fs_, int number) {
  for (const auto& f : fs_)
    if (f.number == number) return &f;
  return nullptr;
}

std::string slurp(FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, n);
  return s;
}

}  // namespace

TEST_CASE("crc32c matches the published check values", "[tensorboard]") {
  // iSCSI / RFC 3720 B.4 test vectors.
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc32c(std::string(32, '\xFF')) == 0x62A8AB43u);
  std::string asc(32, '\0');
  for (int i = 0; i < 32; ++i) asc[size_t(i)] = char(i);
  CHECK(crc32c(asc) == 0x46DD794Eu);
  CHECK(crc32c("") == 0u);
  // Continuing a crc over two halves equals one pass.
  CHECK(crc32c("56789", 5, crc32c("1234", 4)) == 0xE3069283u);
}

TEST_CASE("masked crc is rotate-right-15 plus 0xa282ead8", "[tensorboard]") {
  CHECK(mask_crc(0) == 0xa282ead8u);
  CHECK(mask_crc(0x80000000u) == 0xa283ead8u);  // bit 31 -> bit 16
  CHECK(mask_crc(1u) == 0xa284ead8u);            // bit 0 -> bit 17
  CHECK(masked_crc32c("123456789") == mask_crc(0xE3069283u));
}

TEST_CASE("TFRecord framing: length, masked crc of length, data, masked crc of data", "[tensorboard]") {
  const std::string rec = frame_record("abc");
  REQUIRE(rec.size() == 8 + 4 + 3 + 4);
  CHECK(rec.substr(0, 8) == std::string("\x03\0\0\0\0\0\0\0", 8));
  const auto le32 = [&](size_t p) {
    return uint32_t(uint8_t(rec[p])) | uint32_t(uint8_t(rec[p + 1])) << 8 | uint32_t(uint8_t(rec[p + 2])) << 16 |
           uint32_t(uint8_t(rec[p + 3])) << 24;
  };
  CHECK(le32(8) == mask_crc(crc32c(rec.data(), 8)));
  CHECK(rec.substr(12, 3) == "abc");
  CHECK(le32(15) == mask_crc(crc32c("abc")));
}

TEST_CASE("protobuf wire encoding matches hand-computed bytes", "[tensorboard]") {
  proto::Writer w;
  w.varint(1, 150);         // the protobuf docs' example: 08 96 01
  w.bytes(2, "testing");    // 12 07 't' 'e' 's' 't' 'i' 'n' 'g'
  w.fixed32_float(3, 1.0f); // 1d 00 00 80 3f
  w.fixed64_double(4, 2.0); // 21 00..00 40
  const std::string expect = std::string("\x08\x96\x01\x12\x07testing\x1d\x00\x00\x80\x3f", 17) +
                             std::string("\x21\0\0\0\0\0\0\0\x40", 9);
  CHECK(w.str() == expect);
  const auto f = proto::parse(w.str());
  REQUIRE(f.size() == 4);
  CHECK(f[0].u == 150);
  CHECK(f[1].bytes == "testing");
  CHECK(f[2].as_float() == 1.0f);
  CHECK(f[3].as_double() == 2.0);
  CHECK_THROWS(proto::parse(std::string("\x12\x07tes", 5)));
}

TEST_CASE("event file: file_version first, then scalars and images, every CRC valid", "[tensorboard]") {
  const fs::path dir = fresh_dir("tb");
  std::string path;
  Image img(5, 3, 1);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = uint8_t(i * 17);
  {
    TensorBoardWriter tb((dir / "tb").string());
    path = tb.path();
    tb.add_scalar("loss/train", 0.25f, 0, 1000.5);
    tb.add_scalar("loss/train", -3.5f, 1234567, 1001.5);
    tb.add_image("samples", img, 7, 1002.0);
  }
  CHECK(fs::path(path).filename().string().rfind("events.out.tfevents.", 0) == 0);
  const auto recs = read_records(path);
  REQUIRE(recs.size() == 4);

  const auto e0 = proto::parse(recs[0]);
  REQUIRE(field(e0, 3));
  CHECK(field(e0, 3)->bytes == "brain.Event:2");
  REQUIRE(field(e0, 1));
  CHECK(field(e0, 1)->wire_type == 1);

  const auto e2 = proto::parse(recs[2]);
  CHECK(field(e2, 1)->as_double() == 1001.5);
  CHECK(field(e2, 2)->u == 1234567u);
  const auto summary = proto::parse(field(e2, 5)->bytes);
  const auto value = proto::parse(field(summary, 1)->bytes);
  CHECK(field(value, 1)->bytes == "loss/train");
  CHECK(field(value, 2)->wire_type == 5);
  CHECK(field(value, 2)->as_float() == -3.5f);

  const auto e1 = proto::parse(recs[1]);
  CHECK(field(e1, 2) == nullptr);  // step 0 is proto3's default: omitted
  CHECK(field(proto::parse(field(proto::parse(field(e1, 5)->bytes), 1)->bytes), 2)->as_float() == 0.25f);

  const auto e3 = proto::parse(recs[3]);
  CHECK(field(e3, 2)->u == 7u);
  const auto iv = proto::parse(field(proto::parse(field(e3, 5)->bytes), 1)->bytes);
  CHECK(field(iv, 1)->bytes == "samples");
  const auto im = proto::parse(field(iv, 4)->bytes);
  CHECK(field(im, 1)->u == 3u);  // height
  CHECK(field(im, 2)->u == 5u);  // width
  CHECK(field(im, 3)->u == 1u);  // gray
  const Image back = decode_png(std::string(field(im, 4)->bytes));
  CHECK(back.width == 5);
  CHECK(back.height == 3);
  CHECK(back.pixels == img.pixels);
  fs::remove_all(dir);
}

TEST_CASE("read_records names the file and record on corruption", "[tensorboard]") {
  const fs::path dir = fresh_dir("tbbad");
  const std::string path = (dir / "events.out.tfevents.bad").string();
  std::string bytes = frame_record("first") + frame_record("second");
  drift::core::write_file_atomic(path, bytes);
  CHECK(read_records(path).size() == 2);

  std::string flipped = bytes;
  flipped[flipped.size() - 6] ^= 1;  // inside "second"
  drift::core::write_file_atomic(path, flipped);
  CHECK_THROWS_WITH(read_records(path), Catch::Contains(path + ": record 1: data CRC mismatch"));

  drift::core::write_file_atomic(path, bytes.substr(0, bytes.size() - 2));
  CHECK_THROWS_WITH(read_records(path), Catch::Contains("record 1: truncated"));

  std::string badlen = bytes;
  badlen[0] ^= 4;
  drift::core::write_file_atomic(path, badlen);
  CHECK_THROWS_WITH(read_records(path), Catch::Contains("record 0: length CRC mismatch"));
  fs::remove_all(dir);
}

TEST_CASE("jsonl lines parse as JSON with step, tag, value, wall", "[jsonl]") {
  const auto j = nlohmann::json::parse(jsonl_line(42, "loss \"x\"\n", 0.125, 1700000000.25));
  CHECK(j["step"] == 42);
  CHECK(j["tag"] == "loss \"x\"\n");
  CHECK(j["value"].get<double>() == 0.125);
  CHECK(j["wall"].get<double>() == Approx(1700000000.25));
  CHECK(nlohmann::json::parse(jsonl_line(1, "nan", std::nan(""), 1.0))["value"].is_null());
  // 9 significant digits: a float survives the round trip.
  CHECK(float(nlohmann::json::parse(jsonl_line(1, "f", double(0.1f), 1.0))["value"].get<double>()) == 0.1f);
}

TEST_CASE("RunLog sends every scalar to TensorBoard and JSONL", "[runlog]") {
  const fs::path dir = fresh_dir("runlog");
  std::string tb_path;
  {
    RunLog log(dir.string());
    tb_path = log.tensorboard_path();
    for (int s = 0; s < 3; ++s) log.scalar("loss", 1.0 / (s + 1), s);
    log.scalar("fd", 15.5, 100);
    Image img(4, 4, 3, 200);
    log.image("grid", img, 100, (dir / "grid.png").string());
  }
  CHECK(fs::path(tb_path).parent_path() == dir / "tb");
  CHECK(read_records(tb_path).size() == 1 + 4 + 1);
  std::ifstream in(dir / "metrics.jsonl");
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line));
  REQUIRE(rows.size() == 4);
  CHECK(rows[1]["tag"] == "loss");
  CHECK(rows[1]["value"].get<double>() == Approx(0.5));
  CHECK(rows[3]["step"] == 100);
  CHECK(read_png((dir / "grid.png").string()).pixels == Image(4, 4, 3, 200).pixels);
  // A resumed run appends to the same JSONL.
  { RunLog log(dir.string(), {false, true, 50}); log.scalar("loss", 0.1, 3); }
  int lines = 0;
  std::ifstream in2(dir / "metrics.jsonl");
  while (std::getline(in2, line)) ++lines;
  CHECK(lines == 5);
  fs::remove_all(dir);
}

TEST_CASE("progress, plain mode: about one line per 5%, no control characters", "[progress]") {
  FILE* f = std::tmpfile();
  ProgressOptions o;
  o.out = f;
  o.tty = 0;
  o.label = "train";
  o.start_time = 100.0;
  {
    ProgressBar bar(1000, o);
    CHECK_FALSE(bar.is_tty());
    for (int s = 1; s <= 1000; ++s) bar.update(s, "loss 0.5\x1b[31m", 100.0 + s * 0.01);
    bar.finish();
  }
  const std::string out = slurp(f);
  std::fclose(f);
  int lines = 0;
  for (char c : out) {
    if (c == '\n') ++lines;
    else CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7F));
  }
  CHECK(lines == 21);  // the first step (0%), then 5%, 10%, ..., 100%
  CHECK(out.find("train 50/1000   5% 100.0 steps/s ETA 10s | loss 0.5 [31m\n") != std::string::npos);
  CHECK(out.find("1000/1000 100%") != std::string::npos);
}

TEST_CASE("progress, terminal mode: one redrawn line, throttled", "[progress]") {
  FILE* f = std::tmpfile();
  ProgressOptions o;
  o.out = f;
  o.tty = 1;
  o.start_time = 0.0;
  o.redraw_seconds = 0.5;
  ProgressBar bar(100, o);
  for (int s = 1; s <= 100; ++s) bar.update(s, "", s * 0.1);  // 10 s in all -> ~20 redraws
  bar.finish("done", 10.0);
  const std::string out = slurp(f);
  std::fclose(f);
  int redraws = 0, newlines = 0;
  for (char c : out) redraws += c == '\r', newlines += c == '\n';
  CHECK(newlines == 1);
  CHECK(redraws >= 19);
  CHECK(redraws <= 22);
  CHECK(out.find("[########################] 100/100 100% 10.0 steps/s ETA 0s | done") != std::string::npos);
}

TEST_CASE("format_duration", "[progress]") {
  CHECK(format_duration(5) == "5s");
  CHECK(format_duration(187) == "3m07s");
  CHECK(format_duration(3720) == "1h02m");
  CHECK(format_duration(-1) == "?");
  CHECK(format_duration(INFINITY) == "?");
}

// Cross-check with Google's protobuf runtime (python3-protobuf + protoc; setup.sh installs both,
// so their absence is a failure, not a skip):
// the event file is parsed against the TensorFlow field numbers, every record must
// re-serialise byte-identically (no unknown or non-canonical fields), and the CRCs are
// recomputed by an independent bitwise CRC-32C in Python.
TEST_CASE("event file parses with the protobuf runtime (python3-protobuf and protoc)", "[tensorboard][external]") {
  INFO("protoc or /usr/bin/python3's google.protobuf is missing: run ./scripts/setup.sh");
  REQUIRE(std::system("command -v protoc >/dev/null 2>&1 && /usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1") == 0);
  const fs::path dir = fresh_dir("tbproto");
  {
    TensorBoardWriter tb((dir / "tb").string());
    tb.add_scalar("loss", 2.5f, 3, 10.0);
    tb.add_scalar("force/tau_0.05", -0.125f, 123456789012LL, 11.0);
    tb.add_image("grid", Image(4, 2, 3, 9), 5, 12.0);
  }
  std::ofstream((dir / "tb_subset.proto").string()) << R"(syntax = "proto3";
package tensorflow;
message Summary {
  message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
  message Value { string node_name = 7; string tag = 1;
    oneof value { float simple_value = 2; bytes obsolete_old_style_histogram = 3; Image image = 4; } }
  repeated Value value = 1;
}
message Event { double wall_time = 1; int64 step = 2;
  oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; } }
)";
  std::ofstream((dir / "check.py").string()) << R"(import glob, struct, sys
sys.path.insert(0, sys.argv[1])
import tb_subset_pb2 as pb
def crc(d):
    c = 0xFFFFFFFF
    for b in d:
        c ^= b
        for _ in range(8): c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    c ^= 0xFFFFFFFF
    return (((c >> 15) | (c << 17)) + 0xa282ead8) & 0xFFFFFFFF
raw = open(glob.glob(sys.argv[1] + '/tb/events.out.tfevents.*')[0], 'rb').read()
pos, out = 0, []
while pos < len(raw):
    n = struct.unpack('<Q', raw[pos:pos+8])[0]
    assert struct.unpack('<I', raw[pos+8:pos+12])[0] == crc(raw[pos:pos+8])
    d = raw[pos+12:pos+12+n]
    assert struct.unpack('<I', raw[pos+12+n:pos+16+n])[0] == crc(d)
    pos += 16 + n
    e = pb.Event(); e.ParseFromString(d)
    assert e.SerializeToString() == d
    if e.HasField('file_version'): out.append(e.file_version)
    for v in e.summary.value:
        if v.HasField('image'): out.append('%d %s %dx%dx%d' % (e.step, v.tag, v.image.height, v.image.width, v.image.colorspace))
        else: out.append('%d %s %g %g' % (e.step, v.tag, v.simple_value, e.wall_time))
print('|'.join(out))
)";
  const std::string d = dir.string();
  const std::string cmd = "cd '" + d + "' && protoc --python_out=. tb_subset.proto && /usr/bin/python3 check.py '" + d +
                          "' > result.txt 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in((dir / "result.txt").string());
  std::string result;
  std::getline(in, result);
  CHECK(result == "brain.Event:2|3 loss 2.5 10|123456789012 force/tau_0.05 -0.125 11|5 grid 2x4x3");
  fs::remove_all(dir);
}
