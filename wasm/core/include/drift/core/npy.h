// float32 .npy files (NumPy format v1-v3, C order, little-endian '<f4'). Torch-free.
// Anything else (other dtypes, Fortran order, big-endian, truncated data) is rejected with
// std::runtime_error("PATH: problem").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace drift::core {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major, product(shape) values
  int64_t numel() const;
};

NpyArray read_npy(const std::string& path);
// A matrix [N, D] with N >= 1 and, when want_cols >= 0, D == want_cols (the CLIs' field
// inputs: every matrix must match --x's columns).
NpyArray read_npy_2d(const std::string& path, int64_t want_cols = -1);
// Parses .npy bytes; `name` is used in error messages.
NpyArray parse_npy(const std::string& bytes, const std::string& name);

// Writes atomically (temp + rename).
void write_npy(const std::string& path, const std::vector<int64_t>& shape, const float* data);
std::string encode_npy(const std::vector<int64_t>& shape, const float* data);

}  // namespace drift::core
