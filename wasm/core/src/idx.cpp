#include "drift/core/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
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

// The bytes of the file being parsed (plain, or inflated from gzip).
struct Bytes {
  const uint8_t* p;
  size_t n;
  size_t size() const { return n; }
  uint8_t operator[](size_t i) const { return p[i]; }
  const uint8_t* begin() const { return p; }
  const uint8_t* end() const { return p + n; }
};

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

}  // namespace

// gzip data (one or more members) inflated in memory, refusing more than the size limit.
std::vector<uint8_t> gunzip(std::string_view in, const std::string& path) {
  std::vector<uint8_t> out;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw idx_error(path, "cannot start zlib");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  uint8_t chunk[1 << 16];
  for (;;) {
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.insert(out.end(), chunk, chunk + (sizeof chunk - zs.avail_out));
    if (out.size() > kMaxIdxBytes + 64) {
      inflateEnd(&zs);
      throw idx_error(path, "file is larger than the 4 GiB limit");
    }
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (as gzip -c a b > ab writes); anything else is an error.
      if (zs.avail_in == 0) break;
      if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
        inflateEnd(&zs);
        throw idx_error(path, "corrupt gzip data (" + std::to_string(zs.avail_in) + " bytes after the gzip stream)");
      }
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_OK) continue;
    const std::string why = rc == Z_BUF_ERROR ? "truncated" : zs.msg ? zs.msg : "error " + std::to_string(rc);
    inflateEnd(&zs);
    throw idx_error(path, "corrupt gzip data (" + why + ")");
  }
  inflateEnd(&zs);
  return out;
}


IdxArray read_idx(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) throw idx_error(path, "no such file");
  if (uint64_t(st.st_size) > kMaxIdxBytes + 64) throw idx_error(path, "file is larger than the 4 GiB limit");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw idx_error(path, std::string("cannot open: ") + std::strerror(errno));
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw idx_error(path, std::string("read failed: ") + std::strerror(errno));
  return parse_idx(bytes, path);
}

IdxArray parse_idx(std::string_view file, const std::string& path) {
  // gzip by its magic number, whatever the name (as zlib's gzread did); otherwise plain.
  const bool gz = file.size() >= 2 && uint8_t(file[0]) == 0x1f && uint8_t(file[1]) == 0x8b;
  std::vector<uint8_t> inflated;
  if (gz) inflated = gunzip(file, path);
  const uint8_t* data = gz ? inflated.data() : reinterpret_cast<const uint8_t*>(file.data());
  const size_t size = gz ? inflated.size() : file.size();
  if (size > kMaxIdxBytes + 64) throw idx_error(path, "file is larger than the 4 GiB limit");
  const Bytes bytes{data, size};
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
    const uint32_t v = read_be32(bytes.begin() + 4 + 4 * d);
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
  out.data.assign(bytes.begin() + header, bytes.end());
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
