// Renders a run's recorded evolution (RUN_DIR/record/step_<8 digits>.npy) into frames for
// an animated GIF: 2D points [N,2] become scatter plots over the target set, images
// [N,H,W] / [N,C,H,W] / [N,H*W] become digit grids. Torch-free.
//
// The scatter's target set, in order: RecordGifOptions::target if set ("none", a toy name
// or an .npy path), else RUN_DIR/record/target.npy, else 4096 points of the toy set named
// by "dataset" in RUN_DIR/options.json (drift_core's sampler, seed 0), else none.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "drift/logging/gif.h"
#include "drift/logging/image.h"

namespace drift::logging {

struct RecordFrame {
  int64_t step;
  std::string path;
};

// step_*.npy files in record_dir sorted by step. Throws "DIR: no step_XXXXXXXX.npy files"
// when there are none (or the folder is missing).
std::vector<RecordFrame> list_record_frames(const std::string& record_dir);

struct RecordGifOptions {
  double fps = 10;          // frames per second
  double hold_seconds = 1;  // the last frame is shown this much longer
  int max_frames = 200;     // evenly thinned (first and last kept) above this
  int size = 480;           // scatter: image size in pixels
  int nrow = 0;             // grid: images per row (0: round(sqrt(N)))
  int scale = 2;            // grid: pixel upscaling
  bool auto_range = true;   // grid: [-1,1] if any value < -0.25, else [0,1]
  float lo = 0, hi = 1;     // grid range when !auto_range
  bool progress_bar = true; // thin bar along the bottom edge showing step / last step
  std::string target;       // scatter target override: "none", a toy name or a .npy path
};

struct RecordGif {
  std::vector<Image> frames;
  GifOptions gif;
  std::string kind;    // "scatter" or "grid"
  std::string target;  // scatter: where the target came from ("" if none)
};

// Reads and renders every (thinned) frame. Errors: "PATH: problem" from the npy reader, or
// "PATH: shape [..] is neither points [N,2] nor images" / "differs from the first frame".
RecordGif render_record(const std::string& run_dir, const RecordGifOptions& opt = {});

}  // namespace drift::logging
