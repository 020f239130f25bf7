#include "drift/eval/quick_eval.h"

#include <ATen/CPUGeneratorImpl.h>  // explicit: not guaranteed via torch/torch.h in 2.x

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "drift/core/toy_data.h"
#include "drift/eval/classifier.h"
#include "drift/data/image_dataset.h"
#include "drift/eval/image_data.h"
#include "drift/eval/image_eval.h"
#include "drift/eval/toy_eval.h"

namespace drift::eval {

namespace {

// Seeded draws from the generator in chunks, on the generator's own device, no grad.
torch::Tensor draw(drift::models::Generator& g, const torch::Tensor& labels, double alpha,
                   uint64_t seed) {
  // labels [N] -> [N, output_dim] on CPU
  torch::NoGradGuard no_grad;
  const bool was_training = g->is_training();
  g->eval();
  auto params = g->parameters();
  auto device = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
  auto gen = torch::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t n = labels.size(0), latent = g->config().latent_dim;
  auto eps = torch::randn({n, latent}, gen, torch::kFloat32);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < n; i += 1000) {
    const int64_t j = std::min(i + 1000, n);
    auto e = eps.slice(0, i, j).to(device);
    auto l = labels.slice(0, i, j).to(device);
    auto a = torch::full({j - i}, alpha, torch::TensorOptions().device(device));
    out.push_back(g->generate(e, l, a).to(torch::kCPU, torch::kFloat32));
  }
  if (was_training) g->train();
  return torch::cat(out);
}

}  // namespace

nlohmann::json quick_eval(drift::models::Generator& generator, const std::string& dataset,
                          const QuickEvalOptions& opt) {
  if (drift::core::is_toy_name(dataset)) {
    auto sample = [&](int64_t n, double alpha) {
      return draw(generator, torch::zeros({n}, torch::kInt64), alpha, opt.seed);
    };
    return evaluate_toy(sample, dataset, opt.n, opt.alphas, opt.seed);
  }
  const std::string dir = drift::data::image_dataset_dir(dataset, opt.data_dir);
  const std::string cpath =
      opt.classifier_path.empty() ? default_classifier_path(dir) : opt.classifier_path;
  if (!std::ifstream(cpath)) {
    return {{"kind", "images"},
            {"error", cpath + ": no classifier here; train one with `drift-train classifier "
                              "--dataset " + dataset + "`"}};
  }
  auto classifier = load_classifier(cpath);
  auto train = load_image_split(dataset, opt.data_dir, "train");
  auto test = load_image_split(dataset, opt.data_dir, "test");
  ImageEvalOptions io;
  io.n = opt.n;
  io.alphas = opt.alphas;
  auto sample = [&](const torch::Tensor& labels, double alpha) {
    return draw(generator, labels, alpha, opt.seed);
  };
  auto result = evaluate_images(sample, classifier, train, test, io);
  result["dataset"] = dataset;
  result["classifier"]["path"] = cpath;
  return result;
}

static std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string format_eval_table(const nlohmann::json& r) {
  std::ostringstream s;
  if (r.contains("error")) {
    s << "eval skipped: " << r["error"].get<std::string>() << "\n";
    return s.str();
  }
  if (r.value("kind", "") == "toy") {
    s << "target " << r["target"].get<std::string>() << ", n " << r["n"].get<int64_t>()
      << ", floor (RMS of target vs target) energy " << fmt("%.5f", r["floor"]["energy"]) << "\n";
    s << "  alpha    energy   energy/floor\n";
    for (const auto& a : r["alphas"])
      s << fmt("%7.2f", a["alpha"]) << fmt("%10.5f", a["energy"]) << fmt("%15.2f", a["energy_over_floor"])
        << "\n";
    return s.str();
  }
  const auto& f = r["floor"];
  s << "n " << r["n"].get<int64_t>() << " generated vs " << r["test_n"].get<int64_t>()
    << " test images; classifier test acc " << fmt("%.2f%%", 100.0 * r["classifier"]["test_accuracy"].get<double>())
    << "\n";
  // density/coverage: absent from evals written before they existed (printed as "-").
  auto opt3 = [](const nlohmann::json& j, const char* key, int width) {
    return j.contains(key) ? fmt(("%" + std::to_string(width) + ".3f").c_str(), j[key].get<double>())
                           : std::string(size_t(width - 1), ' ') + "-";
  };
  s << "  alpha       FD   FD/floor    acc%   prec  recall density coverage   div (real)   mem ratio  copies%\n";
  s << "   real" << fmt("%9.2f", f["fd"]) << fmt("%11.2f", 1.0) << fmt("%8.2f", 100.0 * f["accuracy"].get<double>())
    << fmt("%7.3f", f["precision"]) << fmt("%8.3f", f["recall"]) << opt3(f, "density", 8)
    << opt3(f, "coverage", 9) << fmt("%6.2f", f["diversity"])
    << fmt(" (%5.2f)", f["diversity"]) << "\n";
  for (const auto& a : r["alphas"]) {
    s << fmt("%7.2f", a["alpha"]) << fmt("%9.2f", a["fd"]) << fmt("%11.2f", a["fd_over_floor"])
      << fmt("%8.2f", 100.0 * a["accuracy"].get<double>()) << fmt("%7.3f", a["precision"])
      << fmt("%8.3f", a["recall"]) << opt3(a, "density", 8) << opt3(a, "coverage", 9)
      << fmt("%6.2f", a["diversity"]) << fmt(" (%5.2f)", a["diversity_real"])
      << fmt("%12.2f", a["memorisation"]["ratio"])
      << fmt("%8.1f", 100.0 * a["memorisation"]["frac_below_test_p1"].get<double>()) << "\n";
  }
  // Which real digits the generator misses: recall split by the test digit's class.
  if (!f.contains("recall_per_class")) return s.str();
  s << "recall by class of the test digit\n  alpha";
  for (size_t c = 0; c < f["recall_per_class"].size(); ++c) s << fmt("%6.0f", double(c));
  s << "\n";
  auto per_class_row = [&](const std::string& label, const nlohmann::json& values) {
    s << label;
    for (const auto& v : values) s << (v.is_number() ? fmt("%6.2f", v.get<double>()) : std::string("     -"));
    s << "\n";
  };
  per_class_row("   real", f["recall_per_class"]);
  for (const auto& a : r["alphas"]) per_class_row(fmt("%7.2f", a["alpha"]), a["recall_per_class"]);
  return s.str();
}

}  // namespace drift::eval
