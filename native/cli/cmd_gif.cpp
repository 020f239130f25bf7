// `drift-train gif RUN_DIR`: the run's recorded evolution (RUN_DIR/record/step_*.npy) as an
// animated GIF — a scatter of generated vs target points for 2D runs, a digit grid otherwise.
#include <iostream>
#include <memory>

#include "drift/logging/record_gif.h"
#include "registry.h"
#include "validators.h"

namespace {

struct GifArgs {
  std::string run_dir;
  std::string out;  // default RUN_DIR/record.gif
  drift::logging::RecordGifOptions opt;
  std::vector<float> range;  // --range LO HI (grids)
};

void run_gif(GifArgs& a) {
  using namespace drift::logging;
  if (!a.range.empty()) a.opt.auto_range = false, a.opt.lo = a.range[0], a.opt.hi = a.range[1];
  const std::string out = a.out.empty() ? a.run_dir + "/record.gif" : a.out;
  const RecordGif g = render_record(a.run_dir, a.opt);
  write_gif(out, g.frames, g.gif);
  std::cout << "gif: " << g.kind << ", " << g.frames.size() << " frames of " << g.frames[0].width << "x"
            << g.frames[0].height << " at " << a.opt.fps << " fps"
            << (g.target.empty() ? "" : ", target " + g.target) << " -> " << out << std::endl;
}

void add_gif(CLI::App& app) {
  auto args = std::make_shared<GifArgs>();
  auto* cmd = app.add_subcommand("gif", "Animate a run's record/step_*.npy snapshots into a GIF");
  cmd->add_option("run_dir", args->run_dir, "Run folder (trained with --record)")->required();
  cmd->add_option("--out", args->out, "Output GIF (default: RUN_DIR/record.gif)");
  cmd->add_option("--fps", args->opt.fps, "Frames per second")->capture_default_str()->check(drift::cli::finite_positive());
  cmd->add_option("--hold", args->opt.hold_seconds, "Extra seconds on the last frame")->capture_default_str()
      ->check(drift::cli::finite_range(0.0, 3600.0));
  cmd->add_option("--max-frames", args->opt.max_frames, "Thin to at most this many frames")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--size", args->opt.size, "Scatter plots: image size in pixels")
      ->capture_default_str()
      ->check(CLI::Range(32, 4096));
  cmd->add_option("--nrow", args->opt.nrow, "Digit grids: images per row (0: square)")->capture_default_str()
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--scale", args->opt.scale, "Digit grids: pixel upscaling")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  cmd->add_option("--range", args->range, "Digit grids: value range LO HI (default: auto, [0,1] or [-1,1])")
      ->expected(2)
      ->check(drift::cli::finite_range(-1e30, 1e30));
  cmd->add_option("--target", args->opt.target,
                  "Scatter target: none | toy name | FILE.npy (default: record/target.npy, else the run's toy dataset)");
  cmd->add_flag("!--no-progress-bar", args->opt.progress_bar, "Omit the step bar along the bottom edge");
  cmd->callback([args] { run_gif(*args); });
}

}  // namespace

DRIFT_REGISTER_COMMAND(add_gif);
