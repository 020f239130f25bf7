#include "drift/logging/gif.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "drift/core/atomic_file.h"

namespace drift::logging {
namespace {

struct Palette {
  std::vector<GifColorType> colors;  // padded to a power of two for the colour map
  std::vector<std::vector<GifByteType>> indices;  // per frame, one index per pixel
};

uint32_t key(const uint8_t* p) { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }

Palette build_palette(const std::vector<Image>& frames) {
  Palette pal;
  const bool gray = frames[0].channels == 1;
  if (gray) {
    for (int i = 0; i < 256; ++i) pal.colors.push_back({GifByteType(i), GifByteType(i), GifByteType(i)});
    for (const Image& f : frames) pal.indices.emplace_back(f.pixels.begin(), f.pixels.end());
    return pal;
  }
  std::unordered_map<uint32_t, int> exact;
  for (const Image& f : frames) {
    for (size_t i = 0; i < f.pixels.size() && exact.size() <= 256; i += 3)
      exact.emplace(key(&f.pixels[i]), int(exact.size()));
    if (exact.size() > 256) break;
  }
  if (exact.size() <= 256) {
    pal.colors.resize(exact.size());
    for (const auto& [k, i] : exact)
      pal.colors[size_t(i)] = {GifByteType(k >> 16), GifByteType((k >> 8) & 0xFF), GifByteType(k & 0xFF)};
    for (const Image& f : frames) {
      std::vector<GifByteType> idx(f.pixels.size() / 3);
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = GifByteType(exact.at(key(&f.pixels[3 * i])));
      pal.indices.push_back(std::move(idx));
    }
  } else {
    // 6 reds x 7 greens x 6 blues = 252 colours; green gets the extra level (eyes see it best).
    for (int r = 0; r < 6; ++r)
      for (int g = 0; g < 7; ++g)
        for (int b = 0; b < 6; ++b)
          pal.colors.push_back({GifByteType(r * 255 / 5), GifByteType(g * 255 / 6), GifByteType(b * 255 / 5)});
    for (const Image& f : frames) {
      std::vector<GifByteType> idx(f.pixels.size() / 3);
      for (size_t i = 0; i < idx.size(); ++i) {
        const uint8_t* p = &f.pixels[3 * i];
        const int r = (p[0] * 5 + 127) / 255, g = (p[1] * 6 + 127) / 255, b = (p[2] * 5 + 127) / 255;
        idx[i] = GifByteType((r * 7 + g) * 6 + b);
      }
      pal.indices.push_back(std::move(idx));
    }
  }
  size_t n = 2;
  while (n < pal.colors.size()) n *= 2;
  pal.colors.resize(n, GifColorType{0, 0, 0});
  return pal;
}

int append_output(GifFileType* gif, const GifByteType* data, int len) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(data), size_t(len));
  return len;
}

// Closes the giflib handle on every path, including exceptions.
struct GifCloser {
  GifFileType* gif;
  ~GifCloser() {
    if (gif) EGifCloseFile(gif, nullptr);
  }
};

void check(int ok, GifFileType* gif, const char* what) {
  if (ok != GIF_OK) throw std::runtime_error(std::string("gif: ") + what + " failed (" + GifErrorString(gif->Error) + ")");
}

}  // namespace

std::string encode_gif(const std::vector<Image>& frames, const GifOptions& opt) {
  // frames: F images [H,W,C], all equal -> GIF89a bytes
  if (frames.empty()) throw std::runtime_error("gif: no frames");
  const Image& f0 = frames[0];
  if (f0.width < 1 || f0.height < 1 || f0.width > 65535 || f0.height > 65535 || (f0.channels != 1 && f0.channels != 3))
    throw std::runtime_error("gif: bad frame size or channels");
  for (size_t i = 0; i < frames.size(); ++i) {
    const Image& f = frames[i];
    if (f.width != f0.width || f.height != f0.height || f.channels != f0.channels ||
        f.pixels.size() != size_t(f.width) * size_t(f.height) * size_t(f.channels))
      throw std::runtime_error("gif: frame " + std::to_string(i) + " differs in size or channels from frame 0");
  }
  const Palette pal = build_palette(frames);
  std::string out;
  int err = 0;
  GifFileType* gif = EGifOpen(&out, append_output, &err);
  if (!gif) throw std::runtime_error(std::string("gif: open failed (") + GifErrorString(err) + ")");
  GifCloser closer{gif};
  EGifSetGifVersion(gif, true);  // GIF89a: needed for delays and the loop extension
  ColorMapObject* cmap = GifMakeMapObject(int(pal.colors.size()), pal.colors.data());
  if (!cmap) throw std::runtime_error("gif: colour map allocation failed");
  const int ok = EGifPutScreenDesc(gif, f0.width, f0.height, 8, 0, cmap);
  GifFreeMapObject(cmap);
  check(ok, gif, "screen descriptor");

  // NETSCAPE2.0 application extension: sub-block 1, then the loop count (LE u16, 0 = forever).
  const GifByteType app[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
  const GifByteType loop[] = {1, GifByteType(opt.loops & 0xFF), GifByteType((opt.loops >> 8) & 0xFF)};
  check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, "loop extension");
  check(EGifPutExtensionBlock(gif, sizeof(app), app), gif, "loop extension");
  check(EGifPutExtensionBlock(gif, sizeof(loop), loop), gif, "loop extension");
  check(EGifPutExtensionTrailer(gif), gif, "loop extension");

  for (size_t i = 0; i < frames.size(); ++i) {
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.UserInputFlag = false;
    gcb.DelayTime = std::clamp(opt.delay_cs, 0, 65535);
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    EGifGCBToExtension(&gcb, ext);
    check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, ext), gif, "graphics control");
    check(EGifPutImageDesc(gif, 0, 0, f0.width, f0.height, false, nullptr), gif, "image descriptor");
    std::vector<GifByteType> row(size_t(f0.width));
    for (int y = 0; y < f0.height; ++y) {
      std::memcpy(row.data(), &pal.indices[i][size_t(y) * size_t(f0.width)], row.size());
      check(EGifPutLine(gif, row.data(), f0.width), gif, "pixel data");
    }
  }
  closer.gif = nullptr;
  if (EGifCloseFile(gif, &err) != GIF_OK)
    throw std::runtime_error(std::string("gif: close failed (") + GifErrorString(err) + ")");
  return out;
}

void write_gif(const std::string& path, const std::vector<Image>& frames, const GifOptions& opt) {
  std::string bytes;
  try {
    bytes = encode_gif(frames, opt);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  drift::core::write_file_atomic(path, bytes);
}

}  // namespace drift::logging
