// End-to-end checks of the eval pipeline on synthetic data small enough for a unit test:
// an 8x8 "one bright block per class" dataset, a classifier trained on it, and samplers
// that are perfect, collapsed or wrong; plus the 2D toy eval against its floor.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "drift/eval/classifier.h"
#include "drift/eval/image_eval.h"
#include "drift/eval/toy_eval.h"

using namespace drift::eval;

// Class c lights its own 2x2 block (2 rows x 4 columns of positions), over faint noise.
static torch::Tensor synth_images(const torch::Tensor& labels, uint64_t seed) {
  // labels [N] -> [N,1,8,8]
  auto g = torch::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t n = labels.size(0);
  auto x = 0.1 * torch::rand({n, 1, 8, 8}, g, torch::kFloat32);
  auto lab = labels.accessor<int64_t, 1>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = lab[i], row = 4 * (c / 4) + 1, col = 2 * (c % 4);
    x[i][0].slice(0, row, row + 2).slice(1, col, col + 2).fill_(1.0f);
  }
  return x;
}

static std::string temp_file(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

static ImageSet synth_set(int64_t n, uint64_t seed) {
  ImageSet s;
  s.labels = torch::arange(n, torch::kInt64).remainder(8);
  s.images = synth_images(s.labels, seed);
  s.num_classes = 8;
  return s;
}

TEST_CASE("classifier learns the synthetic set and survives a save/load round trip", "[classifier]") {
  auto train = synth_set(800, 1), test = synth_set(200, 2);
  ClassifierTrainOptions opt;
  opt.epochs = 4;
  opt.batch = 64;
  opt.max_shift = 0;
  auto c = train_classifier(train, test, opt, "synthetic", nullptr);
  CHECK(c.meta.test_accuracy > 0.95);
  const std::string path = temp_file("test_eval_pipeline_classifier.pt");
  save_classifier(c, path);
  auto loaded = load_classifier(path);
  std::remove(path.c_str());
  CHECK(loaded.meta.height == 8);
  CHECK(loaded.meta.num_classes == 8);
  auto a = classifier_features(c, test.images), b = classifier_features(loaded, test.images);
  CHECK(torch::allclose(a, b));
}

TEST_CASE("loading a missing or foreign classifier file names the file", "[classifier]") {
  CHECK_THROWS_WITH(load_classifier("no/such/classifier.pt"), Catch::Contains("no/such/classifier.pt"));
  const std::string path = temp_file("test_eval_pipeline_garbage.pt");
  { std::FILE* f = std::fopen(path.c_str(), "wb"); std::fputs("not an archive", f); std::fclose(f); }
  CHECK_THROWS_WITH(load_classifier(path), Catch::Contains(path + ": not a drift classifier"));
  std::remove(path.c_str());
}

TEST_CASE("image eval separates a perfect, a collapsed and a mislabelled generator", "[image_eval]") {
  auto train = synth_set(800, 3), test = synth_set(200, 4);
  ClassifierTrainOptions opt;
  opt.epochs = 4;
  opt.batch = 64;
  opt.max_shift = 0;
  auto c = train_classifier(train, test, opt, "synthetic", nullptr);
  ImageEvalOptions io;
  io.n = 400;
  io.alphas = {1.0};

  auto perfect = evaluate_images(
      [](const torch::Tensor& l, double) { return synth_images(l, 99); }, c, train, test, io);
  auto collapsed = evaluate_images(
      [](const torch::Tensor& l, double) { return synth_images(l, 99).mean(0, true).expand({l.size(0), 1, 8, 8}); },
      c, train, test, io);
  auto wrong = evaluate_images(
      [](const torch::Tensor& l, double) { return synth_images((l + 1).remainder(8), 99); }, c, train,
      test, io);

  const auto& p = perfect["alphas"][0];
  CHECK(p["accuracy"].get<double>() > 0.95);
  CHECK(p["fd_over_floor"].get<double>() < 3.0);
  CHECK(p["recall"].get<double>() > 0.8);
  CHECK(p["diversity"].get<double>() == Approx(p["diversity_real"].get<double>()).epsilon(0.1));
  const auto& col = collapsed["alphas"][0];
  CHECK(col["recall"].get<double>() < 0.1);
  CHECK(col["diversity"].get<double>() < 1e-4);
  CHECK(col["fd"].get<double>() > 5 * p["fd"].get<double>());
  // Right images, wrong classes: the marginal is perfect, so only accuracy drops.
  const auto& w = wrong["alphas"][0];
  CHECK(w["accuracy"].get<double>() < 0.05);
  CHECK(w["fd_over_floor"].get<double>() < 3.0);
}

TEST_CASE("image eval rejects a sampler with the wrong image size", "[image_eval]") {
  auto train = synth_set(200, 5), test = synth_set(80, 6);
  ClassifierTrainOptions opt;
  opt.epochs = 1;
  auto c = train_classifier(train, test, opt, "synthetic", nullptr);
  ImageEvalOptions io;
  io.n = 80;
  io.alphas = {1.0};
  CHECK_THROWS_WITH(
      evaluate_images([](const torch::Tensor& l, double) { return torch::zeros({l.size(0), 10}); }, c,
                      train, test, io),
      Catch::Contains("does not match"));
}

TEST_CASE("toy eval: target samples sit at the floor, a far cluster far above", "[toy_eval]") {
  auto good = evaluate_toy([](int64_t n, double) { return toy_points("moons", n, 777); }, "moons", 1000,
                           {1.0}, 1);
  auto far = evaluate_toy([](int64_t n, double) { return toy_points("moons", n, 777) * 0.05 + 4.0; },
                          "moons", 1000, {1.0}, 1);
  CHECK(good["floor"]["energy"].get<double>() > 0.0);
  CHECK(good["alphas"][0]["energy_over_floor"].get<double>() < 4.0);
  CHECK(far["alphas"][0]["energy_over_floor"].get<double>() > 100.0);
}
