// AVX2+FMA SGEMM: packed 6×16 micro-kernel (12 ymm accumulators). Compiled with
// -mavx2 -mfma; only called after the run-time check in gemm.cc.
#include <immintrin.h>

#include "gemm_kernels.h"
#include "gemm_packed.h"

namespace spreadvec {

namespace {

constexpr int MR = 6, NR = 16;

void kernel_6x16(int kc, const float* Ap, const float* Bp, float* C, int ldc, float beta) {
  __m256 c0[MR], c1[MR];
#pragma GCC unroll 6
  for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(Bp + 8);
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      __m256 a = _mm256_broadcast_ss(Ap + i);
      c0[i] = _mm256_fmadd_ps(a, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(a, b1, c1[i]);
    }
    Ap += MR;
    Bp += NR;
  }
  if (beta == 0.f) {
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      _mm256_storeu_ps(C + i * ldc, c0[i]);
      _mm256_storeu_ps(C + i * ldc + 8, c1[i]);
    }
  } else {
    __m256 bv = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      _mm256_storeu_ps(C + i * ldc, _mm256_fmadd_ps(bv, _mm256_loadu_ps(C + i * ldc), c0[i]));
      _mm256_storeu_ps(C + i * ldc + 8,
                       _mm256_fmadd_ps(bv, _mm256_loadu_ps(C + i * ldc + 8), c1[i]));
    }
  }
}

}  // namespace

void sgemm_avx2(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  gemm_packed<MR, NR>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, kernel_6x16);
}

}  // namespace spreadvec
