#include "drift/core/gemm.h"

#if !defined(__wasm_simd128__)
#include <Eigen/Core>
#endif

namespace drift::core {

#if !defined(__wasm_simd128__)
namespace {
using CMat = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>;
using Mat = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>;
}  // namespace

void gemm_tn(int M, int N, int K, const float* A, const float* B, float* C) {
  Mat(C, M, N).noalias() = CMat(A, K, M).transpose() * CMat(B, K, N);
}

void gemm_nn(int M, int N, int K, const float* A, const float* B, float* C) {
  Mat(C, M, N).noalias() = CMat(A, M, K) * CMat(B, K, N);
}
#else
void gemm_tn(int M, int N, int K, const float* A, const float* B, float* C) {
  gemm_tn_blocked(M, N, K, A, B, C);
}

void gemm_nn(int M, int N, int K, const float* A, const float* B, float* C) {
  gemm_nn_blocked(M, N, K, A, B, C);
}
#endif

}  // namespace drift::core
