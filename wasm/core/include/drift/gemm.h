// Single-precision GEMM used by the layers, column-major, C = A * B (no accumulation).
// Eigen everywhere except under __wasm_simd128__, where a register-blocked wasm SIMD
// micro-kernel replaces it (Eigen 3.4 has no wasm packet math).
#pragma once

namespace drift::core {

// C[M,N] = A^T B where A is [K,M] column-major (i.e. [M,K] row-major), B [K,N], C [M,N].
void gemm_tn(int M, int N, int K, const float* A, const float* B, float* C);

// C[M,N] = A B where A is [M,K] column-major, B [K,N], C [M,N].
void gemm_nn(int M, int N, int K, const float* A, const float* B, float* C);

}  // namespace drift::core
