// Single-precision matrix product shared by the kernels (exact k-NN, k-means,
// the catalyzer's forward/backward). Row-major, BLAS-like:
//   C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C
// op(X) = X, or Xᵀ when trans is set (then X is stored K×M / N×K).
// Runs the packed variant of the active ISA (dispatch.h; gemm_kernels.h).
#pragma once

namespace spreadvec {

void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc);

// The same product cut into up to `threads` column (or row) blocks run in parallel
// (parallel.h). Block edges fall on multiples of every micro-kernel's tile, so each
// element goes through the same tile and the result is bit for bit sgemm's; a
// product too small to repay the fork runs on the caller alone.
void sgemm_threads(int threads, bool transA, bool transB, int M, int N, int K, float alpha,
                   const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);

// The portable reference (used by tests and as the scalar path).
void sgemm_reference(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                     int lda, const float* B, int ldb, float beta, float* C, int ldc);

}  // namespace spreadvec
