#include "drift/logging/record_gif.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <stdexcept>

#include "drift/core/atomic_file.h"
#include "drift/core/npy.h"
#include "drift/logging/grid.h"
#include "drift/logging/scatter.h"
#include "drift/core/toy_data.h"

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace drift::logging {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

// Image layout of a frame: n images of c x h x w, or n=0 if it is not images.
struct Layout {
  int64_t n = 0, c = 1, h = 0, w = 0;
};

Layout image_layout(const std::vector<int64_t>& s) {
  Layout l;
  if (s.size() == 3) l = {s[0], 1, s[1], s[2]};
  else if (s.size() == 4 && (s[1] == 1 || s[1] == 3)) l = {s[0], s[1], s[2], s[3]};
  else if (s.size() == 2 && s[1] > 2) {  // flat [N, H*W] with a square side
    const int64_t side = int64_t(std::llround(std::sqrt(double(s[1]))));
    if (side * side == s[1]) l = {s[0], 1, side, side};
  }
  if (l.n < 1 || l.h < 1 || l.w < 1) l.n = 0;
  return l;
}

// A bar along the bottom rows: filled up to frac, in the image's own channel count.
void draw_progress(Image& img, double frac) {
  const int rows = std::max(2, img.height / 120);
  const int filled = int(std::lround(std::clamp(frac, 0.0, 1.0) * img.width));
  for (int y = img.height - rows; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      uint8_t* p = img.at(x, y);
      if (img.channels == 3) {
        const bool on = x < filled;
        p[0] = on ? 60 : 230, p[1] = on ? 60 : 230, p[2] = on ? 60 : 230;
      } else {
        p[0] = x < filled ? 255 : 64;
      }
    }
}

std::vector<float> npy_points(const std::string& path) {
  drift::core::NpyArray a = drift::core::read_npy(path);
  if (a.shape.size() != 2 || a.shape[1] != 2)
    throw std::runtime_error(path + ": shape " + shape_str(a.shape) + " is not points [M,2]");
  return a.data;
}

// The scatter's target points [M,2] (empty: none) and a description of their source.
std::vector<float> find_target(const std::string& run_dir, const std::string& record_dir, const std::string& spec,
                               std::string& source) {
  constexpr int kToyPoints = 4096;
  if (spec == "none") return {};
  if (!spec.empty()) {
    source = spec;
    if (drift::core::is_toy_name(spec)) return drift::core::sample_toy(spec, kToyPoints, 0);
    return npy_points(spec);
  }
  const std::string target_npy = (fs::path(record_dir) / "target.npy").string();
  if (fs::exists(target_npy)) {
    source = target_npy;
    return npy_points(target_npy);
  }
  const std::string options = (fs::path(run_dir) / "options.json").string();
  if (fs::exists(options)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(drift::core::read_file(options));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(options + ": not valid JSON (" + e.what() + ")");
    }
    if (j.is_object() && j.contains("dataset") && j["dataset"].is_string() &&
        drift::core::is_toy_name(j["dataset"].get<std::string>())) {
      source = j["dataset"].get<std::string>() + " (from options.json)";
      return drift::core::sample_toy(j["dataset"].get<std::string>(), kToyPoints, 0);
    }
  }
  return {};
}

}  // namespace

std::vector<RecordFrame> list_record_frames(const std::string& record_dir) {
  std::vector<RecordFrame> frames;
  static const std::regex name_re("step_([0-9]{8})\\.npy");
  std::error_code ec;
  for (fs::directory_iterator it(record_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch m;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, m, name_re)) frames.push_back({std::stoll(m[1].str()), it->path().string()});
  }
  if (frames.empty()) throw std::runtime_error(record_dir + ": no step_XXXXXXXX.npy files");
  std::sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) { return a.step < b.step; });
  return frames;
}

RecordGif render_record(const std::string& run_dir, const RecordGifOptions& opt) {
  if (!(opt.fps > 0) || opt.max_frames < 2) throw std::runtime_error("gif: fps must be > 0 and max_frames >= 2");
  const std::string record_dir = (fs::path(run_dir) / "record").string();
  std::vector<RecordFrame> all = list_record_frames(record_dir);
  std::vector<RecordFrame> frames;
  if (int(all.size()) <= opt.max_frames) {
    frames = all;
  } else {
    for (int i = 0; i < opt.max_frames; ++i)
      frames.push_back(all[size_t(std::llround(double(i) * double(all.size() - 1) / double(opt.max_frames - 1)))]);
  }
  const int64_t last_step = std::max<int64_t>(frames.back().step, 1);

  std::vector<drift::core::NpyArray> arrays;
  for (const auto& f : frames) arrays.push_back(drift::core::read_npy(f.path));
  const auto& shape0 = arrays[0].shape;
  for (size_t i = 1; i < arrays.size(); ++i)
    if (arrays[i].shape != shape0)
      throw std::runtime_error(frames[i].path + ": shape " + shape_str(arrays[i].shape) +
                               " differs from the first frame's " + shape_str(shape0));

  RecordGif out;
  out.gif.delay_cs = std::max(2, int(std::lround(100.0 / opt.fps)));  // browsers treat <2 cs as 10
  const bool points = shape0.size() == 2 && shape0[1] == 2;
  const Layout lay = image_layout(shape0);
  if (points) {
    out.kind = "scatter";
    const std::vector<float> target = find_target(run_dir, record_dir, opt.target, out.target);
    // Fixed axes for the whole animation: fit everything that will be drawn.
    std::vector<float> everything = target;
    for (const auto& a : arrays) everything.insert(everything.end(), a.data.begin(), a.data.end());
    ScatterOptions so;
    so.size = opt.size;
    so = fit_axes(everything.data(), int(everything.size() / 2), 0.06f, so);
    for (size_t i = 0; i < arrays.size(); ++i) {
      out.frames.push_back(render_scatter(arrays[i].data.data(), int(shape0[0]), target.data(),
                                          int(target.size() / 2), so));
    }
  } else if (lay.n > 0) {
    out.kind = "grid";
    GridOptions go;
    go.nrow = opt.nrow > 0 ? opt.nrow : std::max(1, int(std::lround(std::sqrt(double(lay.n)))));
    go.scale = opt.scale;
    go.lo = opt.lo, go.hi = opt.hi;
    if (opt.auto_range) {
      float mn = 0;
      for (const auto& a : arrays)
        for (float v : a.data) mn = std::min(mn, v);
      go.lo = mn < -0.25f ? -1.f : 0.f, go.hi = 1.f;
    }
    for (const auto& a : arrays)
      out.frames.push_back(make_grid(a.data.data(), int(lay.n), int(lay.c), int(lay.h), int(lay.w), go));
  } else {
    throw std::runtime_error(frames[0].path + ": shape " + shape_str(shape0) +
                             " is neither points [N,2] nor images [N,H,W], [N,C,H,W], [N,H*W]");
  }
  if (opt.progress_bar)
    for (size_t i = 0; i < out.frames.size(); ++i) draw_progress(out.frames[i], double(frames[i].step) / double(last_step));
  const int hold = int(std::lround(opt.hold_seconds * opt.fps));
  for (int i = 0; i < hold; ++i) out.frames.push_back(out.frames.back());
  return out;
}

}  // namespace drift::logging
