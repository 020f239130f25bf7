// convert_model and validate_and_write (writer.h): torch-free, so drift-train's export of a
// model.json and the writer's tests share them without LibTorch.
#include <filesystem>
#include <stdexcept>

#include "drift/core/atomic_file.h"
#include "drift/core/model.h"
#include "drift/export/writer.h"

namespace drift::exporter {
namespace fs = std::filesystem;

ExportResult validate_and_write(const ModelFiles& files, const std::string& out_dir,
                                std::int64_t parameters) {
  // Validate with the reader the page uses before anything is written.
  std::string err;
  auto model = drift::core::load_model(files.manifest, files.bin.data(), files.bin.size(), &err,
                                       "model.json");
  for (std::size_t i = 0; model && i < files.snapshot_bins.size(); ++i) {
    const auto& s = files.snapshot_bins[i];
    if (!model->load_snapshot(int(i) + 1, s.bin.data(), s.bin.size(), &err, "model.json"))
      model = nullptr;
  }
  if (!model) throw std::runtime_error(out_dir + ": exported model fails validation: " + err);
  write_model_files(out_dir, files);
  ExportResult r;
  const std::string base = out_dir.empty() || out_dir.back() == '/' ? out_dir : out_dir + "/";
  r.manifest_path = base + "model.json";
  r.bin_path = base + "model.bin";
  r.bin_bytes = std::int64_t(files.bin.size());
  for (const auto& s : files.snapshot_bins) r.snapshot_bytes += std::int64_t(s.bin.size());
  r.parameters = parameters;
  r.snapshots = model->weight_set_count() - 1;
  return r;
}

ExportResult convert_model(const std::string& manifest_path, const std::string& out_dir,
                           drift::core::DType dtype) {
  std::string err;
  auto model = drift::core::load_model_file(manifest_path, &err);
  if (!model) throw std::runtime_error(err);
  const drift::core::Manifest& m = model->manifest();
  const fs::path dir = fs::path(manifest_path).parent_path();
  ModelDescription d;
  d.layers = m.layers;
  d.num_classes = m.conditioning.num_classes;
  d.latent_dim = m.conditioning.latent_dim;
  d.alpha_min = m.conditioning.alpha_min;
  d.alpha_max = m.conditioning.alpha_max;
  d.output_shape.assign(m.output_shape.begin(), m.output_shape.end());
  d.output_min = m.output_min;
  d.output_max = m.output_max;
  if (!m.training_json.empty()) d.training = nlohmann::json::parse(m.training_json);
  // The tensors are decoded from the source's own bytes, not from Model::weights (whose
  // linear weights may be packed for the GEMM), one weight set at a time.
  std::string dtypes;
  for (const auto& t : m.tensors)
    if (dtypes.find(drift::core::dtype_name(t.dtype)) == std::string::npos)
      dtypes += std::string(dtypes.empty() ? "" : "+") + drift::core::dtype_name(t.dtype);
  d.training["converted_from"] = fs::path(manifest_path).filename().string() + " (format version " +
                                 std::to_string(m.version) + ", " + dtypes + ")";
  auto read_set = [&](const std::vector<drift::core::TensorEntry>& ts, const std::string& file,
                      const std::string& name, std::int64_t step) {
    const std::string path = (dir / file).string();
    const std::string bin = drift::core::read_file(path);
    WeightSet set;
    set.name = name;
    set.step = step;
    for (const auto& t : ts) {
      TensorData td{t.name, t.shape, std::vector<float>(std::size_t(t.elements()))};
      std::string why;
      if (bin.size() < t.offset + t.length ||
          !drift::core::decode_tensor(t, reinterpret_cast<const std::uint8_t*>(bin.data()),
                                      td.values.data(), &why))
        throw std::runtime_error(path + ": changed while converting" + (why.empty() ? "" : ": " + why));
      set.tensors.push_back(std::move(td));
    }
    return set;
  };
  const auto steps = d.training.contains("steps") && d.training["steps"].is_number_integer()
                         ? d.training["steps"].get<std::int64_t>() : std::int64_t(0);
  const WeightSet final_set = read_set(m.tensors, m.bin_file, "final", steps);
  std::vector<WeightSet> snaps;
  for (std::size_t i = 0; i < m.snapshots.size(); ++i) {
    const auto& s = m.snapshots[i];
    if (!model->weight_set_ready(int(i) + 1))
      throw std::runtime_error((dir / s.bin.file).string() + ": missing (snapshot \"" + s.name +
                               "\" of " + manifest_path + ")");
    snaps.push_back(read_set(s.tensors, s.own_file() ? s.bin.file : m.bin_file, s.name, s.step));
  }
  ModelFiles files = encode_model(d, final_set, snaps, dtype, "model.bin", /*snapshot_files=*/true);
  return validate_and_write(files, out_dir, model->parameter_count());
}

}  // namespace drift::exporter
