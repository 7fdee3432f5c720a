// AVX-512 SGEMM: packed 12×32 micro-kernel (24 zmm accumulators, two B vectors and
// one broadcast of A per row and step). Compiled with -mavx512f…; only called
// after the run-time check in gemm.cc.
#include <immintrin.h>

#include "gemm_kernels.h"
#include "gemm_packed.h"

namespace spreadvec {

namespace {

constexpr int MR = 12, NR = 32;

void kernel_12x32(int kc, const float* Ap, const float* Bp, float* C, int ldc, float beta) {
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      __m512 a = _mm512_set1_ps(Ap[i]);
      c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
    }
    Ap += MR;
    Bp += NR;
  }
  if (beta == 0.f) {
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      _mm512_storeu_ps(C + i * ldc, c0[i]);
      _mm512_storeu_ps(C + i * ldc + 16, c1[i]);
    }
  } else {
    __m512 bv = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      _mm512_storeu_ps(C + i * ldc, _mm512_fmadd_ps(bv, _mm512_loadu_ps(C + i * ldc), c0[i]));
      _mm512_storeu_ps(C + i * ldc + 16,
                       _mm512_fmadd_ps(bv, _mm512_loadu_ps(C + i * ldc + 16), c1[i]));
    }
  }
}

}  // namespace

void sgemm_avx512(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                  int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  gemm_packed<MR, NR>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                      kernel_12x32);
}

}  // namespace spreadvec
