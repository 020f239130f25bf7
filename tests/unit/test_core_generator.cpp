// Generator forward against the naive reference (test_core_models.h), for every layer type,
// several batch sizes, both dtypes, seeded noise and snapshots.
#include "drift_catch.h"
#include <cmath>

#include "drift/core/generator.h"
#include "drift/core/model_f16.h"
#include "drift/core/rng.h"
#include "test_core_models.h"

using namespace drift::core;
using drift::core::DType;

namespace {
std::unique_ptr<Model> load(const drift::exporter::ModelFiles& f) {
  std::string err;
  auto m = load_model(f.manifest, f.bin.data(), f.bin.size(), &err);
  INFO(err);
  REQUIRE(m);
  return m;
}

std::vector<float> input_of(const float* eps, int L, int K, int label, float alpha) {
  std::vector<float> x(eps, eps + L);
  for (int k = 0; k < K; ++k) x.push_back(k == label ? 1.0f : 0.0f);
  x.push_back(alpha - 1.0f);
  return x;
}

double max_abs_diff(const float* a, const std::vector<float>& b) {
  double m = 0;
  for (std::size_t i = 0; i < b.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
  return m;
}
}  // namespace

TEST_CASE("generator matches the naive reference on every layer type", "[core][generator]") {
  auto desc = test_core::all_layers_description();
  auto w = test_core::all_layers_weights(3);
  auto model = load(drift::exporter::encode_model(desc, w, {}, DType::f32));
  Generator g(*model);
  for (int n : {1, 2, 7, 64}) {
    std::vector<float> eps(std::size_t(n) * 5), out(std::size_t(n) * 6);
    fill_normal(std::uint64_t(n), eps.data(), eps.size());
    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) labels[std::size_t(i)] = i % 3;
    GenerateRequest r;
    r.n = n;
    r.noise = eps.data();
    r.labels = labels.data();
    r.alpha = 2.5f;
    std::string err;
    REQUIRE(g.generate(r, out.data(), &err));
    for (int i = 0; i < n; ++i) {
      auto ref = test_core::reference_forward(
          desc, w, input_of(&eps[std::size_t(i) * 5], 5, 3, i % 3, 2.5f));
      REQUIRE(ref.size() == 6);
      CHECK(max_abs_diff(&out[std::size_t(i) * 6], ref) < 2e-5);
    }
  }
}

TEST_CASE("seeded generation uses the documented noise stream", "[core][generator]") {
  auto desc = test_core::all_layers_description();
  auto w = test_core::all_layers_weights(4);
  auto model = load(drift::exporter::encode_model(desc, w, {}, DType::f32));
  Generator g(*model);
  const int n = 5;
  std::vector<std::int32_t> labels{0, 1, 2, 0, 1};
  std::vector<float> a(n * 6), b(n * 6), eps(n * 5);
  GenerateRequest r;
  r.n = n;
  r.seed = 99;
  r.labels = labels.data();
  std::string err;
  REQUIRE(g.generate(r, a.data(), &err));
  fill_normal(99, eps.data(), eps.size());
  r.noise = eps.data();
  REQUIRE(g.generate(r, b.data(), &err));
  CHECK(a == b);
  r.noise = nullptr;
  r.seed = 100;
  REQUIRE(g.generate(r, b.data(), &err));
  CHECK(a != b);
}

TEST_CASE("f16 weights equal the f16-rounded reference; snapshots select weights",
          "[core][generator]") {
  auto desc = test_core::all_layers_description();
  auto w = test_core::all_layers_weights(5);
  auto s1 = test_core::all_layers_weights(6, "early");
  auto model = load(drift::exporter::encode_model(desc, w, {s1}, DType::f16));
  auto round16 = [](drift::exporter::WeightSet ws) {
    for (auto& t : ws.tensors)
      for (float& v : t.values) v = f16_to_f32(f32_to_f16(v));
    return ws;
  };
  Generator g(*model);
  std::vector<float> eps(5), out(6);
  fill_normal(1, eps.data(), 5);
  std::int32_t label = 2;
  GenerateRequest r;
  r.noise = eps.data();
  r.labels = &label;
  std::string err;
  for (int set : {0, 1}) {
    r.weight_set = set;
    REQUIRE(g.generate(r, out.data(), &err));
    auto ref = test_core::reference_forward(desc, round16(set ? s1 : w),
                                            input_of(eps.data(), 5, 3, 2, 1.0f));
    CHECK(max_abs_diff(out.data(), ref) < 2e-5);
  }
  CHECK(model->find_weight_set("early") == 1);
}

TEST_CASE("generate rejects bad arguments with one line", "[core][generator]") {
  auto model = load(drift::exporter::encode_model(
      test_core::all_layers_description(), test_core::all_layers_weights(1), {}, DType::f32));
  Generator g(*model);
  std::vector<float> out(12);
  std::int32_t labels[2] = {0, 3};
  GenerateRequest r;
  r.n = 2;
  std::string err;
  CHECK(!g.generate(r, out.data(), &err));
  CHECK(err == "generate: labels are required (num_classes = 3)");
  r.labels = labels;
  CHECK(!g.generate(r, out.data(), &err));
  CHECK(err == "generate: label 3 at index 1 is outside [0, 3)");
  labels[1] = 1;
  r.weight_set = 1;
  CHECK(!g.generate(r, out.data(), &err));
  CHECK(err == "generate: weight set 1 does not exist");
  r.weight_set = 0;
  r.alpha = NAN;
  CHECK(!g.generate(r, out.data(), &err));
  CHECK(err == "generate: alpha must be finite");
  r.n = 0;
  CHECK(!g.generate(r, out.data(), &err));
}

TEST_CASE("switching between snapshots re-decodes the right weights", "[core][generator]") {
  auto desc = test_core::all_layers_description();
  auto w = test_core::all_layers_weights(7);
  auto s1 = test_core::all_layers_weights(8, "a");
  auto s2 = test_core::all_layers_weights(9, "b");
  auto model = load(drift::exporter::encode_model(desc, w, {s1, s2}, DType::f32));
  Generator g(*model);
  std::vector<float> eps(5), out(6);
  fill_normal(3, eps.data(), 5);
  std::int32_t label = 1;
  GenerateRequest r;
  r.noise = eps.data();
  r.labels = &label;
  std::string err;
  const drift::exporter::WeightSet* sets[] = {&w, &s1, &s2};
  for (int set : {1, 2, 1, 0, 2, 2, 0, 1}) {
    r.weight_set = set;
    REQUIRE(g.generate(r, out.data(), &err));
    auto ref = test_core::reference_forward(desc, *sets[set], input_of(eps.data(), 5, 3, 1, 1.0f));
    INFO("weight set " << set);
    CHECK(max_abs_diff(out.data(), ref) < 2e-5);
  }
}
