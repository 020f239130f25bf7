#include "drift/data/image_dataset.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

#include "drift/core/idx.h"

namespace drift::data {

bool is_image_dataset(const std::string& spec) {
  return spec == "mnist" || spec == "fashion-mnist" || (spec.rfind("idx:", 0) == 0 && spec.size() > 4);
}

std::string image_dataset_dir(const std::string& spec, const std::string& data_dir) {
  if (spec.rfind("idx:", 0) == 0 && spec.size() > 4) return spec.substr(4);
  if (spec == "mnist" || spec == "fashion-mnist") return data_dir + "/" + spec;
  throw std::runtime_error("dataset '" + spec + "': not an image dataset (use mnist, fashion-mnist or idx:DIR)");
}

ImageDataset load_image_dataset(const std::string& spec, const ImageDatasetOptions& opt) {
  if (opt.split != "train" && opt.split != "test")
    throw std::runtime_error("dataset '" + spec + "': split must be train or test, got '" + opt.split + "'");
  if (!(opt.hi > opt.lo)) throw std::runtime_error("dataset '" + spec + "': pixel range needs hi > lo");
  const std::string dir = image_dataset_dir(spec, opt.data_dir);
  core::LabelledImages raw = core::load_idx_split(dir, opt.split);
  int64_t n = raw.count;
  if (opt.limit > 0 && opt.limit < n) n = opt.limit;
  ImageDataset ds;
  ds.name = spec;
  ds.split = opt.split;
  ds.channels = 1, ds.height = raw.rows, ds.width = raw.cols;
  ds.lo = opt.lo, ds.hi = opt.hi;
  ds.num_classes = raw.num_classes;
  // bytes [n, H*W] -> float [n, D] in [lo, hi]; from_blob views raw, .to() copies out of it.
  const auto bytes = torch::from_blob(raw.pixels.data(), {n, raw.rows * raw.cols}, torch::kUInt8);
  ds.x = bytes.to(torch::kFloat32).mul_((opt.hi - opt.lo) / 255.f).add_(opt.lo);
  ds.labels = torch::from_blob(raw.labels.data(), {n}, torch::kUInt8).to(torch::kInt64);
  return ds;
}

at::Generator make_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

ClassSampler::ClassSampler(const ImageDataset& ds)
    : x_(ds.x), num_classes_(ds.num_classes) {
  if (!x_.defined() || x_.dim() != 2 || x_.size(0) < 1)
    throw std::runtime_error("ClassSampler: dataset '" + ds.name + "' is empty or not [N,D]");
  const auto lab = ds.labels.to(torch::kCPU, torch::kInt64).contiguous();
  if (lab.numel() != x_.size(0)) throw std::runtime_error("ClassSampler: dataset '" + ds.name + "': labels/x size mismatch");
  labels_ = ds.labels.to(x_.device(), torch::kInt64);
  if (num_classes_ > 0) {
    // Stable sort by label; counts and start offsets per class.
    order_ = std::get<1>(lab.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
    counts_ = torch::bincount(lab, /*weights=*/{}, num_classes_);
    offsets_ = counts_.cumsum(0) - counts_;
  } else {
    counts_ = torch::zeros({0}, torch::kInt64);
  }
}

torch::Tensor ClassSampler::sample_positives(const torch::Tensor& class_ids, int64_t P, at::Generator& gen) const {
  // class_ids [B] -> [B, P, D]
  if (class_ids.dim() != 1 || P < 1) throw std::runtime_error("sample_positives: class_ids must be [B] and P >= 1");
  const auto c = class_ids.to(torch::kCPU, torch::kInt64);
  const int64_t B = c.size(0);
  if (B == 0) return torch::empty({0, P, x_.size(1)}, x_.options());
  if (num_classes_ == 0 || c.min().item<int64_t>() < 0 || c.max().item<int64_t>() >= num_classes_)
    throw std::runtime_error("sample_positives: class id out of range [0, " + std::to_string(num_classes_) + ")");
  const auto cnt = counts_.index_select(0, c);  // [B]
  if (cnt.min().item<int64_t>() == 0) throw std::runtime_error("sample_positives: a requested class has no images");
  // u [B,P] in [0,1) -> rank within class floor(u*count) (clamped: double rounding at u~1).
  const auto u = torch::rand({B, P}, gen, torch::TensorOptions().dtype(torch::kFloat64));
  const auto cnt2 = cnt.unsqueeze(1);
  const auto rank = torch::minimum(u.mul(cnt2.to(torch::kFloat64)).floor().to(torch::kInt64), cnt2 - 1);
  const auto idx = order_.index_select(0, (offsets_.index_select(0, c).unsqueeze(1) + rank).reshape(-1));
  return x_.index_select(0, idx.to(x_.device())).reshape({B, P, x_.size(1)});
}

torch::Tensor ClassSampler::sample_any(int64_t n, at::Generator& gen) const {
  // -> [n, D]
  const auto idx = torch::randint(x_.size(0), {n}, gen, torch::TensorOptions().dtype(torch::kInt64));
  return x_.index_select(0, idx.to(x_.device()));
}

std::pair<torch::Tensor, torch::Tensor> ClassSampler::sample_any_labelled(int64_t n, at::Generator& gen) const {
  // -> ([n, D], [n])
  const auto idx = torch::randint(x_.size(0), {n}, gen, torch::TensorOptions().dtype(torch::kInt64)).to(x_.device());
  return {x_.index_select(0, idx), labels_.index_select(0, idx)};
}

}  // namespace drift::data
