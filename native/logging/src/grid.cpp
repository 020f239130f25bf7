#include "drift/logging/grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace drift::logging {

Image make_grid(const float* data, int n, int channels, int h, int w, const GridOptions& opt) {
  // data [n, channels, h, w] -> image [rows*(h*s+pad)+pad, cols*(w*s+pad)+pad, channels]
  if (n < 1 || h < 1 || w < 1 || opt.nrow < 1 || opt.pad < 0 || opt.scale < 1 || !(opt.hi > opt.lo))
    throw std::runtime_error("make_grid: bad arguments (n=" + std::to_string(n) + ", h=" + std::to_string(h) +
                             ", w=" + std::to_string(w) + ", nrow=" + std::to_string(opt.nrow) + ")");
  if (channels != 1 && channels != 3)
    throw std::runtime_error("make_grid: channels must be 1 or 3, got " + std::to_string(channels));
  const int cols = std::min(n, opt.nrow);
  const int rows = (n + opt.nrow - 1) / opt.nrow;
  const int th = h * opt.scale, tw = w * opt.scale;
  Image img(cols * (tw + opt.pad) + opt.pad, rows * (th + opt.pad) + opt.pad, channels, opt.pad_value);
  const float inv = 1.f / (opt.hi - opt.lo);
  for (int k = 0; k < n; ++k) {
    const int x0 = opt.pad + (k % opt.nrow) * (tw + opt.pad);
    const int y0 = opt.pad + (k / opt.nrow) * (th + opt.pad);
    const float* src = data + size_t(k) * size_t(channels) * size_t(h) * size_t(w);
    for (int y = 0; y < th; ++y)
      for (int x = 0; x < tw; ++x)
        for (int c = 0; c < channels; ++c) {
          const float v = src[(size_t(c) * size_t(h) + size_t(y / opt.scale)) * size_t(w) + size_t(x / opt.scale)];
          const float t = std::isnan(v) ? 0.f : std::clamp((v - opt.lo) * inv, 0.f, 1.f);
          img.at(x0 + x, y0 + y)[c] = uint8_t(std::lround(t * 255.f));
        }
  }
  return img;
}

}  // namespace drift::logging
