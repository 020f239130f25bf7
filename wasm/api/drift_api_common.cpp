// The part of the C API every drift wasm module exports (drift_api.h, "common"): the last
// error, the version and heap allocation. Linked into both browser modules (drift_api.wasm,
// drift_toy.wasm) and into the native static library.
#include "drift_api_common.h"

#include <cstdlib>

#include "drift/core/version.h"

namespace drift::api {
std::string g_error;

int fail(const std::string& msg) {
  g_error = msg;
  return -1;
}

std::string decimal(long long v) {
  char buf[24];
  int n = 0;
  unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  do buf[n++] = char('0' + u % 10); while (u /= 10);
  std::string s = v < 0 ? "-" : "";
  while (n) s += buf[--n];
  return s;
}
}  // namespace drift::api

extern "C" {
API const char* drift_last_error(void) { return drift::api::g_error.c_str(); }
API const char* drift_version(void) { return drift::core::core_version(); }
API void* drift_malloc(int bytes) { return bytes > 0 ? std::malloc(size_t(bytes)) : nullptr; }
API void drift_free(void* p) { std::free(p); }
}  // extern "C"
