// IDX reader: valid plain and gzip files, and every malformed case names the file and the problem.
#include "drift_catch.h"
#include <zlib.h>

#include <fstream>

#include "drift/core/idx.h"
#include "test_util.h"

using drift::core::load_idx_pair;
using drift::core::read_idx;

namespace {

void be32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(char((v >> shift) & 0xff));
}

// An IDX ubyte file with the given dims; pixel i holds i % 251.
std::string idx_bytes(const std::vector<uint32_t>& dims, long data_bytes = -1) {
  std::string s = {0, 0, 0x08, char(dims.size())};
  size_t n = 1;
  for (uint32_t d : dims) {
    be32(s, d);
    n *= d;
  }
  if (data_bytes >= 0) n = size_t(data_bytes);
  for (size_t i = 0; i < n; ++i) s.push_back(char(i % 251));
  return s;
}

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
  gzclose(f);
}


}  // namespace

TEST_CASE("a valid plain IDX image file loads with its dims and bytes", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  write_plain(dir + "/img", idx_bytes({3, 4, 5}));
  const auto a = read_idx(dir + "/img");
  REQUIRE(a.dims == std::vector<int64_t>{3, 4, 5});
  REQUIRE(a.data.size() == 60);
  CHECK(a.data[0] == 0);
  CHECK(a.data[59] == 59);
}

TEST_CASE("a gzip IDX file reads the same as the plain one", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  const std::string bytes = idx_bytes({300, 28, 28});
  write_plain(dir + "/img", bytes);
  write_gz(dir + "/img.gz", bytes);
  const auto plain = read_idx(dir + "/img");
  const auto gz = read_idx(dir + "/img.gz");
  CHECK(gz.dims == plain.dims);
  CHECK(gz.data == plain.data);
}

TEST_CASE("a truncated file says how many items the header promised and the file holds", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  write_plain(dir + "/img", idx_bytes({60000, 28, 28}, 1234 * 784 + 100));
  const std::string msg = error_of([&] { read_idx(dir + "/img"); });
  CHECK(msg == dir + "/img: truncated: header says 60000 images, file holds 1234");
}

TEST_CASE("a bad magic number is rejected with the file name", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  std::string bytes = idx_bytes({2, 2, 2});
  bytes[0] = 0x1f;
  write_plain(dir + "/img", bytes);
  const std::string msg = error_of([&] { read_idx(dir + "/img"); });
  CHECK(msg.rfind(dir + "/img: bad magic number", 0) == 0);

  bytes = idx_bytes({2, 2, 2});
  bytes[2] = 0x0D;  // float data
  write_plain(dir + "/float", bytes);
  CHECK(error_of([&] { read_idx(dir + "/float"); }).find("unsupported IDX data type 0x0D") != std::string::npos);

  bytes = idx_bytes({2, 2, 2});
  bytes[3] = 9;  // 9 dimensions
  write_plain(dir + "/dims", bytes);
  CHECK(error_of([&] { read_idx(dir + "/dims"); }).find("9 dimensions") != std::string::npos);
}

TEST_CASE("image and label counts must match", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  write_plain(dir + "/img", idx_bytes({10, 2, 2}));
  write_plain(dir + "/lbl", idx_bytes({9}));
  const std::string msg = error_of([&] { load_idx_pair(dir + "/img", dir + "/lbl"); });
  CHECK(msg == dir + "/lbl: count mismatch: 9 labels for 10 images in " + dir + "/img");
}

TEST_CASE("a matching pair loads with labels and class count", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  write_plain(dir + "/img", idx_bytes({10, 2, 3}));
  std::string labels = {0, 0, 0x08, 1};
  be32(labels, 10);
  for (int i = 0; i < 10; ++i) labels.push_back(char(i % 4));
  write_gz(dir + "/lbl.gz", labels);
  const auto set = load_idx_pair(dir + "/img", dir + "/lbl.gz");
  CHECK(set.count == 10);
  CHECK(set.rows == 2);
  CHECK(set.cols == 3);
  CHECK(set.num_classes == 4);
  CHECK(set.labels[5] == 1);
}

TEST_CASE("trailing bytes, empty and missing files are errors too", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  write_plain(dir + "/long", idx_bytes({2, 2, 2}, 8 + 3));
  CHECK(error_of([&] { read_idx(dir + "/long"); }).find("3 unexpected bytes") != std::string::npos);
  write_plain(dir + "/empty", "");
  CHECK(error_of([&] { read_idx(dir + "/empty"); }).find("too short") != std::string::npos);
  CHECK(error_of([&] { read_idx(dir + "/missing"); }) == dir + "/missing: no such file");
  write_plain(dir + "/bad.gz", std::string("\x1f\x8b\x08\x00garbage-after-gzip-header", 30));
  CHECK(error_of([&] { read_idx(dir + "/bad.gz"); }).rfind(dir + "/bad.gz: ", 0) == 0);
}

TEST_CASE("load_idx_split finds the standard names, preferring plain over .gz", "[idx]") {
  const std::string dir = make_scratch_dir("idx");
  write_gz(dir + "/t10k-images-idx3-ubyte.gz", idx_bytes({4, 2, 2}));
  write_plain(dir + "/t10k-labels-idx1-ubyte", idx_bytes({4}));
  const auto test = drift::core::load_idx_split(dir, "test");
  CHECK(test.count == 4);
  CHECK(error_of([&] { drift::core::load_idx_split(dir, "train"); }).find("train-images-idx3-ubyte") !=
        std::string::npos);
}
