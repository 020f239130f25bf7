// A plain 8-bit image (no torch): the currency of the PNG, GIF, grid and scatter code.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace drift::logging {

// Row-major, channels interleaved: pixel (x, y) channel c is pixels[(y*width + x)*channels + c].
// channels is 1 (gray) or 3 (RGB).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int w, int h, int c, uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(size_t(w) * size_t(h) * size_t(c), fill) {}
  uint8_t* at(int x, int y) { return &pixels[(size_t(y) * size_t(width) + size_t(x)) * size_t(channels)]; }
  const uint8_t* at(int x, int y) const {
    return &pixels[(size_t(y) * size_t(width) + size_t(x)) * size_t(channels)];
  }
};

// Same pixels as RGB (gray is replicated); RGB is returned unchanged.
Image to_rgb(const Image& img);

}  // namespace drift::logging
