// Writes the seed corpora in tests/fuzz/corpus/ (kept in the tree; rerun only to change them):
//   build/fuzz/bin/fuzz_make_seeds tests/fuzz/corpus
// Small valid inputs of each format, so the fuzzers start from files that get past the
// headers: IDX images/labels (plain and gzip), .npy v1/v2, and models (every layer type, f32
// and f16, with a snapshot; int8 with a snapshot in its own file; a toy MLP) in the
// harnesses' "manifest NUL bin" form. The three older model seeds in corpus/ were written at
// format version 1 and are kept so (they cover the old format); this program now writes them at
// version 2, so after a rerun restore them from git if the old format should stay covered.
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "drift/core/npy.h"
#include "test_core_models.h"

namespace fs = std::filesystem;

namespace {
void put(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}
std::string gzip(const std::string& bytes) {
  const std::string tmp = fs::temp_directory_path() / "drift-seed.gz";
  gzFile f = gzopen(tmp.c_str(), "wb9");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
  std::ifstream in(tmp, std::ios::binary);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(tmp);
  return out;
}
std::string idx(std::vector<uint32_t> dims) {
  std::string s = {0, 0, 8, char(dims.size())};
  uint64_t n = 1;
  for (uint32_t d : dims) {
    for (int b = 3; b >= 0; --b) s += char((d >> (8 * b)) & 0xff);
    n *= d;
  }
  for (uint64_t i = 0; i < n; ++i) s += char((i * 37) % 251);
  return s;
}
std::string model_input(const drift::exporter::ModelFiles& f) {
  auto j = nlohmann::json::parse(f.manifest);
  j["bin"]["sha256"] = "@SHA@";
  // a snapshot file with the main bin's bytes (the harness offers it the same bin)
  if (j.contains("snapshots"))
    for (auto& s : j["snapshots"])
      if (s.contains("bin")) s["bin"]["sha256"] = "@SHA@";
  return j.dump() + std::string(1, '\0') + f.bin;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const fs::path root = argv[1];
  const std::string images = idx({3, 4, 4}), labels = idx({5}), cube = idx({2, 2, 2, 2});
  put(root / "fuzz_idx" / "images", images);
  put(root / "fuzz_idx" / "labels", labels);
  put(root / "fuzz_idx" / "4d", cube);
  put(root / "fuzz_idx_gz" / "images.gz", gzip(images));
  put(root / "fuzz_idx_gz" / "labels.gz", gzip(labels));
  put(root / "fuzz_idx_gz" / "plain", labels);  // gzopen reads plain files too

  const float v[8] = {0.5f, -1, 2, 3.25f, 1e-3f, -7, 0, 1};
  put(root / "fuzz_npy" / "2d", drift::core::encode_npy({4, 2}, v));
  put(root / "fuzz_npy" / "3d", drift::core::encode_npy({2, 2, 2}, v));
  put(root / "fuzz_npy" / "scalar", drift::core::encode_npy({}, v));
  std::string v2 = drift::core::encode_npy({8}, v);  // the same array as a version 2.0 file
  const size_t hl = uint8_t(v2[8]) | size_t(uint8_t(v2[9])) << 8;
  v2 = v2.substr(0, 6) + std::string("\x02\x00", 2) + std::string({char(hl & 0xff), char(hl >> 8), 0, 0}) +
       v2.substr(10);
  put(root / "fuzz_npy" / "v2", v2);

  using Dtype = drift::core::DType;
  const auto all = test_core::all_layers_description();
  const auto f32 = drift::exporter::encode_model(all, test_core::all_layers_weights(1), {}, Dtype::f32);
  const auto f16 = drift::exporter::encode_model(all, test_core::all_layers_weights(2),
                                                 {test_core::all_layers_weights(3, "s")}, Dtype::f16);
  drift::exporter::ModelDescription toy;
  toy.latent_dim = 2;
  toy.output_shape = {2};
  toy.output_min = -4;
  toy.output_max = 4;
  toy.layers = {test_core::linear(3, 8, "a"), test_core::layer(drift::core::LayerType::silu),
                test_core::linear(8, 2, "b")};
  std::mt19937 rng(5);
  drift::exporter::WeightSet tw;
  test_core::add_tensor(tw, "a.weight", {8, 3}, rng, 1);
  test_core::add_tensor(tw, "a.bias", {8}, rng, 1);
  test_core::add_tensor(tw, "b.weight", {2, 8}, rng, 1);
  test_core::add_tensor(tw, "b.bias", {2}, rng, 1);
  const auto toyf = drift::exporter::encode_model(toy, tw, {}, Dtype::f32);
  // int8, version 2: the snapshot equals the final weights, so its own file has the main
  // bin's bytes and one input can carry both
  const auto w4 = test_core::all_layers_weights(4);
  auto snap4 = w4;
  snap4.name = "s";
  const auto i8 = drift::exporter::encode_model(all, w4, {snap4}, Dtype::int8, "model.bin",
                                                /*snapshot_files=*/true);
  for (const char* h : {"fuzz_model", "fuzz_api"}) {
    put(root / h / "all_layers_f32", model_input(f32));
    put(root / h / "all_layers_f16_snapshot", model_input(f16));
    put(root / h / "toy_mlp", model_input(toyf));
    put(root / h / "all_layers_int8_snapshot_file", model_input(i8));
  }
  return 0;
}
