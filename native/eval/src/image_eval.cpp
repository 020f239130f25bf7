#include "drift/eval/image_eval.h"

#include <chrono>
#include <stdexcept>

#include "drift/eval/diversity.h"
#include "drift/eval/frechet.h"
#include "drift/eval/memorisation.h"
#include "drift/eval/neighbors.h"
#include "drift/eval/precision_recall.h"

namespace drift::eval {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Wall seconds per phase, summed over the floor and every α: where an eval spends its time.
struct PhaseClock {
  nlohmann::json seconds = nlohmann::json::object();
  template <class F>
  auto operator()(const char* phase, F&& f) {
    const auto t = std::chrono::steady_clock::now();
    auto result = f();
    seconds[phase] = seconds.value(phase, 0.0) + seconds_since(t);
    return result;
  }
};
}  // namespace

nlohmann::json evaluate_images(const ImageSampler& sample, Classifier& classifier,
                               const ImageSet& train, const ImageSet& test,
                               const ImageEvalOptions& opt) {
  torch::NoGradGuard no_grad;
  const auto t0 = std::chrono::steady_clock::now();
  const auto& m = classifier.meta;
  const int64_t k = m.num_classes;
  if (opt.n < 2 * k) throw std::runtime_error("eval: --n must be at least 2 per class");
  if (opt.n > train.images.size(0))
    throw std::runtime_error("eval: --n " + std::to_string(opt.n) + " exceeds the train split (" +
                             std::to_string(train.images.size(0)) + ") used for the floor");

  // Real references, α-independent: test features, and a train subset of the same N as the
  // generated set for the real-vs-real floor (FD is biased upward at small N).
  PhaseClock clock;
  auto test_feats = clock("features", [&] { return classifier_features(classifier, test.images); });
  auto test_stats = clock("fd", [&] { return gaussian_stats(test_feats); });
  auto floor_set = balanced_subset(train, opt.n);
  auto floor_feats = clock("features", [&] { return classifier_features(classifier, floor_set.images); });
  const double floor_fd =
      clock("fd", [&] { return frechet_distance(gaussian_stats(floor_feats), test_stats); });
  // The test set is the real side of every precision/recall: its k-NN radii once.
  const auto test_radii = clock("precision_recall", [&] { return kth_neighbor_radii(test_feats, 3); });
  const auto floor_pr = clock("precision_recall", [&] {
    return knn_precision_recall_with_radii(test_feats, test_radii, floor_feats, 3);
  });
  // Density and coverage: balls of k = 5 around the test digits only (Naeem et al. 2020).
  const auto test_radii5 = clock("density_coverage", [&] { return kth_neighbor_radii(test_feats, 5); });
  const auto floor_dc = clock("density_coverage", [&] {
    return density_coverage_with_radii(test_feats, test_radii5, floor_feats, 5);
  });
  const auto real_div =
      clock("diversity", [&] { return within_class_diversity(test.images, test.labels, k); });
  // Accuracy from the features already computed: the head alone, not the convolutions again.
  auto accuracy = [&](const torch::Tensor& feats, const torch::Tensor& want) {
    auto pred = classifier_logits_from_features(classifier, feats).argmax(1);
    return (pred == want.to(torch::kInt64)).to(torch::kFloat64).mean().item<double>();
  };
  const auto floor_acc = clock("accuracy", [&] { return accuracy(floor_feats, floor_set.labels); });
  // Memorisation: the train split as one prepared reference set (with its projected bound),
  // searched by the test set (the reference distances) and by each α's samples.
  const auto train_index =
      clock("memorisation", [&] { return NeighborIndex(train.images, kMemorisationProjection); });
  const auto test_nn = clock("memorisation", [&] { return nearest_distances(test.images, train_index); });

  nlohmann::json out;
  out["kind"] = "images";
  out["n"] = opt.n;
  out["test_n"] = test.images.size(0);
  out["classifier"] = {{"dataset", m.dataset}, {"test_accuracy", m.test_accuracy}};
  out["floor"] = {{"fd", floor_fd},
                  {"precision", floor_pr.precision},
                  {"recall", floor_pr.recall},
                  {"recall_per_class", recall_per_class(floor_pr.real_covered, test.labels, k)},
                  {"density", floor_dc.density},
                  {"coverage", floor_dc.coverage},
                  {"accuracy", floor_acc},
                  {"diversity", real_div.mean}};
  out["alphas"] = nlohmann::json::array();

  // Balanced labels 0..k-1 repeated.
  auto labels = torch::arange(opt.n, torch::kInt64).remainder(k);
  for (double alpha : opt.alphas) {
    auto gen = clock("sampling", [&] { return sample(labels, alpha).to(torch::kCPU, torch::kFloat32); });
    if (gen.numel() != opt.n * m.channels * m.height * m.width)
      throw std::runtime_error("eval: generator output size does not match the classifier's " +
                               std::to_string(m.channels) + "x" + std::to_string(m.height) + "x" +
                               std::to_string(m.width) + " images");
    // Consumers display pixels clamped to [0,1]; evaluate exactly what is shown.
    gen = gen.reshape({opt.n, m.channels, m.height, m.width}).clamp(0.0, 1.0);
    auto feats = clock("features", [&] { return classifier_features(classifier, gen); });
    const double fd = clock("fd", [&] { return frechet_distance(gaussian_stats(feats), test_stats); });
    const auto pr = clock("precision_recall", [&] {
      return knn_precision_recall_with_radii(test_feats, test_radii, feats, 3);
    });
    const auto dc = clock("density_coverage", [&] {
      return density_coverage_with_radii(test_feats, test_radii5, feats, 5);
    });
    const auto div = clock("diversity", [&] { return within_class_diversity(gen, labels, k); });
    const auto mem = clock("memorisation", [&] {
      return memorisation_from_distances(nearest_distances(gen, train_index), test_nn);
    });
    const double acc = clock("accuracy", [&] { return accuracy(feats, labels); });
    out["alphas"].push_back({{"alpha", alpha},
                             {"fd", fd},
                             {"fd_over_floor", floor_fd > 0 ? fd / floor_fd : 0.0},
                             {"accuracy", acc},
                             {"precision", pr.precision},
                             {"recall", pr.recall},
                             {"recall_per_class", recall_per_class(pr.real_covered, test.labels, k)},
                             {"density", dc.density},
                             {"coverage", dc.coverage},
                             {"diversity", div.mean},
                             {"diversity_real", real_div.mean},
                             {"diversity_per_class", div.per_class},
                             {"memorisation",
                              {{"gen_nn_median", mem.gen_nn_median},
                               {"test_nn_median", mem.test_nn_median},
                               {"ratio", mem.ratio},
                               {"frac_below_test_p1", mem.frac_below_test_p1}}}});
  }
  out["seconds"] = seconds_since(t0);
  out["seconds_by_phase"] = clock.seconds;
  return out;
}

}  // namespace drift::eval
