// float32 .npy: round trip, and clear rejection of every other layout.
#include "drift_catch.h"

#include <fstream>

#include "drift/core/atomic_file.h"
#include "drift/core/npy.h"
#include "test_util.h"

using namespace drift::core;

namespace {
// A .npy with an arbitrary header dict (NumPy's layout: magic, v1.0, le16 length, dict).
std::string npy_with_header(const std::string& dict, size_t data_bytes) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string s = "\x93NUMPY";
  s += char(1);
  s += char(0);
  s += char(header.size() & 0xff);
  s += char(header.size() >> 8);
  return s + header + std::string(data_bytes, '\0');
}
}  // namespace

TEST_CASE("npy round trip keeps shape and values", "[npy]") {
  const std::string dir = make_scratch_dir("npy");
  std::vector<float> v = {1.5f, -2.0f, 3.25f, 0.0f, 1e-8f, 7.0f};
  write_npy(dir + "/a.npy", {2, 3}, v.data());
  const auto a = read_npy(dir + "/a.npy");
  CHECK(a.shape == std::vector<int64_t>{2, 3});
  CHECK(a.data == v);
  write_npy(dir + "/b.npy", {6}, v.data());
  CHECK(read_npy(dir + "/b.npy").shape == std::vector<int64_t>{6});
  // Data starts on a 64-byte boundary, as NumPy writes it.
  CHECK((read_file(dir + "/b.npy").size() - 24) % 64 == 0);
}

TEST_CASE("npy rejects other dtypes, Fortran order and wrong sizes", "[npy]") {
  CHECK(parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 16), "x.npy")
            .numel() == 4);
  CHECK(error_of([] {
          parse_npy(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16), "x.npy");
        }) == "x.npy: dtype '<f8' is not supported; need float32 ('<f4')");
  CHECK(error_of([] {
          parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16), "x.npy");
        }).find("Fortran-order") != std::string::npos);
  CHECK(error_of([] {
          parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 16), "x.npy");
        }) == "x.npy: data holds 16 bytes, shape needs 24");
  CHECK(error_of([] { parse_npy("not numpy at all", "x.npy"); }) == "x.npy: not a .npy file (bad magic)");
  CHECK(error_of([] { read_npy("/nonexistent/z.npy"); }).rfind("/nonexistent/z.npy: cannot open", 0) == 0);
}

// Found by tests/fuzz/fuzz_npy (inputs in tests/fuzz/regressions/fuzz_npy): header text quoted
// in an error could hold a newline (a two-line message), 12-digit dimensions overflowed int64,
// and a shape that is not a tuple escaped as std::out_of_range.
TEST_CASE("npy errors stay one line and huge shapes do not overflow", "[npy][fuzz]") {
  const std::string msg = error_of([] {
    parse_npy(npy_with_header("{'descr':                                 \n?", 0), "x.npy");
  });
  CHECK(msg.rfind("x.npy: dtype ", 0) == 0);
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.size() < 120);
  CHECK(error_of([] {
          parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999, 999999999999, "
                                    "999999999999), }", 0), "x.npy");
        }) == "x.npy: absurd array size in npy header");
  CHECK(parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 999999999999), }", 0),
                  "x.npy")
            .numel() == 0);
  // A shape that is no tuple threw std::out_of_range instead of "PATH: problem".
  CHECK(error_of([] {
          parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': , }", 0), "x.npy");
        }) == "x.npy: malformed shape  in npy header");
  CHECK(error_of([] {
          parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': 7, }", 0), "x.npy");
        }) == "x.npy: malformed shape 7 in npy header");
}

TEST_CASE("atomic write replaces the file and leaves no temp file", "[npy]") {
  const std::string dir = make_scratch_dir("atomic");
  write_file_atomic(dir + "/f", "first");
  write_file_atomic(dir + "/f", "second");
  CHECK(read_file(dir + "/f") == "second");
  CHECK(!std::ifstream(temp_path_for(dir + "/f")).good());
  CHECK(error_of([&] { write_file_atomic(dir + "/no/such/dir/f", "x"); }).rfind(dir + "/no/such/dir/f: cannot open", 0) == 0);
}

TEST_CASE("read_npy_2d checks rank, rows and columns", "[npy]") {
  const std::string dir = make_scratch_dir("npy2d");
  std::vector<float> v(6, 1.0f);
  write_npy(dir + "/m.npy", {2, 3}, v.data());
  write_npy(dir + "/flat.npy", {6}, v.data());
  write_npy(dir + "/empty.npy", {0, 3}, v.data());
  CHECK(read_npy_2d(dir + "/m.npy", 3).shape == std::vector<int64_t>{2, 3});
  CHECK(error_of([&] { read_npy_2d(dir + "/flat.npy"); }) == dir + "/flat.npy: expected a 2-D array [N, D]");
  CHECK(error_of([&] { read_npy_2d(dir + "/m.npy", 4); }) == dir + "/m.npy: has 3 columns, --x has 4");
  CHECK(error_of([&] { read_npy_2d(dir + "/empty.npy"); }) == dir + "/empty.npy: no rows");
}
