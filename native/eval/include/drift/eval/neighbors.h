// Chunked nearest-neighbour primitives shared by precision/recall and the memorisation check.
// Distances are plain L2 on flattened rows, computed in chunks so 10k x 10k never materialises.
#pragma once
#include <torch/torch.h>

namespace drift::eval {

// queries [Nq,...], refs [Nr,...] -> [Nq] distance of each query to its nearest ref.
torch::Tensor nearest_distances(const torch::Tensor& queries, const torch::Tensor& refs);

// x [N,...] (N > k) -> [N] distance of each row to its k-th nearest *other* row.
torch::Tensor kth_neighbor_radii(const torch::Tensor& x, int64_t k);

// queries [Nq,...], centers [Nc,...], radii [Nc] -> [Nq] bool: inside any ball
// ||q - c_i|| <= radii_i (the k-NN manifold estimate of Kynkäänniemi et al. 2019).
torch::Tensor inside_any_ball(const torch::Tensor& queries, const torch::Tensor& centers,
                              const torch::Tensor& radii);

}  // namespace drift::eval
