// Single-precision GEMM used by the layers (and the toy field/trainer), column-major,
// C = op(A) * B with no accumulation into C.
// Natively Eigen; under __wasm_simd128__ the blocked kernels below (Eigen 3.4 has no wasm
// packet math, and its scalar fallback is ~2.5x slower than XNNPACK). The blocked kernels
// are portable C++ vector code, so the native unit tests check them against Eigen.
#pragma once
#include <cstdint>

namespace drift::core {

// C[M,N] = A^T B where A is [K,M] column-major (i.e. [M,K] row-major), B [K,N], C [M,N].
void gemm_tn(int M, int N, int K, const float* A, const float* B, float* C);

// C[M,N] = A B where A is [M,K] column-major, B [K,N], C [M,N].
void gemm_nn(int M, int N, int K, const float* A, const float* B, float* C);

// C[M,N] = A B^T where A is [M,K] column-major, B [N,K] column-major (the weight gradient
// of a linear layer: dW^T [in,out] = x [in,n] dy^T). The wasm path transposes B once into
// scratch and runs the blocked gemm_nn.
void gemm_nt(int M, int N, int K, const float* A, const float* B, float* C);

// The blocked implementations (8x4 register tile over 4-wide vectors, A packed into 8-row
// panels per call, a plain vector loop for N < 4). Scratch grows once and is reused.
void gemm_tn_blocked(int M, int N, int K, const float* A, const float* B, float* C);
void gemm_nn_blocked(int M, int N, int K, const float* A, const float* B, float* C);

// Weights packed once at load (the wasm build does this for linear layers, see model.cpp):
// op(A) = A^T for A [K,M] column-major (PyTorch's [M,K] row-major), as ceil(M/8) panels of
// K x 8 floats. gemm_packed then computes C[M,N] = op(A) B without packing per call.
#if defined(__wasm_simd128__)
inline constexpr bool kPackLinearWeights = true;
#else
inline constexpr bool kPackLinearWeights = false;
#endif
std::int64_t packed_tn_size(int M, int K);
void pack_tn(int M, int K, const float* A, float* P);
void gemm_packed(int M, int N, int K, const float* P, const float* B, float* C);

}  // namespace drift::core
