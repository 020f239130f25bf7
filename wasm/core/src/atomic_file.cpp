#include "drift/core/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace drift::core {

static std::runtime_error file_error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

std::string temp_path_for(const std::string& path) {
  // Same folder as the target, so rename() never crosses a file system.
  return path + ".tmp." + std::to_string(::getpid());
}

void commit_temp_file(const std::string& temp_path, const std::string& path) {
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temp_path.c_str());
    throw file_error(path, "cannot move the finished file into place: " + why);
  }
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  const std::string temp = temp_path_for(path);
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (!f) throw file_error(path, std::string("cannot open for writing: ") + std::strerror(errno));
  // The first failure's errno names the reason (ENOSPC: disk full, EFBIG: file size limit).
  int err = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) err = errno;
  if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) err = err ? err : errno;
  if (std::fclose(f) != 0) err = err ? err : errno;
  if (err) {
    std::remove(temp.c_str());
    throw file_error(path, std::string("write failed: ") + std::strerror(err));
  }
  commit_temp_file(temp, path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw file_error(path, "read failed");
  return ss.str();
}

}  // namespace drift::core
