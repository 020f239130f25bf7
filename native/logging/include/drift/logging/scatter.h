// 2D scatter plots for toy runs: target points and generated points in two colours on
// fixed axes, so frames of a run line up in a GIF. Torch-free.
#pragma once
#include <cstdint>

#include "drift/logging/image.h"

namespace drift::logging {

struct Rgb {
  uint8_t r, g, b;
};

struct ScatterOptions {
  int size = 480;                          // square image, pixels
  float xmin = -4, xmax = 4, ymin = -4, ymax = 4;  // data range shown (y grows upwards)
  int radius = 1;                          // dot radius in pixels (0 = single pixel)
  Rgb background{255, 255, 255};
  Rgb axes{225, 225, 225};                 // the x=0 and y=0 lines, when inside the range
  Rgb target{70, 130, 200};                // blue
  Rgb generated{230, 90, 20};              // orange, drawn on top
};

// Axes that fit points [n,2] with a margin (fraction of the span), square and centred,
// so the plot is not distorted. Non-finite points are ignored; no finite point -> [-4,4]^2.
ScatterOptions fit_axes(const float* points, int n, float margin = 0.08f, ScatterOptions base = {});

// generated [n,2], target [m,2] (either may be null with count 0) -> RGB image.
// Points outside the range or non-finite are skipped.
Image render_scatter(const float* generated, int n, const float* target, int m, const ScatterOptions& opt = {});

}  // namespace drift::logging
