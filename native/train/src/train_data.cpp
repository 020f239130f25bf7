#include "drift/train/train_data.h"

#include <stdexcept>

#include "drift/core/toy_data.h"

namespace drift::train {

TrainData::TrainData(const std::string& spec, const std::string& data_dir, torch::Device device)
    : device_(device) {
  if (data::is_image_dataset(spec)) {
    data::ImageDatasetOptions o;
    o.data_dir = data_dir;
    o.split = "train";
    images_ = std::make_unique<data::ImageDataset>(data::load_image_dataset(spec, o));
    images_->x = images_->x.to(device);
    images_->labels = images_->labels.to(device);
    sampler_ = std::make_unique<data::ClassSampler>(*images_);
    num_classes_ = images_->num_classes;
    shape_ = {images_->channels, images_->height, images_->width};
  } else if (data::is_toy_dataset(spec)) {
    toy_ = std::make_unique<data::ToyDataset>(data::make_toy(spec));
    shape_ = {2};
  } else {
    throw std::runtime_error("dataset '" + spec +
                             "': unknown (use mnist, fashion-mnist, idx:DIR, a toy name " +
                             core::toy_names_joined("|") + ", or csv:FILE)");
  }
}

int64_t TrainData::dim() const {
  int64_t d = 1;
  for (auto v : shape_) d *= v;
  return d;
}

int64_t TrainData::size() const { return images_ ? images_->size() : 1000000; }

torch::Tensor TrainData::positives(const torch::Tensor& class_ids, int64_t P, at::Generator& gen) const {
  const int64_t B = class_ids.size(0);
  if (toy_) return toy_->sample(B * P, gen).to(device_).view({B, P, 2});
  return sampler_->sample_positives(class_ids, P, gen);
}

torch::Tensor TrainData::uncond(int64_t B, int64_t U, at::Generator& gen) const {
  if (toy_) return toy_->sample(B * U, gen).to(device_).view({B, U, 2});
  return sampler_->sample_any(B * U, gen).view({B, U, dim()});
}

torch::Tensor TrainData::reference(int64_t n, at::Generator& gen) const {
  if (toy_) return toy_->sample(n, gen).to(device_);
  return sampler_->sample_any(n, gen);
}

}  // namespace drift::train
