// SHA-256 (FIPS 180-4), written here so the core needs no crypto library (wasm size).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace drift::core {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  std::array<std::uint8_t, 32> digest();  // finalises; call once
 private:
  void block(const std::uint8_t* p);
  std::uint32_t h_[8];
  std::uint8_t buf_[64];
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

// 64 lowercase hex digits.
std::string sha256_hex(const void* data, std::size_t size);

}  // namespace drift::core
