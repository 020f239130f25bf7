// Animated GIF writer on giflib: frames of one size, one delay, looping forever by
// default. Torch-free.
//
// Palette (one global colour map for all frames): gray frames use 256 grays; RGB frames
// whose colours number <= 256 in total (scatter plots) get an exact palette; anything else
// is quantised to a 6x7x6 colour cube.
#pragma once
#include <string>
#include <vector>

#include "drift/logging/image.h"

namespace drift::logging {

struct GifOptions {
  int delay_cs = 10;  // centiseconds per frame (GIF's unit; 10 = 10 fps)
  int loops = 0;      // 0 = loop forever, otherwise play this many times
};

// Throws std::runtime_error on no frames or frames of different sizes / channel counts.
std::string encode_gif(const std::vector<Image>& frames, const GifOptions& opt = {});
// Atomic write (temp + rename). Throws std::runtime_error("PATH: problem").
void write_gif(const std::string& path, const std::vector<Image>& frames, const GifOptions& opt = {});

}  // namespace drift::logging
