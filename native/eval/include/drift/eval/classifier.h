// The evaluation classifier: a small CNN trained on the *train* split only. Its
// penultimate activations are the feature space for FD and precision/recall, and its
// predictions give conditional accuracy. It is never a training signal for the generator.
#pragma once
#include <torch/torch.h>

#include <iosfwd>
#include <string>

#include "drift/eval/image_data.h"

namespace drift::eval {

struct ClassifierMeta {
  std::string dataset;          // informational
  int64_t channels = 1, height = 28, width = 28, num_classes = 10;
  int64_t feature_dim = 128;
  double test_accuracy = 0;     // measured on the test split after training
  int64_t train_count = 0;
  int64_t epochs = 0;
};

// [conv3x3(32) bn relu]x2 pool2 | [conv3x3(64) bn relu]x2 pool2 |
// fc(feature_dim) relu [features] | dropout | fc(num_classes). BatchNorm makes a few
// epochs enough on 2 CPU cores.
class ClassifierNetImpl : public torch::nn::Module {
 public:
  explicit ClassifierNetImpl(const ClassifierMeta& meta);
  // x [B,C,H,W] in [0,1] -> [B, feature_dim] (post-ReLU penultimate layer)
  torch::Tensor features(const torch::Tensor& x);
  // x [B,C,H,W] in [0,1] -> logits [B, num_classes]
  torch::Tensor forward(const torch::Tensor& x);
  // features [B, feature_dim] -> logits [B, num_classes]: forward's head alone
  torch::Tensor head(const torch::Tensor& features);

 private:
  torch::nn::Conv2d c1{nullptr}, c2{nullptr}, c3{nullptr}, c4{nullptr};
  torch::nn::BatchNorm2d b1{nullptr}, b2{nullptr}, b3{nullptr}, b4{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(ClassifierNet);

struct Classifier {
  ClassifierNet net{nullptr};  // eval mode
  ClassifierMeta meta;
};

struct ClassifierTrainOptions {
  int64_t epochs = 8;
  int64_t batch = 128;
  double lr = 2e-3;          // Adam, linear decay to 0
  int64_t max_shift = 2;     // random +-max_shift px translation per sample
  uint64_t seed = 0;
};

// Trains on train, reports test accuracy into meta. log (may be null) gets one line per epoch.
Classifier train_classifier(const ImageSet& train, const ImageSet& test,
                            const ClassifierTrainOptions& opt, const std::string& dataset_name,
                            std::ostream* log);

// x [N,C,H,W] in [0,1] -> features [N, feature_dim] / logits [N, num_classes]; batched, no grad.
torch::Tensor classifier_features(Classifier& c, const torch::Tensor& x);
torch::Tensor classifier_logits(Classifier& c, const torch::Tensor& x);
// features [N, feature_dim] (from classifier_features) -> logits [N, num_classes], without
// running the convolutions again.
torch::Tensor classifier_logits_from_features(Classifier& c, const torch::Tensor& features);
// Fraction of argmax(logits) == labels.
double classifier_accuracy(Classifier& c, const torch::Tensor& x, const torch::Tensor& labels);

// Atomic save (temp + rename); load throws "PATH: problem" for a missing/malformed file.
void save_classifier(const Classifier& c, const std::string& path);
Classifier load_classifier(const std::string& path);

// DIR/classifier.pt: where `drift-train classifier` stores it and eval looks for it.
std::string default_classifier_path(const std::string& dataset_dir);

}  // namespace drift::eval
