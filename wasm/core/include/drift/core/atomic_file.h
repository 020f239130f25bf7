// Atomic file writes: write to a temp file in the same folder, then rename over the target,
// so a crash or Ctrl-C never leaves a half-written model, checkpoint or image behind.
#pragma once
#include <string>
#include <string_view>

namespace drift::core {

// Writes bytes to path atomically. Throws std::runtime_error("PATH: problem").
void write_file_atomic(const std::string& path, std::string_view bytes);

// For writers that need a path of their own (torch::save, libpng): write to
// temp_path_for(path), then commit_temp_file(temp, path) renames it into place.
std::string temp_path_for(const std::string& path);
void commit_temp_file(const std::string& temp_path, const std::string& path);

// Reads a whole file. Throws std::runtime_error("PATH: problem").
std::string read_file(const std::string& path);

}  // namespace drift::core
