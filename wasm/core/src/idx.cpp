#include "drift/core/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/stat.h>

namespace drift::core {
namespace {

// Refuse anything larger than this many data bytes: a corrupt header must not make us
// try to allocate terabytes.
constexpr uint64_t kMaxIdxBytes = uint64_t(1) << 32;

std::runtime_error idx_error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Whole file (decompressed when .gz) as bytes.
std::vector<uint8_t> read_all_bytes(const std::string& path) {
  if (!file_exists(path)) throw idx_error(path, "no such file");
  gzFile f = gzopen(path.c_str(), "rb");  // also reads plain files transparently
  if (!f) throw idx_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      gzclose(f);
      throw idx_error(path, "corrupt gzip data (" + msg + ")");
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    if (bytes.size() > kMaxIdxBytes + 64) {
      gzclose(f);
      throw idx_error(path, "file is larger than the 4 GiB limit");
    }
  }
  gzclose(f);
  return bytes;
}

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  const std::vector<uint8_t> bytes = read_all_bytes(path);
  if (bytes.size() < 4) throw idx_error(path, "too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "bad magic number 0x%02X%02X%02X%02X (not an IDX file)", bytes[0], bytes[1],
                  bytes[2], bytes[3]);
    throw idx_error(path, buf);
  }
  if (bytes[2] != 0x08) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "unsupported IDX data type 0x%02X (only unsigned byte, 0x08, is read)", bytes[2]);
    throw idx_error(path, buf);
  }
  const int ndims = bytes[3];
  if (ndims < 1 || ndims > 4) throw idx_error(path, "bad magic number: " + std::to_string(ndims) + " dimensions (expected 1 to 4)");
  const size_t header = 4 + 4 * size_t(ndims);
  if (bytes.size() < header) throw idx_error(path, "truncated: header needs " + std::to_string(header) + " bytes, file holds " + std::to_string(bytes.size()));

  IdxArray out;
  uint64_t item_bytes = 1;  // bytes per item along the first dimension
  for (int d = 0; d < ndims; ++d) {
    const uint32_t v = read_be32(&bytes[4 + 4 * d]);
    if (v == 0) throw idx_error(path, "dimension " + std::to_string(d) + " is zero");
    out.dims.push_back(v);
    if (d > 0) item_bytes *= v;
    if (item_bytes > kMaxIdxBytes) throw idx_error(path, "absurd dimensions in header");
  }
  const uint64_t count = uint64_t(out.dims[0]);
  if (count * item_bytes > kMaxIdxBytes) throw idx_error(path, "absurd dimensions in header");
  const uint64_t want = count * item_bytes;
  const uint64_t have = bytes.size() - header;
  const char* noun = ndims == 1 ? "labels" : ndims == 3 ? "images" : "items";
  if (have < want)
    throw idx_error(path, "truncated: header says " + std::to_string(count) + " " + noun + ", file holds " +
                              std::to_string(have / item_bytes));
  if (have > want)
    throw idx_error(path, std::to_string(have - want) + " unexpected bytes after the " + std::to_string(count) + " " + noun);
  out.data.assign(bytes.begin() + long(header), bytes.end());
  return out;
}

LabelledImages load_idx_pair(const std::string& images_path, const std::string& labels_path) {
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3)
    throw idx_error(images_path, "expected 3 dimensions (count, rows, cols), found " + std::to_string(images.dims.size()));
  if (labels.dims.size() != 1)
    throw idx_error(labels_path, "expected 1 dimension (count), found " + std::to_string(labels.dims.size()));
  if (images.dims[0] != labels.dims[0])
    throw idx_error(labels_path, "count mismatch: " + std::to_string(labels.dims[0]) + " labels for " +
                                     std::to_string(images.dims[0]) + " images in " + images_path);
  LabelledImages out;
  out.count = images.dims[0];
  out.rows = images.dims[1];
  out.cols = images.dims[2];
  out.pixels = std::move(images.data);
  out.labels = std::move(labels.data);
  out.num_classes = int(*std::max_element(out.labels.begin(), out.labels.end())) + 1;
  return out;
}

std::string find_idx_file(const std::string& dir, const std::string& split, const std::string& kind) {
  if (split != "train" && split != "test") throw std::runtime_error(dir + ": unknown split '" + split + "' (train or test)");
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string stem = kind == "images" ? "-images-idx3-ubyte" : "-labels-idx1-ubyte";
  const std::string plain = dir + "/" + prefix + stem;
  if (file_exists(plain)) return plain;
  if (file_exists(plain + ".gz")) return plain + ".gz";
  throw idx_error(plain, "no such file (nor .gz); run ./scripts/fetch-data.sh");
}

LabelledImages load_idx_split(const std::string& dir, const std::string& split) {
  // Look up images before labels so a missing set always names the image file first.
  const std::string images = find_idx_file(dir, split, "images");
  const std::string labels = find_idx_file(dir, split, "labels");
  return load_idx_pair(images, labels);
}

}  // namespace drift::core
