// The torch-free drift-model writer (native/export/writer.h): layout rules of the spec and
// its refusals (values that do not fit the dtype, non-finite values, wrong value counts).
#include "drift_catch.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "drift/core/atomic_file.h"
#include "drift/core/model.h"
#include "test_core_models.h"

using namespace drift::exporter;
using drift::core::DType;
using drift::core::LayerType;
using test_core::json;

TEST_CASE("writer lays tensors out 4-byte aligned, in order, with the bin's checksum",
          "[core][writer]") {
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                            {test_core::all_layers_weights(2, "s")}, DType::f16);
  const json m = json::parse(files.manifest);
  CHECK(m["format"] == "drift-model");
  CHECK(m["version"] == 2);
  std::uint64_t end = 0;
  auto check_set = [&](const json& ts) {
    for (const auto& t : ts) {
      const std::uint64_t off = t["offset"], len = t["length"];
      CHECK(off % 4 == 0);
      CHECK(off >= end);
      CHECK(off - end < 4);  // contiguous up to alignment padding
      end = off + len;
    }
  };
  check_set(m["tensors"]);
  check_set(m["snapshots"][0]["tensors"]);
  CHECK(end == files.bin.size());
  CHECK(m["bin"]["bytes"] == files.bin.size());
  CHECK(m["snapshots"][0]["name"] == "s");
}

TEST_CASE("writer refuses values the file cannot hold", "[core][writer]") {
  auto desc = test_core::all_layers_description();
  auto w = test_core::all_layers_weights(1);
  w.tensors[0].values[5] = 70000.0f;  // over f16's 65504
  CHECK_THROWS_WITH(encode_model(desc, w, {}, DType::f16),
                    "export: tensor l0.weight overflows f16 (use --dtype f32)");
  CHECK_NOTHROW(encode_model(desc, w, {}, DType::f32));
  w.tensors[0].values[5] = NAN;
  CHECK_THROWS_WITH(encode_model(desc, w, {}, DType::f32),
                    "export: tensor l0.weight has a non-finite value");
  w = test_core::all_layers_weights(1);
  w.tensors[1].values.pop_back();
  CHECK_THROWS_WITH(encode_model(desc, w, {}, DType::f32),
                    "export: tensor l0.bias has 31 values for its shape");
}

TEST_CASE("write_model_files writes both files and leaves no temp files", "[core][writer]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "drift_test_core_writer";
  fs::remove_all(dir);
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(3),
                            {}, DType::f32);
  write_model_files((dir / "nested").string(), files);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir / "nested"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"model.bin", "model.json"});
  CHECK(fs::file_size(dir / "nested" / "model.bin") == files.bin.size());
}

TEST_CASE("int8: per-row scales before the values, each row within half a step", "[core][writer]") {
  auto w = test_core::all_layers_weights(4);
  // l1.weight [10,144]: row 2 a hundred times larger than the rest, row 5 all zero
  auto& l1 = w.tensors[5];
  REQUIRE(l1.name == "l1.weight");
  for (int k = 0; k < 144; ++k) l1.values[2 * 144 + k] *= 100.0f, l1.values[5 * 144 + k] = 0.0f;
  auto files = encode_model(test_core::all_layers_description(), w, {}, DType::int8);
  const json m = json::parse(files.manifest);
  CHECK(m["version"] == 2);
  for (const auto& t : m["tensors"]) CHECK(t["dtype"] == (t["shape"].size() >= 2 ? "int8" : "f16"));
  const json& t = m["tensors"][5];
  REQUIRE(t["name"] == "l1.weight");
  CHECK(t["length"] == 10 * 4 + 10 * 144);
  const std::size_t off = t["offset"];
  for (int r = 0; r < 10; ++r) {
    float scale, big = 0.0f;
    std::memcpy(&scale, &files.bin[off + 4 * std::size_t(r)], 4);
    for (int k = 0; k < 144; ++k) big = std::max(big, std::fabs(l1.values[std::size_t(r * 144 + k)]));
    CHECK(scale == big / 127.0f);
    for (int k = 0; k < 144; ++k) {
      const int q = std::int8_t(files.bin[off + 40 + std::size_t(r * 144 + k)]);
      CHECK(std::abs(q) <= 127);
      CHECK(std::fabs(q * scale - l1.values[std::size_t(r * 144 + k)]) <= 0.5f * scale * 1.0001f);
    }
  }
}

TEST_CASE("snapshot files: one bin per snapshot, named after the main bin", "[core][writer]") {
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                            {test_core::all_layers_weights(2, "a"), test_core::all_layers_weights(3, "b")},
                            DType::int8, "model.bin", /*snapshot_files=*/true);
  const json m = json::parse(files.manifest);
  REQUIRE(files.snapshot_bins.size() == 2);
  const auto plain = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                                  {}, DType::int8);
  CHECK(files.bin == plain.bin);  // the main bin holds the final weights only
  for (int i = 0; i < 2; ++i) {
    const json& b = m["snapshots"][i]["bin"];
    CHECK(b["file"] == "model.snapshot-" + std::to_string(i + 1) + ".bin");
    CHECK(files.snapshot_bins[std::size_t(i)].file == b["file"]);
    CHECK(b["bytes"] == files.snapshot_bins[std::size_t(i)].bin.size());
    CHECK(m["snapshots"][i]["tensors"][0]["offset"] == 0);
  }
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "drift_test_core_writer_snaps";
  fs::remove_all(dir);
  write_model_files(dir.string(), files);
  CHECK(fs::file_size(dir / "model.snapshot-2.bin") == files.snapshot_bins[1].bin.size());
  CHECK(fs::exists(dir / "model.json"));
}

TEST_CASE("writer writes each layer's vocabulary params and refuses specs the reader would",
          "[core][writer]") {
  auto desc = test_core::all_layers_description();
  const json layers = layers_json(desc.layers);
  CHECK(layers[0] == json{{"type", "linear"}, {"in", 9}, {"out", 32}, {"weight", "l0.weight"},
                          {"bias", "l0.bias"}});
  CHECK(layers[1] == json{{"type", "leaky_relu"}, {"slope", 0.2}});  // 0.2f written as 0.2
  CHECK(layers[2] == json{{"type", "reshape"}, {"shape", {2, 4, 4}}});
  CHECK(layers[7] == json{{"type", "conv2d"}, {"in_channels", 3}, {"out_channels", 4},
                          {"kernel", 3}, {"padding", 0}, {"weight", "c2.weight"}});
  CHECK(layers[10] == json{{"type", "flatten"}});
  auto bad = desc;
  bad.layers[3].kernel = 16;
  CHECK_THROWS_WITH(layers_json(bad.layers),
                    "export: layer 3 (conv2d): \"kernel\" is 16, not in [1, 15]");
  bad = desc;
  bad.layers[0].weight.clear();
  CHECK_THROWS_WITH(layers_json(bad.layers), "export: layer 0 (linear): no weight tensor name");
  bad = desc;
  bad.layers[5].bias = "x";
  CHECK_THROWS_WITH(layers_json(bad.layers),
                    "export: layer 5 (silu): this layer type takes no tensors");
}

TEST_CASE("convert_model: an old f16 model with shared-bin snapshots to int8 and snapshot files",
          "[core][writer]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "drift_test_core_convert";
  fs::remove_all(dir);
  auto desc = test_core::all_layers_description();
  desc.training = {{"steps", 900}, {"metrics", {{"fd", 1.5}}}};
  auto snap = test_core::all_layers_weights(2, "step_100");
  snap.step = 100;
  auto old = encode_model(desc, test_core::all_layers_weights(1), {snap}, DType::f16);
  json om = json::parse(old.manifest);
  om["version"] = 1;  // as the version-1 writer wrote it
  old.manifest = om.dump();
  write_model_files((dir / "old").string(), old);
  const auto r = convert_model((dir / "old" / "model.json").string(), (dir / "new").string(), DType::int8);
  CHECK(r.snapshots == 1);
  CHECK(fs::file_size(dir / "new" / "model.snapshot-1.bin") == std::uintmax_t(r.snapshot_bytes));
  const json m = json::parse(drift::core::read_file((dir / "new" / "model.json").string()));
  CHECK(m["version"] == 2);
  CHECK(m["tensors"][0]["dtype"] == "int8");
  CHECK(m["training"]["steps"] == 900);
  CHECK(m["training"]["metrics"]["fd"] == 1.5);
  CHECK(m["training"]["converted_from"] == "model.json (format version 1, f16)");
  CHECK(m["snapshots"][0]["name"] == "step_100");
  CHECK(m["snapshots"][0]["step"] == 100);
  // every weight of both sets within half an int8 step of the f16 source
  std::string err;
  auto a = drift::core::load_model_file((dir / "old" / "model.json").string(), &err);
  auto b = drift::core::load_model_file((dir / "new" / "model.json").string(), &err);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(b->weight_set_ready(1));
  for (int s = 0; s < 2; ++s) {
    const float *x = a->weights(s), *y = b->weights(s);
    double worst = 0, big = 0;
    for (std::int64_t i = 0; i < a->parameter_count(); ++i)
      worst = std::max(worst, double(std::fabs(x[i] - y[i]))), big = std::max(big, double(std::fabs(x[i])));
    CHECK(worst > 0);                     // really requantised
    CHECK(worst <= 0.5 * big / 127 * 1.01);  // never more than half the largest row's step
  }
  // the source is unchanged and a missing snapshot file is named
  fs::remove(dir / "new" / "model.snapshot-1.bin");
  CHECK_THROWS_WITH(convert_model((dir / "new" / "model.json").string(), (dir / "again").string(), DType::f16),
                    (dir / "new" / "model.snapshot-1.bin").string() + ": missing (snapshot \"step_100\" of " +
                        (dir / "new" / "model.json").string() + ")");
}
