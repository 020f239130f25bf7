#include "drift/core/gemm.h"

#if !defined(__wasm_simd128__)
#include <Eigen/Core>
#else
#include <vector>
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

void gemm_nt(int M, int N, int K, const float* A, const float* B, float* C) {
  Mat(C, M, N).noalias() = CMat(A, M, K) * CMat(B, N, K).transpose();
}
#else
void gemm_nt(int M, int N, int K, const float* A, const float* B, float* C) {
  static std::vector<float> bt;  // B^T [K,N]; grows once
  if (bt.size() < size_t(K) * size_t(N)) bt.resize(size_t(K) * size_t(N));
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j) bt[size_t(j) * K + k] = B[size_t(k) * N + j];
  gemm_nn_blocked(M, N, K, A, bt.data(), C);
}

void gemm_tn(int M, int N, int K, const float* A, const float* B, float* C) {
  gemm_tn_blocked(M, N, K, A, B, C);
}

void gemm_nn(int M, int N, int K, const float* A, const float* B, float* C) {
  gemm_nn_blocked(M, N, K, A, B, C);
}
#endif

}  // namespace drift::core
