// Image datasets (IDX -> tensors, per-class sampling) and 2D toy datasets (drift_core
// samplers, CSV points).
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "drift/core/atomic_file.h"
#include "drift/data/image_dataset.h"
#include "drift/data/toy_dataset.h"
#include "drift/core/toy_data.h"

#include "test_util.h"

namespace fs = std::filesystem;
using namespace drift::data;
using drift::core::write_file_atomic;

namespace {

std::string be32(uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 0xFF), char((v >> 8) & 0xFF), char(v & 0xFF)};
}

// Writes an IDX split: n images of rows x cols where image k has every pixel = pix(k), except
// pixel 0 which is 0 and pixel 1 which is 255 (to check the range mapping).
void write_split(const fs::path& dir, const std::string& prefix, const std::vector<uint8_t>& labels, int rows,
                 int cols) {
  const uint32_t n = uint32_t(labels.size());
  std::string img = std::string("\0\0\x08\x03", 4) + be32(n) + be32(uint32_t(rows)) + be32(uint32_t(cols));
  for (uint32_t k = 0; k < n; ++k)
    for (int p = 0; p < rows * cols; ++p) img.push_back(char(p == 0 ? 0 : p == 1 ? 255 : uint8_t(8 * k + 1)));
  std::string lab = std::string("\0\0\x08\x01", 4) + be32(n);
  for (uint8_t l : labels) lab.push_back(char(l));
  write_file_atomic((dir / (prefix + "-images-idx3-ubyte")).string(), img);
  write_file_atomic((dir / (prefix + "-labels-idx1-ubyte")).string(), lab);
}

// Which image of the synthetic set a row [D] (range [0,1]) is: pixel 2 = (8k+1)/255.
int64_t image_index(const torch::Tensor& row) {
  return std::lround((row[2].item<float>() * 255.f - 1.f) / 8.f);
}

fs::path synthetic_idx() {
  const fs::path dir = fresh_dir("idx");
  std::vector<uint8_t> train(30), test(6);
  for (size_t k = 0; k < train.size(); ++k) train[k] = uint8_t(k % 3);
  for (size_t k = 0; k < test.size(); ++k) test[k] = uint8_t(2 - k % 3);
  write_split(dir, "train", train, 4, 3);
  write_split(dir, "t10k", test, 4, 3);
  return dir;
}

}  // namespace

TEST_CASE("load_image_dataset: shapes, labels, pixel range, split, limit", "[datasets]") {
  const fs::path dir = synthetic_idx();
  const std::string spec = "idx:" + dir.string();
  CHECK(is_image_dataset(spec));
  CHECK(is_image_dataset("mnist"));
  CHECK(is_image_dataset("fashion-mnist"));
  CHECK_FALSE(is_image_dataset("checkerboard"));
  CHECK(image_dataset_dir("mnist", "/d") == "/d/mnist");

  const ImageDataset ds = load_image_dataset(spec);
  CHECK(ds.size() == 30);
  CHECK(ds.dim() == 12);
  CHECK(ds.height == 4);
  CHECK(ds.width == 3);
  CHECK(ds.channels == 1);
  CHECK(ds.num_classes == 3);
  CHECK(ds.x.dtype() == torch::kFloat32);
  CHECK(ds.labels.dtype() == torch::kInt64);
  CHECK(ds.labels[7].item<int64_t>() == 1);
  CHECK(ds.x[5][0].item<float>() == 0.f);
  CHECK(ds.x[5][1].item<float>() == 1.f);
  CHECK(image_index(ds.x[13]) == 13);

  ImageDatasetOptions o;
  o.lo = -1, o.hi = 1, o.split = "test", o.limit = 4;
  const ImageDataset t = load_image_dataset(spec, o);
  CHECK(t.size() == 4);
  CHECK(t.split == "test");
  CHECK(t.labels[0].item<int64_t>() == 2);
  CHECK(t.x[0][0].item<float>() == -1.f);
  CHECK(t.x[0][1].item<float>() == 1.f);
  CHECK(t.x[1][2].item<float>() == Approx(-1.f + 2.f * 9.f / 255.f));

  CHECK_THROWS_WITH(load_image_dataset("idx:" + (dir / "nope").string()), Catch::Contains("nope"));
  CHECK_THROWS_WITH(load_image_dataset("cifar"), Catch::Contains("dataset 'cifar'"));
  o.split = "val";
  CHECK_THROWS_WITH(load_image_dataset(spec, o), Catch::Contains("split must be train or test"));
  fs::remove_all(dir);
}

TEST_CASE("sample_positives: right class, whole class covered, uniform, seeded", "[datasets]") {
  const fs::path dir = synthetic_idx();
  const ImageDataset ds = load_image_dataset("idx:" + dir.string());
  const ClassSampler s(ds);
  CHECK(s.class_counts().equal(torch::tensor({10, 10, 10}, torch::kInt64)));

  at::Generator g = make_generator(7);
  const auto cls = torch::tensor({0, 2, 1, 2}, torch::kInt64);
  const auto pos = s.sample_positives(cls, 1000, g);
  REQUIRE(pos.sizes() == torch::IntArrayRef({4, 1000, 12}));
  const auto a = pos.accessor<float, 3>();
  for (int b = 0; b < 4; ++b) {
    std::vector<int> hits(30, 0);
    for (int p = 0; p < 1000; ++p) {
      const int64_t k = std::lround((a[b][p][2] * 255.f - 1.f) / 8.f);
      REQUIRE(k >= 0);
      REQUIRE(k < 30);
      ++hits[size_t(k)];
    }
    const int64_t c = cls[b].item<int64_t>();
    for (int k = 0; k < 30; ++k) {
      if (k % 3 != c) {
        CHECK(hits[size_t(k)] == 0);
      } else {
        // 1000 draws over 10 images: 100 each, sd ~9.5; 55..145 is > 4.7 sd.
        CHECK(hits[size_t(k)] > 55);
        CHECK(hits[size_t(k)] < 145);
      }
    }
  }
  at::Generator g1 = make_generator(7), g2 = make_generator(7), g3 = make_generator(8);
  CHECK(s.sample_positives(cls, 16, g1).equal(s.sample_positives(cls, 16, g2)));
  CHECK_FALSE(s.sample_positives(cls, 16, g1).equal(s.sample_positives(cls, 16, g3)));

  CHECK_THROWS_WITH(s.sample_positives(torch::tensor({0, 3}, torch::kInt64), 2, g), Catch::Contains("out of range"));
  CHECK_THROWS(s.sample_positives(torch::tensor({-1}, torch::kInt64), 2, g));
  fs::remove_all(dir);
}

TEST_CASE("sample_any covers all classes; an empty class is an error", "[datasets]") {
  const fs::path dir = synthetic_idx();
  const ImageDataset ds = load_image_dataset("idx:" + dir.string());
  const ClassSampler s(ds);
  at::Generator g = make_generator(1);
  const auto [x, y] = s.sample_any_labelled(3000, g);
  CHECK(x.sizes() == torch::IntArrayRef({3000, 12}));
  std::set<int64_t> seen;
  for (int i = 0; i < 3000; ++i) {
    const int64_t k = image_index(x[i]);
    seen.insert(k);
    if (i < 50) CHECK(y[i].item<int64_t>() == k % 3);  // labels travel with their images
  }
  CHECK(seen.size() == 30);
  CHECK(s.sample_any(5, g).sizes() == torch::IntArrayRef({5, 12}));

  // Labels {0, 2}: class 1 exists in num_classes but has no images.
  ImageDataset gap = ds;
  gap.labels = ds.labels.clone();
  gap.labels.masked_fill_(gap.labels == 1, 0);
  const ClassSampler sg(gap);
  CHECK(sg.class_counts()[1].item<int64_t>() == 0);
  CHECK_THROWS_WITH(sg.sample_positives(torch::tensor({1}, torch::kInt64), 4, g), Catch::Contains("no images"));
  CHECK(sg.sample_positives(torch::tensor({2}, torch::kInt64), 4, g).size(1) == 4);
  fs::remove_all(dir);
}

TEST_CASE("real MNIST under data/ (fetched by setup.sh)", "[datasets]") {
  const std::string data_dir = std::string(DRIFT_SOURCE_DIR) + "/data";
  INFO(data_dir << "/mnist is missing: run ./scripts/fetch-data.sh");
  REQUIRE(fs::exists(data_dir + "/mnist"));
  ImageDatasetOptions o;
  o.data_dir = data_dir;
  const ImageDataset ds = load_image_dataset("mnist", o);
  CHECK(ds.num_classes == 10);
  CHECK(ds.height == 28);
  CHECK(ds.width == 28);
  CHECK(ds.x.min().item<float>() == 0.f);
  CHECK(ds.x.max().item<float>() == 1.f);
  // Digits are mostly background: mean intensity of MNIST is about 0.13.
  CHECK(ds.x.mean().item<float>() == Approx(0.13).margin(0.02));
}

TEST_CASE("toy datasets wrap drift_core's samplers, seeded through the torch generator", "[datasets]") {
  for (const auto& name : drift::core::toy_names()) {
    CHECK(is_toy_dataset(name));
    const ToyDataset t = make_toy(name);
    CHECK(t.is_sampler());
    at::Generator g = make_generator(3), g2 = make_generator(3);
    const auto x = t.sample(2000, g);
    REQUIRE(x.sizes() == torch::IntArrayRef({2000, 2}));
    CHECK(torch::isfinite(x).all().item<bool>());
    CHECK(x.abs().max().item<float>() < 6.f);
    CHECK(x.std(0).min().item<float>() > 0.3f);  // spread out, not a point
    CHECK(x.equal(t.sample(2000, g2)));
    CHECK_FALSE(x.equal(t.sample(2000, g2)));  // the generator advanced
  }
  // Checkerboard: every point in a cell with even floor(x) + floor(y) (the core's board).
  at::Generator g = make_generator(11);
  const auto cb = make_toy("checkerboard").sample(500, g);
  const auto parity = (cb.floor().sum(1).remainder(2));
  CHECK(parity.eq(0).all().item<bool>());
  CHECK_THROWS_WITH(make_toy("spiral"), Catch::Contains("unknown set 'spiral'"));
  CHECK_FALSE(is_toy_dataset("mnist"));
}

TEST_CASE("csv points: header, comments, blanks; bad lines name FILE:LINE", "[datasets]") {
  const fs::path dir = fresh_dir("csv");
  const std::string good = (dir / "pts.csv").string();
  write_file_atomic(good, "x,y\n# comment\n1.5,-2\n\n 0 , 3e-1 \n-4,4\n");
  const auto p = read_points_csv(good);
  REQUIRE(p.sizes() == torch::IntArrayRef({3, 2}));
  CHECK(p[0][0].item<float>() == 1.5f);
  CHECK(p[1][1].item<float>() == 0.3f);
  CHECK(p[2][0].item<float>() == -4.f);

  const ToyDataset t = make_toy("csv:" + good);
  CHECK_FALSE(t.is_sampler());
  at::Generator g = make_generator(5);
  const auto s = t.sample(300, g);
  CHECK(s.sizes() == torch::IntArrayRef({300, 2}));
  int first = 0;
  for (int i = 0; i < 300; ++i) {
    bool member = false;
    for (int r = 0; r < 3; ++r) member |= s[i].equal(p[r]);
    CHECK(member);
    first += s[i].equal(p[0]);
  }
  CHECK(first > 60);  // ~100 expected
  CHECK(first < 140);

  const std::string bad = (dir / "bad.csv").string();
  write_file_atomic(bad, "1,2\n3,4\n5;6\n");
  CHECK_THROWS_WITH(read_points_csv(bad), Catch::StartsWith(bad + ":3: "));
  write_file_atomic(bad, "1,2\n3,abc\n");
  CHECK_THROWS_WITH(read_points_csv(bad), Catch::StartsWith(bad + ":2: not two finite numbers"));
  write_file_atomic(bad, "1,2\nnan,1\n");
  CHECK_THROWS_WITH(read_points_csv(bad), Catch::StartsWith(bad + ":2: "));
  write_file_atomic(bad, "# nothing\n");
  CHECK_THROWS_WITH(read_points_csv(bad), Catch::Equals(bad + ": no points"));
  CHECK_THROWS_WITH(make_toy("csv:" + (dir / "missing.csv").string()), Catch::Contains("missing.csv: cannot open"));
  fs::remove_all(dir);
}
