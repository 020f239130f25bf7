// PNG encode/decode through libpng's simplified API. Torch-free.
#pragma once
#include <string>

#include "drift/logging/image.h"

namespace drift::logging {

// Encoded PNG bytes of a gray or RGB image. Throws std::runtime_error on an invalid image.
std::string encode_png(const Image& img);

// Writes img to path atomically (temp + rename). Throws std::runtime_error("PATH: problem").
void write_png(const std::string& path, const Image& img);

// Decodes PNG bytes to gray (1 channel) or RGB (3), the file's own colour type decides;
// `name` is used in error messages ("NAME: problem").
Image decode_png(const std::string& bytes, const std::string& name = "png");
Image read_png(const std::string& path);

}  // namespace drift::logging
