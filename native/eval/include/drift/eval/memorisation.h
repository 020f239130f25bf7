// Memorisation check: are generated samples closer to training images than held-out real
// images are? Compares nearest-train-neighbour distances (pixel space) of the generated set
// with those of the test set; copies of training images show up as a ratio well below 1
// and a large fraction below the test set's 1st percentile.
#pragma once
#include <torch/torch.h>

namespace drift::eval {

struct Memorisation {
  double gen_nn_median = 0;    // median distance of a generated sample to its nearest train image
  double test_nn_median = 0;   // the same for held-out test images (the reference)
  double ratio = 0;            // gen_nn_median / test_nn_median (~1 healthy, << 1 copying)
  double frac_below_test_p1 = 0;  // fraction of generated closer than the test set's 1st percentile
};

// Principal components in the nearest-train search's bound (neighbors.h): on MNIST the
// shortlist is 5-9 references per query and the GEMM 129 columns wide instead of 784 (10,000
// test x 60,000 train images on 2 shared cores: 6.3 s -> 2.0 s; 64 components: 2.6 s, 45 per
// query). Any value gives the same distances, only the time changes.
constexpr int64_t kMemorisationProjection = 128;

// generated [Ng,...], train [Nt,...], test [Ns,...] -> the figures above.
Memorisation memorisation_check(const torch::Tensor& generated, const torch::Tensor& train,
                                const torch::Tensor& test);

// The same from precomputed nearest-train distances: gen_nn [Ng], test_nn [Ns] (lets an
// eval over several α compute the test set's distances once).
Memorisation memorisation_from_distances(const torch::Tensor& gen_nn, const torch::Tensor& test_nn);

}  // namespace drift::eval
