#include "gemm.h"

#include <vector>

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

// Placeholder until the SIMD kernels land: the reference is always correct.
void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  sgemm_reference(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace spreadvec
