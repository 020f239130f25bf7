// Loader error messages: each broken manifest or bin is rejected with one line that names
// the source and the problem.
#include "drift_catch.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "drift/core/atomic_file.h"
#include "drift/core/manifest_sha256.h"
#include "drift/core/model.h"
#include "test_core_models.h"

using namespace drift::core;
using drift::core::DType;
using drift::exporter::encode_model;
using test_core::json;

namespace {
struct Files {
  json manifest;
  std::string bin;
};

Files valid(DType dtype = DType::f32, int snapshots = 0) {
  std::vector<drift::exporter::WeightSet> snaps;
  for (int i = 0; i < snapshots; ++i)
    snaps.push_back(test_core::all_layers_weights(100 + unsigned(i), "step_" + std::to_string(i)));
  auto f = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                        snaps, dtype);
  return {json::parse(f.manifest), f.bin};
}

// Loads and returns the error ("" on success).
std::string load_error(const Files& f, bool fix_sha = true) {
  Files g = f;
  if (fix_sha) g.manifest["bin"]["sha256"] = sha256_hex(g.bin.data(), g.bin.size());
  std::string err;
  auto m = load_model(g.manifest.dump(), g.bin.data(), g.bin.size(), &err, "m.json");
  if (m) return "";
  CHECK(err.find('\n') == std::string::npos);
  CHECK(err.rfind("m.json: ", 0) == 0);
  return err;
}
}  // namespace

TEST_CASE("a valid model loads with its shapes resolved", "[core][loader]") {
  Files f = valid(DType::f32, 2);
  std::string err;
  auto m = load_model(f.manifest.dump(), f.bin.data(), f.bin.size(), &err);
  REQUIRE(m);
  CHECK(err.empty());
  CHECK(m->input_dim() == 9);
  CHECK(m->output_size() == 6);
  CHECK(m->layers().size() == 16);
  CHECK(m->layers()[3].out.c == 3);
  CHECK(m->layers()[7].out.h == 6);  // 8x8 after upsample, k3 p0
  CHECK(m->weight_set_count() == 3);
  CHECK(m->find_weight_set("step_1") == 2);
  CHECK(m->find_weight_set("final") == 0);
  CHECK(m->find_weight_set("nope") == -1);
  CHECK(m->parameter_count() == 32 * 9 + 32 + 54 + 3 + 108 + 1440 + 10 + 60 + 6);
}

TEST_CASE("format, version and JSON errors", "[core][loader]") {
  Files f = valid();
  std::string err;
  CHECK(!load_model("{not json", f.bin.data(), f.bin.size(), &err, "m.json"));
  CHECK(err == "m.json: not valid JSON: expected a key at byte 1");
  CHECK(!load_model("[1,2]", f.bin.data(), f.bin.size(), &err, "m.json"));
  CHECK(err == "m.json: top level must be a JSON object");
  Files g = f;
  g.manifest["format"] = "tfjs";
  CHECK(load_error(g) == "m.json: unknown format \"tfjs\" (expected \"drift-model\")");
  g = f;
  g.manifest["version"] = 3;
  CHECK(load_error(g) == "m.json: unsupported version 3 (this reader knows 1 to 2)");
  g.manifest["version"] = 0;
  CHECK(load_error(g) == "m.json: unsupported version 0 (this reader knows 1 to 2)");
  g.manifest["version"] = 1;  // what the writer wrote before int8: still read
  CHECK(load_error(g) == "");
  g = f;
  g.manifest.erase("conditioning");
  CHECK(load_error(g) == "m.json: missing object \"conditioning\"");
  g = f;
  g.manifest["conditioning"]["alpha_encoding"] = "alpha";
  CHECK(load_error(g).find("unknown alpha_encoding") != std::string::npos);
  std::string deep(100, '[');
  CHECK(!load_model(deep, nullptr, 0, &err, "m.json"));
  CHECK(err == "m.json: not valid JSON: JSON nested too deeply at byte 32");
}

TEST_CASE("layer vocabulary and parameter errors", "[core][loader]") {
  Files f = valid();
  Files g = f;
  g.manifest["architecture"]["layers"][1]["type"] = "conv3d";
  CHECK(load_error(g) == "m.json: layer 1: unknown layer type \"conv3d\"");
  g = f;  // groupnorm left the vocabulary with the conv architecture (nothing writes it)
  g.manifest["architecture"]["layers"][4] = {{"type", "groupnorm"}, {"groups", 1}, {"channels", 3}};
  CHECK(load_error(g) == "m.json: layer 4: unknown layer type \"groupnorm\"");
  g = f;
  g.manifest["architecture"]["layers"][0]["in"] = -3;
  CHECK(load_error(g) == "m.json: layer 0: \"in\" must be an integer in [1, 65536]");
  g = f;
  g.manifest["architecture"]["layers"][5]["weight"] = "l0.weight";
  CHECK(load_error(g) == "m.json: layer 5: layer type \"silu\" takes no tensors");
  g = f;
  g.manifest["architecture"]["layers"][3]["stride"] = 2;
  CHECK(load_error(g) == "m.json: layer 3: only stride 1 is supported");
  g = f;
  json many = json::array();
  for (int i = 0; i < 65; ++i) many.push_back({{"type", "relu"}});
  g.manifest["architecture"]["layers"] = many;
  CHECK(load_error(g) == "m.json: more than 64 layers");
}

TEST_CASE("tensor shape errors: params vs tensors vs chaining", "[core][loader]") {
  Files f = valid();
  Files g = f;
  // layer params disagree with the tensor's shape
  g.manifest["architecture"]["layers"][0]["out"] = 31;
  CHECK(
      load_error(g) ==
      "m.json: layer 0 (linear): tensor \"l0.weight\" has shape [32,9] but the layer needs [31,9]");
  g = f;
  g.manifest["architecture"]["layers"][0]["weight"] = "missing.weight";
  CHECK(load_error(g) ==
        "m.json: layer 0 (linear): tensor \"missing.weight\" is not in \"tensors\"");
  g = f;
  // chaining: the first linear must take L + K + 1 = 9 inputs
  g.manifest["conditioning"]["latent_dim"] = 6;
  CHECK(load_error(g) == "m.json: layer 0 (linear): input is [10] but in = 9");
  g = f;
  g.manifest["architecture"]["layers"][2]["shape"] = {4, 4, 2};
  CHECK(load_error(g) == "m.json: layer 3 (conv2d): input is [4,4,2] but in_channels = 2");
  g = f;
  g.manifest["output"]["shape"] = {7};
  CHECK(load_error(g) ==
        "m.json: the last layer gives 6 values per sample but output.shape needs 7");
  g = f;
  g.manifest["tensors"][0]["length"] = 10;
  CHECK(load_error(g) ==
        "m.json: tensors \"l0.weight\": length 10 but shape and dtype need 1152 bytes");
}

TEST_CASE("byte range, overlap, size and checksum errors", "[core][loader]") {
  Files f = valid();
  Files g = f;
  g.manifest["tensors"][8]["offset"] = f.bin.size();
  CHECK(load_error(g).find("lie outside bin.bytes") != std::string::npos);
  g = f;
  g.manifest["tensors"][1]["offset"] = 4;
  CHECK(load_error(g) ==
        "m.json: tensors \"l0.weight\" and tensors \"l0.bias\" overlap in model.bin");
  g = f;
  g.bin.pop_back();
  CHECK(load_error(g) == "m.json: model.bin is " + std::to_string(f.bin.size() - 1) +
                             " bytes but bin.bytes says " + std::to_string(f.bin.size()));
  g = f;
  g.bin[5] ^= 1;
  CHECK(load_error(g, false).find("m.json: model.bin: sha256 ") == 0);
  g = f;
  g.manifest["bin"]["bytes"] = (64ll << 20) + 1;
  CHECK(load_error(g) == "m.json: bin: 67108865 bytes, over the 67108864-byte cap");
  g = f;
  g.manifest["bin"]["file"] = "../etc/passwd";
  CHECK(load_error(g) == "m.json: bin: \"file\" must be a plain file name next to the manifest");
  g = f;
  g.manifest["tensors"][0]["shape"] = {4096, 8192};
  CHECK(load_error(g) == "m.json: tensors \"l0.weight\": more than 16777216 elements");
}

TEST_CASE("non-finite weights are rejected, f32 and f16", "[core][loader]") {
  Files f = valid();
  Files g = f;
  const float inf = INFINITY;
  std::size_t off = g.manifest["tensors"][1]["offset"];
  std::memcpy(&g.bin[off + 3 * 4], &inf, 4);
  CHECK(load_error(g) == "m.json: tensor \"l0.bias\" has a non-finite value at element 3");
  Files h = valid(DType::f16, 1);
  std::size_t off16 = h.manifest["snapshots"][0]["tensors"][2]["offset"];
  h.bin[off16 + 1] = char(0x7e);  // NaN half in element 0
  h.bin[off16] = 0;
  CHECK(load_error(h) ==
        "m.json: snapshot \"step_0\": tensor \"c1.weight\" has a non-finite value at element 0");
}

TEST_CASE("snapshot errors", "[core][loader]") {
  Files f = valid(DType::f32, 2);
  Files g = f;
  g.manifest["snapshots"][1]["name"] = "step_0";
  CHECK(load_error(g) == "m.json: snapshots[1]: duplicate or reserved snapshot name \"step_0\"");
  g = f;
  g.manifest["snapshots"][0]["tensors"][3]["shape"] = {1, 3};
  g.manifest["snapshots"][0]["tensors"][3]["length"] = 12;
  CHECK(
      load_error(g) ==
      "m.json: snapshot \"step_0\": tensor \"c1.bias\" has shape [1,3] but the layer needs [3]");
  g = f;
  g.manifest["snapshots"][0]["tensors"].erase(0);
  CHECK(load_error(g) == "m.json: snapshot \"step_0\": has 8 tensors, \"tensors\" has 9");
}

TEST_CASE("load_model_file reads the bin next to the manifest", "[core][loader]") {
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                            {}, DType::f16);
  const std::string dir =
      (std::filesystem::temp_directory_path() / "drift_test_core_loader").string();
  drift::exporter::write_model_files(dir, files);
  std::string err;
  auto m = load_model_file(dir + "/model.json", &err);
  REQUIRE(m);
  std::remove((dir + "/model.bin").c_str());
  CHECK(!load_model_file(dir + "/model.json", &err));
  CHECK(err == dir + "/model.bin: cannot read file");
  CHECK(!load_model_file(dir + "/absent.json", &err));
  CHECK(err == dir + "/absent.json: cannot read file");
}

// f32 -> nearest f16 -> f32, written from IEEE 754 binary16 (11 significant bits, subnormals
// below 2^-14 in steps of 2^-24, ties to even) and not from the core's converter.
static float f16_rounded(float x) {
  if (x == 0.0f) return x;
  int e = 0;
  std::frexp(double(x), &e);  // |x| = m * 2^e, m in [0.5, 1)
  const double quantum = std::ldexp(1.0, std::max(e, -13) - 11);
  return float(std::nearbyint(double(x) / quantum) * quantum);
}

TEST_CASE("an old version-1 f16 model still loads, with the same weights", "[core][loader]") {
  Files old = valid(DType::f16, 1);
  old.manifest["version"] = 1;  // byte for byte what the version-1 writer wrote
  std::string err;
  auto b = load_model(old.manifest.dump(), old.bin.data(), old.bin.size(), &err, "m.json");
  INFO(err);
  REQUIRE(b);
  CHECK(b->manifest().version == 1);
  // Each weight set decodes to the writer's input rounded to f16 (version 1 kept the snapshot's
  // tensors in the main bin).
  const std::vector<const std::vector<TensorEntry>*> sets = {&b->manifest().tensors,
                                                             &b->manifest().snapshots.at(0).tensors};
  const std::vector<drift::exporter::WeightSet> inputs = {test_core::all_layers_weights(1),
                                                          test_core::all_layers_weights(100)};
  for (std::size_t s = 0; s < sets.size(); ++s) {
    REQUIRE(sets[s]->size() == inputs[s].tensors.size());
    std::size_t compared = 0, differs_from_f32 = 0;
    for (std::size_t i = 0; i < sets[s]->size(); ++i) {
      const TensorEntry& t = (*sets[s])[i];
      const auto& want = inputs[s].tensors[i].values;
      std::vector<float> got(std::size_t(t.elements()));
      REQUIRE(got.size() == want.size());
      REQUIRE(decode_tensor(t, reinterpret_cast<const std::uint8_t*>(old.bin.data()), got.data(), &err));
      for (std::size_t k = 0; k < got.size(); ++k) {
        INFO("set " << s << " " << t.name << "[" << k << "]: " << want[k]);
        CHECK(got[k] == f16_rounded(want[k]));
        differs_from_f32 += got[k] != want[k];
        ++compared;
      }
    }
    CHECK(compared > 500);
    CHECK(differs_from_f32 > compared / 2);  // the rounding is real: most values moved
  }
}

TEST_CASE("int8: decoded within half a step of f32, errors name the tensor", "[core][loader]") {
  const auto w = test_core::all_layers_weights(1);
  Files q = valid(DType::int8);
  std::string err;
  auto m = load_model(q.manifest.dump(), q.bin.data(), q.bin.size(), &err, "m.json");
  REQUIRE(m);
  // decode_tensor gives PyTorch layout (Model::weights may be packed for the GEMM)
  for (std::size_t i = 0; i < w.tensors.size(); ++i) {
    TensorEntry t = m->manifest().tensors[i];
    std::vector<float> got(std::size_t(t.elements()));
    REQUIRE(decode_tensor(t, reinterpret_cast<const std::uint8_t*>(q.bin.data()), got.data(), &err));
    const auto& want = w.tensors[i].values;
    const std::size_t rows = std::size_t(t.shape[0]), per = want.size() / rows;
    for (std::size_t r = 0; r < rows; ++r) {
      float big = 0.0f;
      for (std::size_t k = 0; k < per; ++k) big = std::max(big, std::fabs(want[r * per + k]));
      // int8: half a step of max|row|/127; the f16 biases: f16 rounding
      const float tol = t.dtype == DType::int8 ? 0.5f * big / 127.0f * 1.001f : std::fabs(big) * 1e-3f;
      for (std::size_t k = 0; k < per; ++k) CHECK(std::fabs(got[r * per + k] - want[r * per + k]) <= tol);
    }
  }
  Files g = q;
  g.manifest["version"] = 1;
  CHECK(load_error(g) == "m.json: tensors \"l0.weight\": dtype \"int8\" needs format version 2");
  g = q;
  g.manifest["tensors"][0]["length"] = 32 * 9;  // without the 32 scales
  CHECK(load_error(g) == "m.json: tensors \"l0.weight\": length 288 but shape and dtype need 416 bytes");
  g = q;
  const std::size_t off = g.manifest["tensors"][5]["offset"];
  const float nan = NAN;
  std::memcpy(&g.bin[off + 4 * 7], &nan, 4);  // l1.weight row 7's scale
  CHECK(load_error(g) == "m.json: tensor \"l1.weight\" has a non-finite scale at row 7");
  g = q;
  g.bin[off + 100] ^= 0x40;  // a corrupted value: only the checksum can tell
  const std::string e = load_error(g, /*fix_sha=*/false);
  CHECK(e.rfind("m.json: model.bin: sha256 ", 0) == 0);
  CHECK(e.find("does not match bin.sha256") != std::string::npos);
}

TEST_CASE("snapshots in their own files load on demand and are checked", "[core][loader]") {
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                            {test_core::all_layers_weights(100, "step_0"),
                             test_core::all_layers_weights(101, "step_1")},
                            DType::f16, "model.bin", /*snapshot_files=*/true);
  // the same sets in the version-1 layout: every snapshot in model.bin
  Files shared = valid(DType::f16, 2);
  std::string err;
  auto ref = load_model(shared.manifest.dump(), shared.bin.data(), shared.bin.size(), &err, "m.json");
  REQUIRE(ref);
  auto m = load_model(files.manifest, files.bin.data(), files.bin.size(), &err, "m.json");
  REQUIRE(m);
  CHECK(m->weight_set_count() == 3);
  CHECK(m->weight_set_ready(0));
  CHECK(!m->weight_set_ready(1));
  CHECK(m->weights(1) == nullptr);
  const auto& s2 = files.snapshot_bins[1].bin;
  CHECK(!m->load_snapshot(2, s2.data(), s2.size() - 1, &err, "m.json"));
  CHECK(err == "m.json: model.snapshot-2.bin is " + std::to_string(s2.size() - 1) +
                   " bytes but snapshot \"step_1\" bin.bytes says " + std::to_string(s2.size()));
  std::string bad = s2;
  bad[10] ^= 1;
  CHECK(!m->load_snapshot(2, bad.data(), bad.size(), &err, "m.json"));
  CHECK(err.rfind("m.json: model.snapshot-2.bin: sha256 ", 0) == 0);
  CHECK(!m->load_snapshot(0, s2.data(), s2.size(), &err, "m.json"));
  CHECK(!m->weight_set_ready(2));
  REQUIRE(m->load_snapshot(2, s2.data(), s2.size(), &err, "m.json"));
  CHECK(m->weight_set_ready(2));
  CHECK(!m->weight_set_ready(1));
  const std::size_t n = sizeof(float) * std::size_t(m->parameter_count());
  CHECK(std::memcmp(m->weights(2), ref->weights(2), n) == 0);
  CHECK(std::memcmp(m->weights(0), ref->weights(0), n) == 0);

  // manifest checks of the snapshot's "bin"
  Files f{json::parse(files.manifest), files.bin};
  Files g = f;
  g.manifest["snapshots"][0]["bin"]["file"] = "model.bin";
  CHECK(load_error(g) == "m.json: snapshot \"step_0\": bin file \"model.bin\" is already used by another weight set");
  g = f;
  g.manifest["snapshots"][1]["bin"]["file"] = "x/y.bin";
  CHECK(load_error(g) == "m.json: snapshot \"step_1\" bin: \"file\" must be a plain file name next to the manifest");
  g = f;
  g.manifest["snapshots"][0]["bin"]["bytes"] = 8;
  CHECK(load_error(g).find("lie outside its bin.bytes 8") != std::string::npos);
  g = f;
  g.manifest["version"] = 1;
  CHECK(load_error(g) == "m.json: snapshot \"step_0\": a snapshot \"bin\" needs format version 2");
}

TEST_CASE("load_model_file loads snapshot files that are there", "[core][loader]") {
  namespace fs = std::filesystem;
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                            {test_core::all_layers_weights(100, "a"), test_core::all_layers_weights(101, "b")},
                            DType::int8, "model.bin", /*snapshot_files=*/true);
  const std::string dir = (fs::temp_directory_path() / "drift_test_core_loader_snaps").string();
  fs::remove_all(dir);
  drift::exporter::write_model_files(dir, files);
  std::string err;
  fs::remove(dir + "/model.snapshot-1.bin");
  auto m = load_model_file(dir + "/model.json", &err);
  REQUIRE(m);
  CHECK(!m->weight_set_ready(1));
  CHECK(m->weight_set_ready(2));
  std::string bad = files.snapshot_bins[0].bin;
  bad[0] ^= 1;
  drift::core::write_file_atomic(dir + "/model.snapshot-1.bin", bad);
  CHECK(!load_model_file(dir + "/model.json", &err));
  CHECK(err.rfind(dir + "/model.json: model.snapshot-1.bin: sha256 ", 0) == 0);
  CHECK(err.find('\n') == std::string::npos);
}
