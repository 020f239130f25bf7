#include "drift/gemm.h"

#include <Eigen/Core>

namespace drift::core {
namespace {
using CMat = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>;
using Mat = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>;
}  // namespace

#if 1  // TODO(format): wasm SIMD kernel
void gemm_tn(int M, int N, int K, const float* A, const float* B, float* C) {
  Mat(C, M, N).noalias() = CMat(A, K, M).transpose() * CMat(B, K, N);
}

void gemm_nn(int M, int N, int K, const float* A, const float* B, float* C) {
  Mat(C, M, N).noalias() = CMat(A, M, K) * CMat(B, K, N);
}
#endif

}  // namespace drift::core
