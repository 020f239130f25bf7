#include "drift/logging/image.h"

namespace drift::logging {

Image to_rgb(const Image& img) {
  if (img.channels == 3) return img;
  Image out(img.width, img.height, 3);
  for (size_t i = 0, n = size_t(img.width) * size_t(img.height); i < n; ++i)
    for (int c = 0; c < 3; ++c) out.pixels[i * 3 + size_t(c)] = img.pixels[i];
  return out;
}

}  // namespace drift::logging
