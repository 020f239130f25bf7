// Helpers shared by the unit tests: unique scratch folders and capturing one error line.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

// A new, empty, uniquely named folder under /tmp (mkdtemp), so parallel runs never collide.
inline std::string make_scratch_dir(const std::string& tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("drift-test-" + tag + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a scratch folder for " + tag);
  return tmpl;
}
inline std::filesystem::path fresh_dir(const std::string& tag) { return make_scratch_dir(tag); }

// The message of the std::runtime_error fn throws, or "(no error)".
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}
