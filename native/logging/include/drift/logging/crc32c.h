// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord framing.
// Torch-free.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace drift::logging {

// CRC-32C of n bytes, continuing from a previous crc (0 to start).
uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);
inline uint32_t crc32c(std::string_view s) { return crc32c(s.data(), s.size()); }

// TFRecord stores masked CRCs: rotate right by 15 and add 0xa282ead8, because a CRC over
// data that itself contains CRCs is otherwise weak.
inline uint32_t mask_crc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t masked_crc32c(std::string_view s) { return mask_crc(crc32c(s)); }

}  // namespace drift::logging
