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
  auto test_feats = classifier_features(classifier, test.images);
  auto test_stats = gaussian_stats(test_feats);
  auto floor_set = balanced_subset(train, opt.n);
  auto floor_feats = classifier_features(classifier, floor_set.images);
  const double floor_fd = frechet_distance(gaussian_stats(floor_feats), test_stats);
  const auto floor_pr = knn_precision_recall(test_feats, floor_feats, 3);
  const auto real_div = within_class_diversity(test.images, test.labels, k);
  const auto test_nn = nearest_distances(test.images, train.images);  // memorisation reference

  nlohmann::json out;
  out["kind"] = "images";
  out["n"] = opt.n;
  out["test_n"] = test.images.size(0);
  out["classifier"] = {{"dataset", m.dataset}, {"test_accuracy", m.test_accuracy}};
  out["floor"] = {{"fd", floor_fd},
                  {"precision", floor_pr.precision},
                  {"recall", floor_pr.recall},
                  {"recall_per_class", recall_per_class(floor_pr.real_covered, test.labels, k)},
                  {"accuracy", classifier_accuracy(classifier, floor_set.images, floor_set.labels)},
                  {"diversity", real_div.mean}};
  out["alphas"] = nlohmann::json::array();

  // Balanced labels 0..k-1 repeated.
  auto labels = torch::arange(opt.n, torch::kInt64).remainder(k);
  for (double alpha : opt.alphas) {
    auto gen = sample(labels, alpha).to(torch::kCPU, torch::kFloat32);
    if (gen.numel() != opt.n * m.channels * m.height * m.width)
      throw std::runtime_error("eval: generator output size does not match the classifier's " +
                               std::to_string(m.channels) + "x" + std::to_string(m.height) + "x" +
                               std::to_string(m.width) + " images");
    // Consumers display pixels clamped to [0,1]; evaluate exactly what is shown.
    gen = gen.reshape({opt.n, m.channels, m.height, m.width}).clamp(0.0, 1.0);
    auto feats = classifier_features(classifier, gen);
    const double fd = frechet_distance(gaussian_stats(feats), test_stats);
    const auto pr = knn_precision_recall(test_feats, feats, 3);
    const auto div = within_class_diversity(gen, labels, k);
    const auto mem = memorisation_from_distances(nearest_distances(gen, train.images), test_nn);
    const double acc =
        (classifier_logits(classifier, gen).argmax(1) == labels).to(torch::kFloat64).mean().item<double>();
    out["alphas"].push_back({{"alpha", alpha},
                             {"fd", fd},
                             {"fd_over_floor", floor_fd > 0 ? fd / floor_fd : 0.0},
                             {"accuracy", acc},
                             {"precision", pr.precision},
                             {"recall", pr.recall},
                             {"recall_per_class", recall_per_class(pr.real_covered, test.labels, k)},
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
  return out;
}

}  // namespace drift::eval
