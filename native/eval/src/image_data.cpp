#include "drift/eval/image_data.h"

#include <vector>

#include "drift/data/image_dataset.h"

namespace drift::eval {

ImageSet load_image_split(const std::string& dataset, const std::string& data_dir, const std::string& split) {
  drift::data::ImageDatasetOptions opt;
  opt.data_dir = data_dir;
  opt.split = split;
  auto ds = drift::data::load_image_dataset(dataset, opt);  // x [N, H*W] in [0,1]
  ImageSet s;
  s.images = ds.x.view({ds.x.size(0), ds.channels, ds.height, ds.width});
  s.labels = ds.labels;
  s.num_classes = ds.num_classes;
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
