#include "drift/logging/scatter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace drift::logging {
namespace {

void dot(Image& img, int cx, int cy, int r, Rgb c) {
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx) {
      if (dx * dx + dy * dy > r * r + r) continue;  // r*r+r: round discs at small radii
      const int x = cx + dx, y = cy + dy;
      if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
      uint8_t* p = img.at(x, y);
      p[0] = c.r, p[1] = c.g, p[2] = c.b;
    }
}

void points(Image& img, const float* pts, int n, const ScatterOptions& o, Rgb c) {
  // pts [n,2] -> dots; pixel centres map [xmin,xmax] to [0,size-1], y flipped.
  const float sx = float(o.size - 1) / (o.xmax - o.xmin), sy = float(o.size - 1) / (o.ymax - o.ymin);
  for (int i = 0; i < n; ++i) {
    const float x = pts[2 * i], y = pts[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    if (x < o.xmin || x > o.xmax || y < o.ymin || y > o.ymax) continue;
    dot(img, int(std::lround((x - o.xmin) * sx)), int(std::lround((o.ymax - y) * sy)), o.radius, c);
  }
}

}  // namespace

ScatterOptions fit_axes(const float* pts, int n, float margin, ScatterOptions base) {
  float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (int i = 0; i < n; ++i) {
    const float x = pts[2 * i], y = pts[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  }
  if (!(x0 <= x1)) {
    base.xmin = base.ymin = -4, base.xmax = base.ymax = 4;
    return base;
  }
  const float half = 0.5f * std::max({x1 - x0, y1 - y0, 1e-3f}) * (1.f + 2.f * margin);
  const float cx = 0.5f * (x0 + x1), cy = 0.5f * (y0 + y1);
  base.xmin = cx - half, base.xmax = cx + half, base.ymin = cy - half, base.ymax = cy + half;
  return base;
}

Image render_scatter(const float* generated, int n, const float* target, int m, const ScatterOptions& o) {
  if (o.size < 2 || !(o.xmax > o.xmin) || !(o.ymax > o.ymin) || o.radius < 0)
    throw std::runtime_error("render_scatter: bad axes or size");
  Image img(o.size, o.size, 3);
  for (size_t i = 0; i < img.pixels.size(); i += 3)
    img.pixels[i] = o.background.r, img.pixels[i + 1] = o.background.g, img.pixels[i + 2] = o.background.b;
  const auto line_at = [&](float v, float lo, float hi) { return int(std::lround((v - lo) / (hi - lo) * float(o.size - 1))); };
  if (o.xmin < 0 && o.xmax > 0) {
    const int x = line_at(0, o.xmin, o.xmax);
    for (int y = 0; y < o.size; ++y) { uint8_t* p = img.at(x, y); p[0] = o.axes.r, p[1] = o.axes.g, p[2] = o.axes.b; }
  }
  if (o.ymin < 0 && o.ymax > 0) {
    const int y = o.size - 1 - line_at(0, o.ymin, o.ymax);
    for (int x = 0; x < o.size; ++x) { uint8_t* p = img.at(x, y); p[0] = o.axes.r, p[1] = o.axes.g, p[2] = o.axes.b; }
  }
  if (target && m > 0) points(img, target, m, o, o.target);
  if (generated && n > 0) points(img, generated, n, o, o.generated);
  return img;
}

}  // namespace drift::logging
