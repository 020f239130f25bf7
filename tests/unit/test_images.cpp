// PNG round trip, image grids, scatter plots and animated GIFs (decoded back with giflib).
#include "drift_catch.h"

#include <gif_lib.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "drift/core/atomic_file.h"
#include "drift/core/npy.h"
#include "drift/logging/gif.h"
#include "drift/logging/grid.h"
#include "drift/logging/png.h"
#include "drift/logging/record_gif.h"
#include "drift/logging/scatter.h"

#include "test_util.h"

namespace fs = std::filesystem;
using namespace drift::logging;

namespace {

struct MemReader {
  const std::string* s;
  size_t pos = 0;
};

int read_mem(GifFileType* gif, GifByteType* buf, int n) {
  auto* r = static_cast<MemReader*>(gif->UserData);
  const size_t k = std::min(size_t(n), r->s->size() - r->pos);
  std::memcpy(buf, r->s->data() + r->pos, k);
  r->pos += k;
  return int(k);
}

// Decodes a GIF with giflib; frames as RGB through the global colour map.
struct Decoded {
  int width = 0, height = 0;
  std::vector<Image> frames;
  std::vector<int> delays;
};

Decoded decode_gif(const std::string& bytes) {
  MemReader r{&bytes};
  int err = 0;
  GifFileType* gif = DGifOpen(&r, read_mem, &err);
  REQUIRE(gif != nullptr);
  REQUIRE(DGifSlurp(gif) == GIF_OK);
  Decoded d;
  d.width = gif->SWidth, d.height = gif->SHeight;
  REQUIRE(gif->SColorMap != nullptr);
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& si = gif->SavedImages[i];
    Image img(si.ImageDesc.Width, si.ImageDesc.Height, 3);
    for (size_t p = 0; p < size_t(img.width) * size_t(img.height); ++p) {
      const GifColorType c = gif->SColorMap->Colors[si.RasterBits[p]];
      img.pixels[3 * p] = c.Red, img.pixels[3 * p + 1] = c.Green, img.pixels[3 * p + 2] = c.Blue;
    }
    d.frames.push_back(img);
    GraphicsControlBlock gcb{};
    REQUIRE(DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK);
    d.delays.push_back(gcb.DelayTime);
  }
  DGifCloseFile(gif, &err);
  return d;
}

}  // namespace

TEST_CASE("png round trip, gray and RGB, written atomically", "[images]") {
  const fs::path dir = fresh_dir("png");
  Image gray(7, 4, 1);
  for (size_t i = 0; i < gray.pixels.size(); ++i) gray.pixels[i] = uint8_t(i * 9);
  Image rgb(3, 5, 3);
  for (size_t i = 0; i < rgb.pixels.size(); ++i) rgb.pixels[i] = uint8_t(255 - i * 5);
  write_png((dir / "g.png").string(), gray);
  write_png((dir / "c.png").string(), rgb);
  const std::string bytes = drift::core::read_file((dir / "g.png").string());
  CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const Image g2 = read_png((dir / "g.png").string());
  CHECK(g2.channels == 1);
  CHECK(g2.width == 7);
  CHECK(g2.pixels == gray.pixels);
  const Image c2 = read_png((dir / "c.png").string());
  CHECK(c2.channels == 3);
  CHECK(c2.pixels == rgb.pixels);
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) (void)e, ++files;
  CHECK(files == 2);  // no temp files left behind
  CHECK_THROWS_WITH(read_png((dir / "g.png").string() + "x"), Catch::Contains("g.pngx"));
  CHECK_THROWS_WITH(decode_png("not a png", "thing.png"), Catch::StartsWith("thing.png: "));
  CHECK_THROWS(write_png((dir / "bad.png").string(), Image(0, 0, 1)));
  fs::remove_all(dir);
}

TEST_CASE("make_grid tiles, pads, maps [lo,hi] to [0,255] and clamps", "[images]") {
  // 3 images 2x2, nrow 2, pad 1 -> 2 rows, 2 columns: 7 x 7 pixels.
  const float data[3 * 4] = {0.f, 1.f, 0.5f, 2.f,     // image 0: 0, 255, 128, clamp->255
                             -1.f, 0.25f, 0.75f, 1.f,  // image 1
                             1.f, 1.f, 1.f, 1.f};      // image 2
  GridOptions o;
  o.nrow = 2, o.pad = 1, o.pad_value = 77;
  const Image g = make_grid_gray(data, 3, 2, 2, o);
  REQUIRE(g.width == 7);
  REQUIRE(g.height == 7);
  REQUIRE(g.channels == 1);
  CHECK(*g.at(0, 0) == 77);
  CHECK(*g.at(1, 1) == 0);
  CHECK(*g.at(2, 1) == 255);
  CHECK(*g.at(1, 2) == 128);
  CHECK(*g.at(2, 2) == 255);
  CHECK(*g.at(3, 1) == 77);   // padding column between tiles
  CHECK(*g.at(4, 1) == 0);    // image 1 (-1 clamps to 0)
  CHECK(*g.at(5, 1) == 64);   // 0.25 * 255 = 63.75
  CHECK(*g.at(4, 2) == 191);  // 0.75 * 255 = 191.25
  CHECK(*g.at(1, 4) == 255);  // image 2 starts the second row
  CHECK(*g.at(4, 4) == 77);   // empty slot stays padding
  // Range [-1,1] and upscaling.
  o.lo = -1, o.hi = 1, o.scale = 3, o.nrow = 8;
  const Image big = make_grid_gray(data, 1, 2, 2, o);
  CHECK(big.width == 1 * (2 * 3 + 1) + 1);
  CHECK(*big.at(1, 1) == 128);  // value 0 in [-1,1]
  CHECK(*big.at(3, 3) == 128);
  CHECK(*big.at(4, 1) == 255);
  CHECK_THROWS(make_grid_gray(data, 0, 2, 2));
  CHECK_THROWS(make_grid(data, 1, 2, 2, 2, GridOptions{}));
}

TEST_CASE("render_scatter puts points at the right pixels, generated over target", "[images]") {
  ScatterOptions o;
  o.size = 101, o.xmin = -1, o.xmax = 1, o.ymin = -1, o.ymax = 1, o.radius = 0;
  const float gen[] = {1.f, 1.f, 0.5f, -1.f, 5.f, 5.f};  // last one is out of range
  const float tgt[] = {-1.f, 1.f, 1.f, 1.f};
  const Image img = render_scatter(gen, 3, tgt, 2, o);
  REQUIRE(img.channels == 3);
  const auto is = [&](int x, int y, Rgb c) {
    const uint8_t* p = img.at(x, y);
    return p[0] == c.r && p[1] == c.g && p[2] == c.b;
  };
  CHECK(is(100, 0, o.generated));  // (1,1): top right, generated drawn last
  CHECK(is(75, 100, o.generated)); // (0.5,-1): bottom
  CHECK(is(0, 0, o.target));       // (-1,1): top left
  CHECK(is(50, 20, o.axes));       // x = 0 line
  CHECK(is(20, 50, o.axes));       // y = 0 line
  CHECK(is(20, 20, o.background));
  int coloured = 0;
  for (int y = 0; y < 101; ++y)
    for (int x = 0; x < 101; ++x) coloured += is(x, y, o.generated) || is(x, y, o.target);
  CHECK(coloured == 3);

  const float pts[] = {0.f, 0.f, 2.f, 1.f, NAN, 7.f};
  const ScatterOptions f = fit_axes(pts, 3, 0.f);
  CHECK(f.xmin == Approx(0.f));
  CHECK(f.xmax == Approx(2.f));
  CHECK(f.ymin == Approx(-0.5f));  // square: y span widened to x span, centred
  CHECK(f.ymax == Approx(1.5f));
}

TEST_CASE("gif: frames, delay, loop forever, exact colours, atomic write", "[images]") {
  const fs::path dir = fresh_dir("gif");
  std::vector<Image> frames;
  for (int k = 0; k < 3; ++k) {
    Image f(6, 4, 3, 255);
    f.at(k, 1)[0] = 200, f.at(k, 1)[1] = 10, f.at(k, 1)[2] = 30;
    frames.push_back(f);
  }
  GifOptions opt;
  opt.delay_cs = 7;
  const std::string path = (dir / "anim.gif").string();
  write_gif(path, frames, opt);
  const std::string bytes = drift::core::read_file(path);
  CHECK(bytes.substr(0, 6) == "GIF89a");
  // NETSCAPE2.0 block: sub-block size 3, id 1, loop count 0 (forever).
  CHECK(bytes.find(std::string("NETSCAPE2.0\x03\x01\x00\x00", 15)) != std::string::npos);
  const Decoded d = decode_gif(bytes);
  CHECK(d.width == 6);
  CHECK(d.height == 4);
  REQUIRE(d.frames.size() == 3);
  for (int k = 0; k < 3; ++k) {
    CHECK(d.delays[size_t(k)] == 7);
    CHECK(d.frames[size_t(k)].pixels == frames[size_t(k)].pixels);
  }
  CHECK_THROWS_WITH(write_gif((dir / "x.gif").string(), {frames[0], Image(5, 4, 3)}),
                    Catch::Contains("x.gif: gif: frame 1 differs"));
  CHECK_THROWS(encode_gif({}));
  fs::remove_all(dir);
}

TEST_CASE("gif: gray frames keep every gray level; many colours are quantised", "[images]") {
  Image g(16, 16, 1);
  for (size_t i = 0; i < 256; ++i) g.pixels[i] = uint8_t(i);
  const Decoded d = decode_gif(encode_gif({g}));
  REQUIRE(d.frames.size() == 1);
  for (size_t i = 0; i < 256; ++i) CHECK(d.frames[0].pixels[3 * i] == i);

  Image rgb(64, 64, 3);
  for (size_t i = 0; i < rgb.pixels.size(); ++i) rgb.pixels[i] = uint8_t((i * 37) % 256);
  const Decoded q = decode_gif(encode_gif({rgb}));
  int worst = 0;
  for (size_t i = 0; i < rgb.pixels.size(); ++i)
    worst = std::max(worst, std::abs(int(q.frames[0].pixels[i]) - int(rgb.pixels[i])));
  CHECK(worst <= 26);  // half a step of the 6-level channels (255/5/2 = 25.5)
}

namespace {

std::string step_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "step_%08lld.npy", (long long)step);
  return buf;
}

}  // namespace

TEST_CASE("render_record: 2D points over the target, sorted by step, fixed axes", "[gif]") {
  const fs::path run = fresh_dir("rec2d");
  const fs::path rec = run / "record";
  fs::create_directories(rec);
  // Generated points start at (3,3) and end at the target around (-1,-1).
  std::vector<float> start(40, 3.f), end(40, -1.f), target(60);
  for (size_t i = 0; i < target.size(); ++i) target[i] = -1.f + 0.01f * float(i % 7);
  drift::core::write_npy((rec / step_name(200)).string(), {20, 2}, end.data());
  drift::core::write_npy((rec / step_name(0)).string(), {20, 2}, start.data());
  drift::core::write_npy((rec / "target.npy").string(), {30, 2}, target.data());
  drift::core::write_file_atomic((rec / "step_1.npy").string(), "ignored: not 8 digits");
  drift::core::write_file_atomic((rec / "notes.txt").string(), "ignored");

  const auto listed = list_record_frames(rec.string());
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].step == 0);
  CHECK(listed[1].step == 200);

  RecordGifOptions o;
  o.fps = 5, o.hold_seconds = 0.4, o.size = 200;
  const RecordGif g = render_record(run.string(), o);
  CHECK(g.kind == "scatter");
  CHECK(g.gif.delay_cs == 20);
  REQUIRE(g.frames.size() == 2 + 2);  // two steps + 0.4 s hold at 5 fps
  CHECK(g.frames[0].width == 200);
  CHECK(g.frames[3].pixels == g.frames[1].pixels);
  const ScatterOptions so;
  const auto count = [&](const Image& img, Rgb c) {
    int k = 0;
    for (size_t i = 0; i < img.pixels.size(); i += 3)
      k += img.pixels[i] == c.r && img.pixels[i + 1] == c.g && img.pixels[i + 2] == c.b;
    return k;
  };
  // Frame 0: generated far from the targets, both visible. Last frame: generated covers them.
  CHECK(count(g.frames[0], so.generated) > 0);
  CHECK(count(g.frames[0], so.target) > 0);
  CHECK(count(g.frames[1], so.generated) > 0);
  // Axes fixed across frames: (3,3) is the top-right corner region, (-1,-1) the bottom-left.
  const auto where = [&](const Image& img) {  // mean x of generated-coloured pixels
    double sx = 0;
    int k = 0;
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        const uint8_t* p = img.at(x, y);
        if (p[0] == so.generated.r && p[1] == so.generated.g && p[2] == so.generated.b) sx += x, ++k;
      }
    return sx / std::max(k, 1);
  };
  CHECK(where(g.frames[0]) > 150);
  CHECK(where(g.frames[1]) < 50);

  CHECK(g.target == (rec / "target.npy").string());

  const std::string gif = (run / "out.gif").string();
  write_gif(gif, g.frames, g.gif);
  CHECK(decode_gif(drift::core::read_file(gif)).frames.size() == 4);

  // --target none: no target pixels. Without target.npy, options.json's toy dataset is drawn.
  o.target = "none";
  const RecordGif none = render_record(run.string(), o);
  CHECK(none.target.empty());
  CHECK(count(none.frames[0], so.target) == 0);
  o.target = "";
  fs::remove(rec / "target.npy");
  drift::core::write_file_atomic((run / "options.json").string(), R"({"dataset": "moons", "steps": 200})");
  const RecordGif moons = render_record(run.string(), o);
  CHECK(moons.target == "moons (from options.json)");
  CHECK(count(moons.frames[0], so.target) > 500);
  drift::core::write_file_atomic((run / "options.json").string(), R"({"dataset": "mnist"})");
  CHECK(render_record(run.string(), o).target.empty());
  drift::core::write_file_atomic((run / "options.json").string(), "{not json");
  CHECK_THROWS_WITH(render_record(run.string(), o), Catch::Contains("options.json: not valid JSON"));
  o.target = (run / "missing.npy").string();
  CHECK_THROWS_WITH(render_record(run.string(), o), Catch::Contains("missing.npy"));
  fs::remove_all(run);
}

TEST_CASE("render_record: digit grids, auto range, thinning, errors", "[gif]") {
  const fs::path run = fresh_dir("recimg");
  const fs::path rec = run / "record";
  fs::create_directories(rec);
  for (int s = 0; s < 10; ++s) {
    std::vector<float> img(4 * 3 * 3, -1.f + 0.2f * float(s));  // [4,3,3] in [-1,1]
    drift::core::write_npy((rec / step_name(s * 10)).string(), {4, 3, 3}, img.data());
  }
  RecordGifOptions o;
  o.hold_seconds = 0, o.max_frames = 4, o.scale = 2, o.progress_bar = false;
  const RecordGif g = render_record(run.string(), o);
  CHECK(g.kind == "grid");
  REQUIRE(g.frames.size() == 4);  // steps 0, 30, 60, 90
  CHECK(g.frames[0].channels == 1);
  CHECK(g.frames[0].width == 2 * (3 * 2 + 2) + 2);  // nrow = sqrt(4) = 2, pad 2
  CHECK(g.frames[0].height == 2 * (3 * 2 + 2) + 2);
  // Auto range [-1,1]: value -1 + 0.2*s -> 255 * 0.1 * s.
  CHECK(*g.frames[0].at(2, 2) == 0);
  CHECK(*g.frames[1].at(2, 2) == 77);   // s = 3: 0.3 * 255 = 76.5
  CHECK(*g.frames[3].at(2, 2) == 230);  // s = 9: 0.9 * 255 = 229.5

  // Progress bar on: last row of the first frame is empty, of the last frame full.
  o.progress_bar = true;
  const RecordGif gb = render_record(run.string(), o);
  const Image& f0 = gb.frames.front();
  const Image& f3 = gb.frames.back();
  CHECK(*f0.at(f0.width - 1, f0.height - 1) == 64);
  CHECK(*f3.at(f3.width - 1, f3.height - 1) == 255);

  std::vector<float> odd(4 * 9, 0.f);
  drift::core::write_npy((rec / step_name(100)).string(), {4, 9}, odd.data());  // flat 3x3: same data, other shape
  CHECK_THROWS_WITH(render_record(run.string(), o), Catch::Contains("differs from the first frame"));

  const fs::path run2 = fresh_dir("recbad");
  fs::create_directories(run2 / "record");
  CHECK_THROWS_WITH(render_record(run2.string()), Catch::Contains("record: no step_XXXXXXXX.npy files"));
  std::vector<float> five(5 * 7, 0.f);
  drift::core::write_npy((run2 / "record" / step_name(0)).string(), {5, 7}, five.data());
  CHECK_THROWS_WITH(render_record(run2.string()), Catch::Contains("is neither points"));
  fs::remove_all(run);
  fs::remove_all(run2);
}
