#include "gemm.h"

#include <vector>

#include "cpu_features.h"

namespace spreadvec {

void sgemm_reference(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                     int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  std::vector<float> row(N);
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) row[j] = 0.f;
    for (int p = 0; p < K; p++) {
      float a = transA ? A[p * lda + i] : A[i * lda + p];
      if (a == 0.f) continue;
      if (transB) {
        for (int j = 0; j < N; j++) row[j] += a * B[j * ldb + p];
      } else {
        const float* b = B + p * ldb;
        for (int j = 0; j < N; j++) row[j] += a * b[j];
      }
    }
    float* c = C + i * ldc;
    for (int j = 0; j < N; j++) c[j] = alpha * row[j] + (beta == 0.f ? 0.f : beta * c[j]);
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// Packed SIMD variants (gemm_avx2.cc, gemm_avx512.cc), compiled with their ISA flags.
void sgemm_avx2(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                int lda, const float* B, int ldb, float beta, float* C, int ldc);
void sgemm_avx512(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                  int lda, const float* B, int ldb, float beta, float* C, int ldc);
#endif

void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
#if defined(__x86_64__) || defined(_M_X64)
  // Tiny products (a few thousand multiply-adds) do not repay the packing.
  const bool tiny = static_cast<long long>(M) * N * K < 4096;
  if (!tiny) {
    switch (active_isa()) {
      case Isa::Avx512:
        sgemm_avx512(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
      case Isa::Avx2:
        sgemm_avx2(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
      default:
        break;
    }
  }
#endif
  sgemm_reference(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace spreadvec
