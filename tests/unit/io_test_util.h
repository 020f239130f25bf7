// Scratch folders for tests that write files.
#pragma once
#include <cstdlib>
#include <string>

inline std::string make_scratch_dir(const std::string& tag) {
  std::string tmpl = "/tmp/drift-test-" + tag + "-XXXXXX";
  char* dir = ::mkdtemp(tmpl.data());
  if (!dir) std::abort();
  return dir;
}
