// Writing an encoded model's files (writer.h); the encoding itself is the core's
// (drift/core/model_writer.h).
#include "drift/export/writer.h"

#include <filesystem>
#include <stdexcept>

#include "drift/core/atomic_file.h"

namespace drift::exporter {

void write_model_files(const std::string& out_dir, const ModelFiles& files,
                       const std::string& bin_name, const std::string& manifest_name) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw std::runtime_error(out_dir + ": cannot create folder: " + ec.message());
  const std::string base = out_dir.empty() || out_dir.back() == '/' ? out_dir : out_dir + "/";
  drift::core::write_file_atomic(base + bin_name, files.bin);
  for (const SnapshotFile& s : files.snapshot_bins) drift::core::write_file_atomic(base + s.file, s.bin);
  drift::core::write_file_atomic(base + manifest_name, files.manifest);
}

}  // namespace drift::exporter
