#include "gemm.h"

#include <algorithm>
#include <vector>

#include "dispatch.h"
#include "gemm_kernels.h"
#include "gemm_packed.h"
#include "parallel.h"

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

namespace {

// Portable packed micro-kernel (4×8): plain loops over a register-sized tile that
// the compiler vectorizes with the baseline ISA (SSE2 on x86-64, NEON on arm64).
constexpr int kPortableMR = 4, kPortableNR = 8;

void kernel_portable(int kc, const float* Ap, const float* Bp, float* C, int ldc, float beta) {
  float acc[kPortableMR][kPortableNR] = {};
  for (int p = 0; p < kc; p++) {
    for (int i = 0; i < kPortableMR; i++) {
      const float a = Ap[i];
      for (int j = 0; j < kPortableNR; j++) acc[i][j] += a * Bp[j];
    }
    Ap += kPortableMR;
    Bp += kPortableNR;
  }
  for (int i = 0; i < kPortableMR; i++) {
    float* c = C + static_cast<size_t>(i) * ldc;
    for (int j = 0; j < kPortableNR; j++) c[j] = (beta == 0.f ? 0.f : beta * c[j]) + acc[i][j];
  }
}

}  // namespace

void sgemm_portable(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                    const float* B, int ldb, float beta, float* C, int ldc) {
  gemm_packed<kPortableMR, kPortableNR>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C,
                                        ldc, kernel_portable);
}

void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  // Tiny products (a few thousand multiply-adds) do not repay the packing.
  if (static_cast<long long>(M) * N * K < 4096) {
    sgemm_reference(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  kernels().sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sgemm_threads(int threads, bool transA, bool transB, int M, int N, int K, float alpha,
                   const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  // A block of fewer multiply-adds than this costs more in hand-off than it saves.
  constexpr long long kMinBlock = 1 << 18;
  // Multiples of every kernel's tile width (NR 8/16/32) and height (MR 4/6/12).
  constexpr int kColAlign = 64, kRowAlign = 48;
  const long long work = static_cast<long long>(M) * N * K;
  const bool by_cols = N >= M;
  const int extent = by_cols ? N : M;
  const int align = by_cols ? kColAlign : kRowAlign;
  long long parts = std::min<long long>({threads, work / kMinBlock, extent / align});
  if (parts <= 1) {  // also every product sgemm hands to the reference (work < 2^18)
    sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  const int units = (extent + align - 1) / align;
  const int per = static_cast<int>((units + parts - 1) / parts) * align;
  // Each block calls the packed kernel itself (as sgemm does for a product this size),
  // even a narrow last one, which sgemm would hand to the reference.
  parallel_for(static_cast<size_t>(parts), 1, static_cast<int>(parts), [&](size_t pb, size_t pe, int) {
    for (size_t part = pb; part < pe; part++) {
      const int lo = static_cast<int>(part) * per, hi = std::min(extent, lo + per);
      if (lo >= hi) continue;
      if (by_cols) {
        const float* b = transB ? B + static_cast<size_t>(lo) * ldb : B + lo;
        kernels().sgemm(transA, transB, M, hi - lo, K, alpha, A, lda, b, ldb, beta, C + lo, ldc);
      } else {
        const float* a = transA ? A + lo : A + static_cast<size_t>(lo) * lda;
        kernels().sgemm(transA, transB, hi - lo, N, K, alpha, a, lda, B, ldb, beta, C + static_cast<size_t>(lo) * ldc, ldc);
      }
    }
  });
}

}  // namespace spreadvec
