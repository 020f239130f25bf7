// The blocked GEMM (the wasm path) against a double-precision triple loop, over shapes that
// hit every tail: M % 8, N % 4, N < 4 (the thin path), K = 1.
#include "drift_catch.h"
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "drift/core/gemm.h"

using namespace drift::core;

TEST_CASE("blocked gemm_nn and gemm_tn match a reference on all tail shapes", "[core][gemm]") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int M : {1, 3, 8, 13, 64})
    for (int N : {1, 2, 3, 4, 5, 6, 7, 9, 13})
      for (int K : {1, 5, 17, 130}) {
        std::vector<float> A(std::size_t(M * K)), B(std::size_t(K * N)), C(std::size_t(M * N), NAN);
        for (float& x : A) x = u(rng);
        for (float& x : B) x = u(rng);
        // nn: A is [M,K] column-major
        gemm_nn_blocked(M, N, K, A.data(), B.data(), C.data());
        double err = 0;
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < N; ++j) {
            double s = 0;
            for (int k = 0; k < K; ++k)
              s += double(A[std::size_t(k * M + i)]) * B[std::size_t(j * K + k)];
            err = std::max(err, std::fabs(s - C[std::size_t(j * M + i)]));
          }
        INFO("nn M=" << M << " N=" << N << " K=" << K);
        CHECK(err < 1e-4);
        // tn: A is [K,M] column-major
        std::fill(C.begin(), C.end(), NAN);
        gemm_tn_blocked(M, N, K, A.data(), B.data(), C.data());
        err = 0;
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < N; ++j) {
            double s = 0;
            for (int k = 0; k < K; ++k)
              s += double(A[std::size_t(i * K + k)]) * B[std::size_t(j * K + k)];
            err = std::max(err, std::fabs(s - C[std::size_t(j * M + i)]));
          }
        INFO("tn M=" << M << " N=" << N << " K=" << K);
        CHECK(err < 1e-4);
        // prepacked: same product as gemm_tn
        std::vector<float> P(std::size_t(packed_tn_size(M, K)), NAN), C2(C.size(), NAN);
        pack_tn(M, K, A.data(), P.data());
        gemm_packed(M, N, K, P.data(), B.data(), C2.data());
        double d = 0;
        for (std::size_t i = 0; i < C.size(); ++i) d = std::max(d, double(std::fabs(C[i] - C2[i])));
        INFO("packed M=" << M << " N=" << N << " K=" << K);
        CHECK(d < 1e-5);
      }
}
