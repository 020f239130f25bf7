#include "drift/eval/neighbors.h"

#include <stdexcept>
#include <string>

namespace drift::eval {

namespace {
constexpr int64_t kChunk = 512;

torch::Tensor rows(const torch::Tensor& x, const char* what) {
  // x [N,...] -> [N, prod(...)] float32 contiguous on CPU
  if (x.dim() < 1 || x.size(0) == 0)
    throw std::runtime_error(std::string("neighbors: ") + what + " set is empty");
  return x.reshape({x.size(0), -1}).to(torch::kCPU, torch::kFloat32).contiguous();
}

void same_dim(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.size(1) != b.size(1))
    throw std::runtime_error("neighbors: feature sizes differ (" + std::to_string(a.size(1)) +
                             " vs " + std::to_string(b.size(1)) + ")");
}
}  // namespace

torch::Tensor nearest_distances(const torch::Tensor& queries, const torch::Tensor& refs) {
  torch::NoGradGuard no_grad;
  auto q = rows(queries, "query"), r = rows(refs, "reference");
  same_dim(q, r);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < q.size(0); i += kChunk) {
    auto d = torch::cdist(q.slice(0, i, std::min(i + kChunk, q.size(0))), r);
    out.push_back(std::get<0>(d.min(1)));
  }
  return torch::cat(out);
}

torch::Tensor kth_neighbor_radii(const torch::Tensor& x, int64_t k) {
  torch::NoGradGuard no_grad;
  auto r = rows(x, "input");
  if (k < 1 || r.size(0) <= k)
    throw std::runtime_error("neighbors: need more than k=" + std::to_string(k) + " rows, got " +
                             std::to_string(r.size(0)));
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < r.size(0); i += kChunk) {
    auto d = torch::cdist(r.slice(0, i, std::min(i + kChunk, r.size(0))), r);
    // The k+1 smallest include the row itself (distance 0); the last one is the k-th other.
    auto smallest = std::get<0>(d.topk(k + 1, 1, /*largest=*/false, /*sorted=*/true));
    out.push_back(smallest.select(1, k));
  }
  return torch::cat(out);
}

torch::Tensor inside_any_ball(const torch::Tensor& queries, const torch::Tensor& centers,
                              const torch::Tensor& radii) {
  torch::NoGradGuard no_grad;
  auto q = rows(queries, "query"), c = rows(centers, "center");
  same_dim(q, c);
  auto rad = radii.to(torch::kCPU, torch::kFloat32).reshape({1, -1});
  if (rad.size(1) != c.size(0)) throw std::runtime_error("neighbors: one radius per center needed");
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < q.size(0); i += kChunk) {
    auto d = torch::cdist(q.slice(0, i, std::min(i + kChunk, q.size(0))), c);
    out.push_back((d <= rad).any(1));
  }
  return torch::cat(out);
}

}  // namespace drift::eval
