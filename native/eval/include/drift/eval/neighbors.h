// Chunked nearest-neighbour primitives shared by precision/recall and the memorisation check.
// Distances are plain L2 on flattened rows. The search is one float32 GEMM per chunk of queries,
// a lower bound of ||q - r||² for every pair, used only to *shortlist*: every reference whose
// bound does not exceed an exact k-th distance (plus a rounding-error margin) is rescored
// exactly in float64, so the results equal a brute-force float64 search (ties go to the lower
// reference index) while the work is mostly the GEMM's. Chunks keep memory bounded.
//
// The bound is either the GEMM distance itself (||q||² + ||r||² - 2 q·r), or, with a projection,
// the distance between the references' top principal components plus the difference of the
// residual norms: a GEMM over p+1 columns instead of D, tight where the data lie near a
// p-dimensional subspace (MNIST-like images: 784 pixels, p = 128).
#pragma once
#include <torch/torch.h>

namespace drift::eval {

// A reference set prepared once for many searches (e.g. the train split, queried by the test
// set and by the generated set of each α).
struct NeighborIndex {
  // refs [Nr,...]; projection p > 0: also prepare the p-component bound (0 = plain GEMM).
  explicit NeighborIndex(const torch::Tensor& refs, int64_t projection = 0);
  torch::Tensor rows;      // [Nr,D] float32 contiguous
  torch::Tensor sq_norms;  // [Nr] float32
  double max_sq_norm = 0;
  // With a projection: x -> [U^T (x - mean), ||residual||], float32.
  torch::Tensor mean;         // [D] float64
  torch::Tensor basis;        // [D,p] float64, orthonormal columns
  torch::Tensor coords;       // [Nr,p+1] float32
  torch::Tensor coord_sq_norms;  // [Nr] float32
  double max_coord_sq_norm = 0;
  int64_t chunk_rows = 0;  // queries per GEMM block; 0: as many as keep it under 128 MB
};

struct Neighbors {
  torch::Tensor distances;  // [Nq,k] float64, ascending per row
  torch::Tensor indices;    // [Nq,k] int64 rows of the reference set; ties: lower index first
  int64_t rescored = 0;     // (query, reference) pairs rescored exactly: the shortlists' size
  int64_t fallbacks = 0;    // chunks whose projected shortlist was too long (searched in full)
};

// queries [Nq,...] -> the k nearest references of each query (k <= Nr).
Neighbors nearest_neighbors(const torch::Tensor& queries, const NeighborIndex& refs, int64_t k);

// queries [Nq,...], refs [Nr,...] -> [Nq] distance of each query to its nearest ref.
torch::Tensor nearest_distances(const torch::Tensor& queries, const NeighborIndex& refs);
torch::Tensor nearest_distances(const torch::Tensor& queries, const torch::Tensor& refs);

// x [N,...] (N > k) -> [N] distance of each row to its k-th nearest *other* row.
torch::Tensor kth_neighbor_radii(const torch::Tensor& x, int64_t k);

// queries [Nq,...], centers [Nc,...], radii [Nc] -> [Nq] bool: inside any ball
// ||q - c_i|| <= radii_i (the k-NN manifold estimate of Kynkäänniemi et al. 2019).
torch::Tensor inside_any_ball(const torch::Tensor& queries, const torch::Tensor& centers,
                              const torch::Tensor& radii);

// Strict ball membership counted both ways (density and coverage, Naeem et al. 2020):
// queries [Nq,...], centers [Nc,...], radii [Nc] -> per query, how many balls
// ||q - c_i|| < radii_i hold it; per center, whether any query lies in its ball. The same
// float32 GEMM and exact float64 rescoring of the pairs too close to a boundary to call, whose
// distances are then compared with the radii in float32 (kth_neighbor_radii's precision).
struct BallCounts {
  torch::Tensor per_query;  // [Nq] int64
  torch::Tensor reached;    // [Nc] bool
};
BallCounts count_in_balls(const torch::Tensor& queries, const torch::Tensor& centers,
                          const torch::Tensor& radii);

}  // namespace drift::eval
