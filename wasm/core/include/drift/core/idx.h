// IDX reader (the MNIST file format), plain or gzip-compressed. Torch-free.
//
// An IDX file is: 2 zero bytes, a type code (0x08 = unsigned byte, the only one we read),
// the number of dimensions, then one big-endian uint32 per dimension, then the data.
// Every problem is reported as std::runtime_error("PATH: problem"), one line.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drift::core {

struct IdxArray {
  std::vector<int64_t> dims;   // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<uint8_t> data;   // row-major, product(dims) bytes
};

// Reads path; gzip data (.gz, recognised by its magic number) is decompressed with zlib.
IdxArray read_idx(const std::string& path);
// The same on the file's bytes (plain or gzip); `path` names the file in error messages.
IdxArray parse_idx(std::string_view file, const std::string& path);
// gzip data (one or more members) inflated in memory, at most 4 GiB; errors name `path`.
std::vector<uint8_t> gunzip(std::string_view in, const std::string& path);

// Images [n, rows, cols] with one label each.
struct LabelledImages {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols
  std::vector<uint8_t> labels;  // count
  int num_classes = 0;          // max label + 1
};

// Reads an image file and a label file and checks they agree.
LabelledImages load_idx_pair(const std::string& images_path, const std::string& labels_path);

// Loads the standard file names in dir for split "train" or "test":
// {train,t10k}-{images-idx3,labels-idx1}-ubyte, plain or .gz (plain preferred).
LabelledImages load_idx_split(const std::string& dir, const std::string& split);

// The path load_idx_split would read for one file ("images"/"labels"), or throws if neither
// the plain nor the .gz file exists.
std::string find_idx_file(const std::string& dir, const std::string& split, const std::string& kind);

}  // namespace drift::core
