// libpng's simplified API (png_image_*) needs no setjmp error handling, and writes to memory
// so the file itself goes through the atomic writer.
#include "drift/logging/png.h"

#include <png.h>

#include <stdexcept>

#include "drift/core/atomic_file.h"

namespace drift::logging {
namespace {

void check_image(const Image& img) {
  if (img.width <= 0 || img.height <= 0 || (img.channels != 1 && img.channels != 3) ||
      img.pixels.size() != size_t(img.width) * size_t(img.height) * size_t(img.channels))
    throw std::runtime_error("png: invalid image " + std::to_string(img.width) + "x" +
                             std::to_string(img.height) + "x" + std::to_string(img.channels));
}

}  // namespace

std::string encode_png(const Image& img) {
  check_image(img);
  png_image pi{};
  pi.version = PNG_IMAGE_VERSION;
  pi.width = png_uint_32(img.width);
  pi.height = png_uint_32(img.height);
  pi.format = img.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  // First call sizes the buffer, second call fills it.
  if (!png_image_write_to_memory(&pi, nullptr, &size, 0, img.pixels.data(), 0, nullptr))
    throw std::runtime_error(std::string("png: encode failed: ") + pi.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&pi, out.data(), &size, 0, img.pixels.data(), 0, nullptr))
    throw std::runtime_error(std::string("png: encode failed: ") + pi.message);
  out.resize(size);
  return out;
}

void write_png(const std::string& path, const Image& img) {
  std::string bytes;
  try {
    bytes = encode_png(img);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  drift::core::write_file_atomic(path, bytes);
}

Image decode_png(const std::string& bytes, const std::string& name) {
  png_image pi{};
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&pi, bytes.data(), bytes.size()))
    throw std::runtime_error(name + ": not a readable PNG (" + pi.message + ")");
  const bool gray = !(pi.format & PNG_FORMAT_FLAG_COLOR);
  pi.format = gray ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  Image img(int(pi.width), int(pi.height), gray ? 1 : 3);
  if (!png_image_finish_read(&pi, nullptr, img.pixels.data(), 0, nullptr)) {
    png_image_free(&pi);
    throw std::runtime_error(name + ": PNG decode failed (" + pi.message + ")");
  }
  return img;
}

Image read_png(const std::string& path) { return decode_png(drift::core::read_file(path), path); }

}  // namespace drift::logging
