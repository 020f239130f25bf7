#include "eval/image_data.h"

#include <stdexcept>
#include <vector>

#include "drift/data/idx.h"

namespace drift::eval {

std::string image_dataset_dir(const std::string& data_dir, const std::string& dataset) {
  if (dataset.rfind("idx:", 0) == 0) return dataset.substr(4);
  if (dataset == "mnist" || dataset == "fashion-mnist") return data_dir + "/" + dataset;
  throw std::runtime_error("dataset '" + dataset +
                           "': not an image dataset (use mnist, fashion-mnist or idx:DIR)");
}

ImageSet load_image_split(const std::string& dir, const std::string& split) {
  auto raw = drift::data::load_idx_split(dir, split);
  ImageSet s;
  auto bytes = torch::from_blob(raw.pixels.data(), {raw.count, 1, raw.rows, raw.cols}, torch::kUInt8);
  s.images = bytes.to(torch::kFloat32).div_(255.0f);  // copies out of raw
  s.labels = torch::from_blob(raw.labels.data(), {raw.count}, torch::kUInt8).to(torch::kInt64);
  s.num_classes = raw.num_classes;
  return s;
}

ImageSet balanced_subset(const ImageSet& set, int64_t n) {
  const int64_t total = set.images.size(0);
  if (n <= 0 || n >= total) return set;
  auto lab = set.labels.contiguous();
  const int64_t* l = lab.data_ptr<int64_t>();
  std::vector<std::vector<int64_t>> by_class(set.num_classes);
  for (int64_t i = 0; i < total; ++i) by_class[l[i]].push_back(i);
  std::vector<int64_t> pick;
  for (size_t round = 0; static_cast<int64_t>(pick.size()) < n; ++round) {
    bool any = false;
    for (auto& idx : by_class) {
      if (round < idx.size() && static_cast<int64_t>(pick.size()) < n) {
        pick.push_back(idx[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  auto index = torch::tensor(pick, torch::kInt64);
  ImageSet out;
  out.images = set.images.index_select(0, index);
  out.labels = set.labels.index_select(0, index);
  out.num_classes = set.num_classes;
  return out;
}

}  // namespace drift::eval
