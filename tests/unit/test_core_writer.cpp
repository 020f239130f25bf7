// The torch-free drift-model writer (native/export/writer.h): layout rules of the spec and
// its refusals (values that do not fit the dtype, non-finite values, wrong value counts).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "test_core_models.h"

using namespace drift::exporter;
using test_core::json;

TEST_CASE("writer lays tensors out 4-byte aligned, in order, with the bin's checksum",
          "[core][writer]") {
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(1),
                            {test_core::all_layers_weights(2, "s")}, Dtype::f16);
  const json m = json::parse(files.manifest);
  CHECK(m["format"] == "drift-model");
  CHECK(m["version"] == 1);
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
  CHECK_THROWS_WITH(encode_model(desc, w, {}, Dtype::f16),
                    "export: tensor l0.weight overflows f16 (use --dtype f32)");
  CHECK_NOTHROW(encode_model(desc, w, {}, Dtype::f32));
  w.tensors[0].values[5] = NAN;
  CHECK_THROWS_WITH(encode_model(desc, w, {}, Dtype::f32),
                    "export: tensor l0.weight has a non-finite value");
  w = test_core::all_layers_weights(1);
  w.tensors[1].values.pop_back();
  CHECK_THROWS_WITH(encode_model(desc, w, {}, Dtype::f32),
                    "export: tensor l0.bias has 31 values for its shape");
  CHECK_THROWS_WITH(parse_dtype("bf16"), "export: unknown dtype 'bf16' (f16 or f32)");
}

TEST_CASE("write_model_files writes both files and leaves no temp files", "[core][writer]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "drift_test_core_writer";
  fs::remove_all(dir);
  auto files = encode_model(test_core::all_layers_description(), test_core::all_layers_weights(3),
                            {}, Dtype::f32);
  write_model_files((dir / "nested").string(), files);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir / "nested"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"model.bin", "model.json"});
  CHECK(fs::file_size(dir / "nested" / "model.bin") == files.bin.size());
}
