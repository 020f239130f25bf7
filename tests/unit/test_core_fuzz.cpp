// Fuzz-style robustness: truncated and randomly mutated manifests and bins must load or fail
// with one line, never crash (run under ASan/UBSan to make this stricter).
#include "drift_catch.h"
#include <random>

#include "drift/core/generator.h"
#include "drift/core/manifest_sha256.h"
#include "drift/core/model.h"
#include "test_core_models.h"

using namespace drift::core;

namespace {
// Returns true if it loaded; either way checks the error contract, and runs a loaded model.
bool try_load(const std::string& manifest, const std::string& bin) {
  std::string err;
  auto m = load_model(manifest, bin.data(), bin.size(), &err, "f.json");
  if (!m) {
    REQUIRE(!err.empty());
    REQUIRE(err.rfind("f.json: ", 0) == 0);
    REQUIRE(err.find('\n') == std::string::npos);
    return false;
  }
  Generator g(*m);
  std::vector<float> out(std::size_t(m->output_size()) * 2);
  std::vector<std::int32_t> labels(2, 0);
  GenerateRequest r;
  r.n = 2;
  r.labels = labels.data();
  REQUIRE(g.generate(r, out.data(), &err));
  return true;
}
}  // namespace

TEST_CASE("truncated manifests and bins never crash the loader", "[core][fuzz]") {
  auto f = drift::exporter::encode_model(test_core::all_layers_description(),
                                         test_core::all_layers_weights(1), {},
                                         drift::core::DType::f16);
  REQUIRE(try_load(f.manifest, f.bin));
  for (std::size_t n = 0; n < f.manifest.size(); n += 7)
    CHECK(!try_load(f.manifest.substr(0, n), f.bin));
  for (std::size_t n = 0; n < f.bin.size(); n += 13)
    CHECK(!try_load(f.manifest, f.bin.substr(0, n)));
}

// Found by tests/fuzz/fuzz_model (tests/fuzz/regressions/fuzz_model): a name quoted in an
// error could hold a newline (JSON "\n"), so the page showed a two-line message.
TEST_CASE("names with control characters still give one-line errors", "[core][fuzz]") {
  auto f = drift::exporter::encode_model(test_core::all_layers_description(),
                                         test_core::all_layers_weights(1), {},
                                         drift::core::DType::f32);
  auto j = nlohmann::json::parse(f.manifest);
  for (auto& layer : j["architecture"]["layers"])
    if (layer.contains("weight")) {
      layer["weight"] = "bad\nname\r\t\x7f";
      break;
    }
  std::string err;
  CHECK(!load_model(j.dump(), f.bin.data(), f.bin.size(), &err, "f.json"));
  CHECK_THAT(err, Catch::Contains("tensor \"bad?name???\" is not in \"tensors\""));
  CHECK(err.find('\n') == std::string::npos);
}

TEST_CASE("randomly mutated manifests never crash the loader", "[core][fuzz]") {
  auto f = drift::exporter::encode_model(
      test_core::all_layers_description(), test_core::all_layers_weights(2),
      {test_core::all_layers_weights(3, "s")}, drift::core::DType::f32);
  std::mt19937 rng(7);
  const char pool[] = "0123456789-+.eE[]{}\",:\\ truefalsnul\x00\xff";
  int loaded = 0;
  for (int it = 0; it < 3000; ++it) {
    std::string m = f.manifest;
    const int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = rng() % m.size();
      switch (rng() % 4) {
        case 0:
          m[pos] = pool[rng() % (sizeof(pool) - 1)];
          break;
        case 1:
          m.erase(pos, 1 + rng() % 8);
          break;
        case 2:
          m.insert(pos, 1, pool[rng() % (sizeof(pool) - 1)]);
          break;
        default: {  // replace a digit run with a large or negative number
          std::size_t q = m.find_first_of("0123456789", pos);
          if (q != std::string::npos) {
            std::size_t r = m.find_first_not_of("0123456789", q);
            const char* big[] = {"99999999999999999999", "-1", "0", "4294967296", "1e400", "65537"};
            m.replace(q, r - q, big[rng() % 6]);
          }
        }
      }
    }
    // keep the checksum right half the time, so mutations reach the deeper checks
    if (it % 2) {
      auto j = nlohmann::json::parse(m, nullptr, false);
      if (j.is_object() && j.contains("bin") && j["bin"].is_object()) {
        j["bin"]["sha256"] = sha256_hex(f.bin.data(), f.bin.size());
        m = j.dump();
      }
    }
    loaded += try_load(m, f.bin) ? 1 : 0;
  }
  CHECK(loaded < 3000);  // mutations do get rejected
}

TEST_CASE("random bin bytes with a matching checksum never crash the loader", "[core][fuzz]") {
  auto f = drift::exporter::encode_model(test_core::all_layers_description(),
                                         test_core::all_layers_weights(4), {},
                                         drift::core::DType::f16);
  std::mt19937 rng(11);
  auto j = nlohmann::json::parse(f.manifest);
  int rejected = 0;
  for (int it = 0; it < 300; ++it) {
    std::string bin = f.bin;
    for (int e = 0; e < 20; ++e) bin[rng() % bin.size()] = char(rng());
    j["bin"]["sha256"] = sha256_hex(bin.data(), bin.size());
    rejected += try_load(j.dump(), bin) ? 0 : 1;  // f16 inf/NaN patterns must be rejected
  }
  CHECK(rejected > 0);
}

namespace {
// Every numeric leaf of a JSON value, as pointers (for structured mutation).
void numeric_leaves(nlohmann::json& j, std::vector<nlohmann::json*>& out) {
  if (j.is_number())
    out.push_back(&j);
  else if (j.is_object() || j.is_array())
    for (auto& v : j) numeric_leaves(v, out);
}
}  // namespace

TEST_CASE("structured mutations of valid manifests never crash the loader", "[core][fuzz]") {
  // Valid JSON with a correct checksum, so the mutations reach the shape chaining, the
  // byte ranges and the decoder rather than stopping at the parser.
  auto f = drift::exporter::encode_model(
      test_core::all_layers_description(), test_core::all_layers_weights(5),
      {test_core::all_layers_weights(6, "s")}, drift::core::DType::f16);
  const auto base = nlohmann::json::parse(f.manifest);
  std::mt19937 rng(13);
  const std::int64_t values[] = {0,
                                 1,
                                 -1,
                                 2,
                                 3,
                                 7,
                                 8,
                                 9,
                                 64,
                                 65536,
                                 65537,
                                 2147483647,
                                 4294967296ll,
                                 -2147483648ll,
                                 1ll << 40,
                                 16777217};
  int loaded = 0;
  for (int it = 0; it < 2000; ++it) {
    auto j = base;
    std::vector<nlohmann::json*> leaves;
    numeric_leaves(j, leaves);
    const int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      auto* leaf = leaves[rng() % leaves.size()];
      if (rng() % 4 == 0)
        *leaf = (leaf->is_number_integer() ? leaf->get<std::int64_t>() : 1) + int(rng() % 5) - 2;
      else
        *leaf = values[rng() % (sizeof(values) / sizeof(values[0]))];
    }
    loaded += try_load(j.dump(), f.bin) ? 1 : 0;
  }
  CHECK(loaded < 2000);
}
