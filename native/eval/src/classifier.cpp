#include "drift/eval/classifier.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "drift/models/generator.h"

namespace drift::eval {

namespace nn = torch::nn;

ClassifierNetImpl::ClassifierNetImpl(const ClassifierMeta& m) {
  if (m.height % 4 != 0 || m.width % 4 != 0)
    throw std::runtime_error("classifier: image size must be a multiple of 4, got " +
                             std::to_string(m.height) + "x" + std::to_string(m.width));
  c1 = register_module("c1", nn::Conv2d(nn::Conv2dOptions(m.channels, 32, 3).padding(1)));
  c2 = register_module("c2", nn::Conv2d(nn::Conv2dOptions(32, 32, 3).padding(1)));
  c3 = register_module("c3", nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)));
  c4 = register_module("c4", nn::Conv2d(nn::Conv2dOptions(64, 64, 3).padding(1)));
  b1 = register_module("b1", nn::BatchNorm2d(32));
  b2 = register_module("b2", nn::BatchNorm2d(32));
  b3 = register_module("b3", nn::BatchNorm2d(64));
  b4 = register_module("b4", nn::BatchNorm2d(64));
  fc1 = register_module("fc1", nn::Linear(64 * (m.height / 4) * (m.width / 4), m.feature_dim));
  fc2 = register_module("fc2", nn::Linear(m.feature_dim, m.num_classes));
  drop = register_module("drop", nn::Dropout(0.3));
}

torch::Tensor ClassifierNetImpl::features(const torch::Tensor& x) {
  // x [B,C,H,W] -> [B,F]
  auto h = (x - 0.5) * 2.0;
  h = torch::relu(b2(c2(torch::relu(b1(c1(h))))));
  h = torch::max_pool2d(h, 2);                         // [B,32,H/2,W/2]
  h = torch::relu(b4(c4(torch::relu(b3(c3(h))))));
  h = torch::max_pool2d(h, 2);                         // [B,64,H/4,W/4]
  return torch::relu(fc1(h.flatten(1)));
}

torch::Tensor ClassifierNetImpl::forward(const torch::Tensor& x) {
  // x [B,C,H,W] -> [B,K]
  return head(features(x));
}

torch::Tensor ClassifierNetImpl::head(const torch::Tensor& f) {
  // f [B,F] -> [B,K]
  return fc2(drop(f));
}

// Random integer translation of each image by up to +-s pixels (zero fill).
static torch::Tensor random_shift(const torch::Tensor& x, int64_t s) {
  // x [B,C,H,W] -> [B,C,H,W]
  if (s <= 0) return x;
  const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
  auto padded = torch::constant_pad_nd(x, {s, s, s, s}, 0.0);   // [B,C,H+2s,W+2s]
  auto dy = torch::randint(0, 2 * s + 1, {b, 1, 1}, torch::kInt64);
  auto dx = torch::randint(0, 2 * s + 1, {b, 1, 1}, torch::kInt64);
  auto rows = dy + torch::arange(h, torch::kInt64).view({1, h, 1});  // [B,H,1]
  auto cols = dx + torch::arange(w, torch::kInt64).view({1, 1, w});  // [B,1,W]
  auto bidx = torch::arange(b, torch::kInt64).view({b, 1, 1});
  // Advanced indexing over (batch, row, col) of the channels-last view, then back to NCHW.
  auto out = padded.permute({0, 2, 3, 1}).index({bidx, rows, cols});  // [B,H,W,C]
  return out.permute({0, 3, 1, 2}).contiguous();
}

Classifier train_classifier(const ImageSet& train, const ImageSet& test,
                            const ClassifierTrainOptions& opt, const std::string& dataset_name,
                            std::ostream* log) {
  if (train.images.dim() != 4 || train.images.size(0) == 0)
    throw std::runtime_error("classifier: training images must be [N,C,H,W] and non-empty");
  torch::manual_seed(opt.seed);
  Classifier c;
  c.meta.dataset = dataset_name;
  c.meta.channels = train.images.size(1);
  c.meta.height = train.images.size(2);
  c.meta.width = train.images.size(3);
  c.meta.num_classes = std::max<int64_t>(train.num_classes, test.num_classes);
  c.meta.train_count = train.images.size(0);
  c.meta.epochs = opt.epochs;
  c.net = ClassifierNet(c.meta);
  torch::optim::Adam adam(c.net->parameters(), torch::optim::AdamOptions(opt.lr));

  const int64_t n = train.images.size(0);
  const int64_t steps_per_epoch = (n + opt.batch - 1) / opt.batch;
  const int64_t total_steps = steps_per_epoch * opt.epochs;
  int64_t step = 0;
  for (int64_t epoch = 0; epoch < opt.epochs; ++epoch) {
    auto t0 = std::chrono::steady_clock::now();
    c.net->train();
    auto perm = torch::randperm(n, torch::kInt64);
    double loss_sum = 0;
    for (int64_t i = 0; i < n; i += opt.batch, ++step) {
      // Linear decay of the learning rate to 0 over the whole run.
      double lr = opt.lr * (1.0 - static_cast<double>(step) / static_cast<double>(total_steps));
      for (auto& g : adam.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
      auto idx = perm.slice(0, i, std::min(i + opt.batch, n));
      auto x = random_shift(train.images.index_select(0, idx), opt.max_shift);
      auto y = train.labels.index_select(0, idx);
      auto loss = torch::nll_loss(torch::log_softmax(c.net->forward(x), 1), y);
      adam.zero_grad();
      loss.backward();
      adam.step();
      loss_sum += loss.item<double>() * static_cast<double>(idx.size(0));
    }
    c.net->eval();
    double acc = test.images.size(0) ? classifier_accuracy(c, test.images, test.labels) : 0.0;
    c.meta.test_accuracy = acc;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (log)
      *log << "classifier epoch " << (epoch + 1) << "/" << opt.epochs << "  loss "
           << loss_sum / static_cast<double>(n) << "  test acc " << acc * 100.0 << "%  ("
           << secs << " s)" << std::endl;
  }
  c.net->eval();
  return c;
}

static torch::Tensor batched(Classifier& c, const torch::Tensor& x, bool features) {
  // x [N,C,H,W] -> [N, F or K]
  if (x.dim() != 4 || x.size(1) != c.meta.channels || x.size(2) != c.meta.height ||
      x.size(3) != c.meta.width)
    throw std::runtime_error("classifier: expected images [N," + std::to_string(c.meta.channels) +
                             "," + std::to_string(c.meta.height) + "," +
                             std::to_string(c.meta.width) + "]");
  torch::NoGradGuard no_grad;
  c.net->eval();
  std::vector<torch::Tensor> out;
  auto xs = x.to(torch::kCPU, torch::kFloat32);
  // 256 images: the largest activation ([256,32,28,28], 26 MB) stays under glibc's largest
  // mmap threshold (32 MB), so blocks are reused from the heap; at 500 every layer's output was
  // a fresh mmap, and page faults took most of the time (`drift-train eval --n 2000 --alpha 1`
  // with OMP_NUM_THREADS=2, 14,000 images: features 17.8 s -> 3.0 s).
  constexpr int64_t kBatch = 256;
  for (int64_t i = 0; i < xs.size(0); i += kBatch) {
    auto chunk = xs.slice(0, i, std::min(i + kBatch, xs.size(0)));
    out.push_back(features ? c.net->features(chunk) : c.net->forward(chunk));
  }
  return torch::cat(out);
}

torch::Tensor classifier_features(Classifier& c, const torch::Tensor& x) { return batched(c, x, true); }
torch::Tensor classifier_logits(Classifier& c, const torch::Tensor& x) { return batched(c, x, false); }

torch::Tensor classifier_logits_from_features(Classifier& c, const torch::Tensor& features) {
  // features [N,F] -> [N,K]
  if (features.dim() != 2 || features.size(1) != c.meta.feature_dim)
    throw std::runtime_error("classifier: expected features [N," + std::to_string(c.meta.feature_dim) + "]");
  torch::NoGradGuard no_grad;
  c.net->eval();
  return c.net->head(features.to(torch::kCPU, torch::kFloat32));
}

double classifier_accuracy(Classifier& c, const torch::Tensor& x, const torch::Tensor& labels) {
  auto pred = classifier_logits(c, x).argmax(1);
  return (pred == labels.to(torch::kInt64)).to(torch::kFloat64).mean().item<double>();
}

static nlohmann::json meta_json(const ClassifierMeta& m) {
  return {{"dataset", m.dataset},         {"channels", m.channels},
          {"height", m.height},           {"width", m.width},
          {"num_classes", m.num_classes}, {"feature_dim", m.feature_dim},
          {"test_accuracy", m.test_accuracy}, {"train_count", m.train_count},
          {"epochs", m.epochs}};
}

void save_classifier(const Classifier& c, const std::string& path) {
  torch::serialize::OutputArchive archive;
  // Metadata as JSON bytes in a uint8 tensor: reads the same in LibTorch 1.13 and 2.x.
  std::string meta = meta_json(c.meta).dump();
  auto bytes = torch::empty({static_cast<int64_t>(meta.size())}, torch::kUInt8);
  std::memcpy(bytes.data_ptr<uint8_t>(), meta.data(), meta.size());
  archive.write("meta", bytes);
  torch::serialize::OutputArchive net_archive;
  c.net->save(net_archive);
  archive.write("net", net_archive);
  drift::models::save_archive_atomic(archive, path, "classifier");
}

Classifier load_classifier(const std::string& path) {
  if (!std::ifstream(path))
    throw std::runtime_error(path + ": no classifier here; train one with `drift-train classifier`");
  Classifier c;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    torch::Tensor bytes;
    archive.read("meta", bytes);
    auto j = nlohmann::json::parse(
        std::string(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), bytes.numel()));
    auto& m = c.meta;
    m.dataset = j.at("dataset").get<std::string>();
    m.channels = j.at("channels");
    m.height = j.at("height");
    m.width = j.at("width");
    m.num_classes = j.at("num_classes");
    m.feature_dim = j.at("feature_dim");
    m.test_accuracy = j.at("test_accuracy");
    m.train_count = j.at("train_count");
    m.epochs = j.at("epochs");
    c.net = ClassifierNet(m);
    torch::serialize::InputArchive net_archive;
    archive.read("net", net_archive);
    c.net->load(net_archive);
  } catch (const std::exception& e) {
    std::string why = e.what();
    throw std::runtime_error(path + ": not a drift classifier (" + why.substr(0, why.find('\n')) + ")");
  }
  c.net->eval();
  return c;
}

std::string default_classifier_path(const std::string& dataset_dir) {
  return dataset_dir + "/classifier.pt";
}

}  // namespace drift::eval
