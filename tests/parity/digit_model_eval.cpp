// drift-digit-eval: the project's image evaluation (native/eval evaluate_images: conditional
// accuracy by data/mnist/classifier.pt, FD and its real-vs-real floor, precision/recall) of
// models in the weights format, sampled through the core's generator (the path the page and
// drift-infer take). For the digit trainer's exports, which have no checkpoint for
// `drift-train eval`.
//   drift-digit-eval [--data-dir data] [--n 2000] [--seed 1234] MODEL.json...
// Prints one JSON line per model: {"model":..,"accuracy":..,"fd":..,"fd_over_floor":..}.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "drift/core/generator.h"
#include "drift/core/model.h"
#include "drift/eval/classifier.h"
#include "drift/eval/image_data.h"
#include "drift/eval/image_eval.h"

int main(int argc, char** argv) {
  try {
    std::string data_dir = "data";
    int64_t n = 2000;
    std::uint64_t seed = 1234;
    std::vector<std::string> models;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--data-dir" && i + 1 < argc) data_dir = argv[++i];
      else if (a == "--n" && i + 1 < argc) n = std::atoll(argv[++i]);
      else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
      else models.push_back(a);
    }
    if (models.empty()) throw std::runtime_error("usage: drift-digit-eval [--data-dir D] [--n N] [--seed S] MODEL.json...");
    torch::set_num_threads(1);
    auto classifier = drift::eval::load_classifier(drift::eval::default_classifier_path(data_dir + "/mnist"));
    const auto train = drift::eval::load_image_split("mnist", data_dir, "train");
    const auto test = drift::eval::load_image_split("mnist", data_dir, "test");
    for (const std::string& path : models) {
      std::string err;
      auto model = drift::core::load_model_file(path, &err);
      if (!model) throw std::runtime_error(err);
      drift::core::Generator gen(*model);
      std::uint64_t call = 0;
      const drift::eval::ImageSampler sample = [&](const torch::Tensor& labels, double alpha) {
        const int64_t m = labels.size(0);
        std::vector<std::int32_t> lab(static_cast<size_t>(m));
        auto acc = labels.to(torch::kInt64).contiguous();
        for (int64_t i = 0; i < m; ++i) lab[size_t(i)] = std::int32_t(acc.data_ptr<int64_t>()[i]);
        torch::Tensor out = torch::empty({m, model->output_size()}, torch::kFloat);
        drift::core::GenerateRequest req;
        req.n = int(m);
        req.labels = lab.data();
        req.alpha = float(alpha);
        req.seed = seed + call++;
        if (!gen.generate(req, out.data_ptr<float>(), &err)) throw std::runtime_error(path + ": " + err);
        return out.reshape({m, 1, 28, 28});
      };
      drift::eval::ImageEvalOptions opt;
      opt.n = n;
      opt.alphas = {1.0};
      const nlohmann::json r = drift::eval::evaluate_images(sample, classifier, train, test, opt);
      const auto& a = r["alphas"][0];
      std::printf("{\"model\":\"%s\",\"n\":%lld,\"accuracy\":%.4f,\"fd\":%.3f,\"fd_over_floor\":%.3f,\"recall\":%.4f}\n",
                  path.c_str(), (long long)n, a["accuracy"].get<double>(), a["fd"].get<double>(),
                  a["fd_over_floor"].get<double>(), a["recall"].get<double>());
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "drift-digit-eval: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
