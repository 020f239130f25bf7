// Generators: sizes, shapes, the manifest layer list, config JSON and checkpoint round trips.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <filesystem>
#include <fstream>

#include "drift/models/generator.h"

using namespace drift::models;

TEST_CASE("default generators have the documented sizes and shapes", "[models]") {
  torch::manual_seed(0);
  Generator mlp(default_mlp_config(10, {1, 28, 28}));
  Generator mlpconv(default_mlpconv_config(10, {1, 28, 28}));
  Generator toy(default_toy_config());
  INFO("mlp " << mlp->num_parameters() << " mlpconv " << mlpconv->num_parameters());
  // Counted by hand from docs/training.md's architecture: input 32 noise + 10 one-hot + α - 1
  // = 43, linear 43 -> 512 -> 1024 -> 784 with biases; mlpconv reads the 784 out as 4 x 14 x 14,
  // upsamples and adds 3x3 convs 4 -> 8 -> 1 (with biases): 1,351,809 as docs/results.md states.
  const int64_t linears = (43 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 784 + 784);
  const int64_t convs = (4 * 8 * 9 + 8) + (8 * 1 * 9 + 1);
  CHECK(mlp->num_parameters() == linears);
  CHECK(mlpconv->num_parameters() == linears + convs);
  CHECK(mlpconv->num_parameters() == 1351809);
  CHECK(toy->config().input_dim() == 32);
  auto eps = torch::randn({5, 32});
  auto labels = torch::tensor({0, 1, 2, 3, 9}, torch::kLong);
  auto alpha = torch::full({5}, 1.5);
  CHECK(mlp->generate(eps, labels, alpha).sizes() == torch::IntArrayRef({5, 784}));
  CHECK(mlpconv->generate(eps, labels, alpha).sizes() == torch::IntArrayRef({5, 784}));
  CHECK(toy->generate(torch::randn({7, 31}), torch::zeros({7}, torch::kLong), torch::ones({7}))
            .sizes() == torch::IntArrayRef({7, 2}));
}

TEST_CASE("generator input is [eps | one_hot | alpha-1]", "[models]") {
  auto cfg = default_mlp_config(4, {2});
  cfg.latent_dim = 3;
  auto eps = torch::arange(6, torch::kFloat).view({2, 3});
  auto in = make_generator_input(cfg, eps, torch::tensor({2, 0}, torch::kLong), torch::tensor({1.0f, 3.5f}));
  auto expected = torch::tensor({0.f, 1.f, 2.f, 0.f, 0.f, 1.f, 0.f, 0.f,  //
                                 3.f, 4.f, 5.f, 1.f, 0.f, 0.f, 0.f, 2.5f})
                      .view({2, 8});
  CHECK(torch::equal(in, expected));
  CHECK_THROWS_WITH(make_generator_input(cfg, torch::randn({2, 5}), torch::zeros({2}), torch::ones({2})),
                    Catch::Contains("eps must be"));
}

TEST_CASE("specs name every parameter by its named_parameters key, with its shape", "[models]") {
  using drift::core::LayerType;
  for (auto cfg : {default_mlp_config(10, {1, 28, 28}), default_mlpconv_config(10, {1, 28, 28}),
                   default_toy_config()}) {
    Generator g(cfg);
    const auto& layers = g->specs();
    auto params = g->named_parameters();
    size_t named = 0;
    for (const auto& l : layers) {
      if (l.weight.empty()) continue;
      REQUIRE(params.contains(l.weight));
      REQUIRE(params.contains(l.bias));
      named += 2;
      const auto& w = params[l.weight];
      if (l.type == LayerType::linear) {
        CHECK(w.size(0) == l.out);
        CHECK(w.size(1) == l.in);
      } else if (l.type == LayerType::conv2d) {
        CHECK(w.size(0) == l.out_channels);
        CHECK(w.size(2) == l.kernel);
      } else {
        FAIL("unexpected layer with weights: " << drift::core::layer_type_name(l.type));
      }
    }
    CHECK(named == params.size());
    CHECK(layers.front().type == LayerType::linear);
    CHECK(layers.front().in == cfg.input_dim());
  }
}

TEST_CASE("activations come from the core's vocabulary", "[models]") {
  auto cfg = default_toy_config();
  for (const auto& l : drift::core::kLayerVocab) {
    if (!l.activation) continue;
    cfg.activation = l.name;
    Generator g(cfg);
    CHECK(g->specs()[1].type == l.type);
    CHECK(torch::isfinite(g->generate(torch::randn({3, 31}), torch::zeros({3}, torch::kLong),
                                      torch::ones({3})))
              .all()
              .item<bool>());
  }
  nlohmann::json j = cfg;
  j["activation"] = "groupnorm";
  CHECK_THROWS_WITH(j.get<GeneratorConfig>(),
                    "generator config: unknown activation 'groupnorm' (known: relu, silu, tanh, "
                    "sigmoid, gelu_tanh, leaky_relu)");
  j["activation"] = "linear";  // in the vocabulary, but not an activation
  CHECK_THROWS_WITH(j.get<GeneratorConfig>(), Catch::Contains("unknown activation 'linear'"));
}

TEST_CASE("config JSON round trip and rejection of bad fields", "[models]") {
  auto c = default_mlpconv_config(10, {1, 28, 28});
  c.dataset = "mnist";
  nlohmann::json j = c;
  auto back = j.get<GeneratorConfig>();
  CHECK(back.arch == Arch::mlpconv);
  CHECK(back.widths == c.widths);
  CHECK(back.head_channels == 4);
  CHECK(back.mid_channels == 8);
  CHECK(back.output_shape == c.output_shape);
  CHECK(back.dataset == "mnist");
  j["arch"] = "transformer";
  CHECK_THROWS_WITH(j.get<GeneratorConfig>(), Catch::Contains("unknown arch"));
  j.erase("arch");
  CHECK_THROWS_WITH(j.get<GeneratorConfig>(), Catch::Contains("generator config"));
}

TEST_CASE("configs written with one 'hidden' list still load, with the same layers", "[models]") {
  // The shape of every config written before widths/head_channels/mid_channels existed.
  const auto legacy = nlohmann::json::parse(R"({"arch": "mlpconv", "latent_dim": 32, "num_classes": 10,
      "output_shape": [1, 28, 28], "hidden": [512, 1024, 4, 8], "activation": "silu",
      "output_activation": "sigmoid", "dataset": "mnist"})");
  const auto c = legacy.get<GeneratorConfig>();
  CHECK(c.widths == std::vector<int64_t>{512, 1024});
  CHECK(c.head_channels == 4);
  CHECK(c.mid_channels == 8);
  auto fresh = default_mlpconv_config(10, {1, 28, 28});
  fresh.output_activation = "sigmoid";
  const auto a = Generator(c)->specs(), b = Generator(fresh)->specs();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].type == b[i].type);
    CHECK(a[i].in == b[i].in);
    CHECK(a[i].out == b[i].out);
    CHECK(a[i].in_channels == b[i].in_channels);
    CHECK(a[i].out_channels == b[i].out_channels);
    CHECK(a[i].shape == b[i].shape);
  }
  auto conv = legacy;
  conv["arch"] = "conv";  // the removed conv arch gets a clear error, not a wrong model
  CHECK_THROWS_WITH(conv.get<GeneratorConfig>(), Catch::Contains("unknown arch 'conv'"));
}

TEST_CASE("snapshot save/load reproduces the generator", "[models]") {
  torch::manual_seed(3);
  const auto dir = std::filesystem::temp_directory_path() / "drift_test_models";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "snap.pt").string();
  Generator g(default_mlp_config(10, {1, 28, 28}));
  save_snapshot(path, g, 1234);
  auto loaded = load_checkpoint(path);
  CHECK(loaded.step == 1234);
  CHECK(loaded.config.arch == Arch::mlp);
  auto eps = torch::randn({3, 32});
  auto lab = torch::tensor({1, 2, 3}, torch::kLong);
  auto a = torch::ones({3});
  torch::NoGradGuard ng;
  CHECK(torch::equal(g->generate(eps, lab, a), loaded.ema->generate(eps, lab, a)));
  CHECK_THROWS_WITH(load_checkpoint((dir / "missing.pt").string()), Catch::Contains("missing.pt: no such file"));
  const std::string junk = (dir / "junk.pt").string();
  { std::ofstream(junk) << "not a torch archive"; }
  CHECK_THROWS_WITH(load_checkpoint(junk), Catch::StartsWith(junk + ": "));
  std::filesystem::remove_all(dir);
}

TEST_CASE("sigmoid output keeps pixels in (0,1) and is listed in the manifest", "[models]") {
  auto cfg = default_mlp_config(10, {1, 28, 28});
  cfg.output_activation = "sigmoid";
  Generator g(cfg);
  CHECK(g->specs().back().type == drift::core::LayerType::sigmoid);
  torch::NoGradGuard ng;
  auto x = g->generate(10 * torch::randn({4, 32}), torch::tensor({0, 1, 2, 3}, torch::kLong), torch::ones({4}));
  CHECK(x.min().item<float>() >= 0.0f);
  CHECK(x.max().item<float>() <= 1.0f);
  nlohmann::json j = cfg;
  CHECK(j.get<GeneratorConfig>().output_activation == "sigmoid");
  j["output_activation"] = "softmax";
  CHECK_THROWS_WITH(j.get<GeneratorConfig>(), Catch::Contains("output_activation"));
}
