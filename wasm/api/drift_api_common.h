// Shared by the C API's translation units (not part of the public header drift_api.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "drift/api/drift_api.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define API EMSCRIPTEN_KEEPALIVE
#else
#define API
#endif

namespace drift::api {
extern std::string g_error;
int fail(const std::string& msg);  // sets g_error, returns -1
std::string decimal(long long v);  // std::to_string without libc++'s formatting code

// Handles are 1-based indices into a slot vector; 0 is never valid.
template <class T>
T* slot(std::vector<std::unique_ptr<T>>& v, int h, const char* what) {
  if (h <= 0 || size_t(h) > v.size() || !v[size_t(h - 1)]) {
    g_error = std::string(what) + ": invalid handle " + decimal(h);
    return nullptr;
  }
  return v[size_t(h - 1)].get();
}

template <class T>
int store(std::vector<std::unique_ptr<T>>& v, std::unique_ptr<T> s) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!v[i]) {
      v[i] = std::move(s);
      return int(i + 1);
    }
  v.push_back(std::move(s));
  return int(v.size());
}
}  // namespace drift::api
