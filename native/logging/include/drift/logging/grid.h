// Image grids (torchvision make_grid semantics, without torch): N small images tiled
// `nrow` per row with `pad` pixels between and around them. Torch-free: pass a pointer to
// contiguous float data (for a tensor: t.contiguous().cpu().to(kFloat).data_ptr<float>()).
#pragma once
#include <cstdint>

#include "drift/logging/image.h"

namespace drift::logging {

struct GridOptions {
  int nrow = 8;          // images per row
  float lo = 0.f;        // value drawn black
  float hi = 1.f;        // value drawn white (values outside [lo,hi] are clamped; NaN is black)
  int pad = 2;           // pixels between tiles and around the border
  uint8_t pad_value = 0; // colour of the padding
  int scale = 1;         // nearest-neighbour upscaling of every tile (GIFs of 28x28 digits)
};

// data [n, channels, h, w] (channels 1 or 3, PyTorch layout) -> gray or RGB image of
// (ceil(n/nrow)*(h*scale+pad)+pad) rows by (min(n,nrow)*(w*scale+pad)+pad) columns.
// Throws std::runtime_error on n<1, bad sizes or channels.
Image make_grid(const float* data, int n, int channels, int h, int w, const GridOptions& opt = {});
// data [n, h, w] gray. (A separate name: an overload of make_grid taking one int fewer
// would silently bind make_grid(d, n, h, w, {}) to channels=h, h=w, w=0.)
inline Image make_grid_gray(const float* data, int n, int h, int w, const GridOptions& opt = {}) {
  return make_grid(data, n, 1, h, w, opt);
}

}  // namespace drift::logging
