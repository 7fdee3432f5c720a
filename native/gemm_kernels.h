// The per-ISA packed SGEMM behind sgemm() (gemm.h): gemm.cc (portable micro-kernel),
// gemm_avx2.cc, gemm_avx512.cc; the dispatch table (dispatch.h) holds the one that
// runs. Same contract as sgemm(); callers go through sgemm(), which keeps tiny
// products on the reference loop.
#pragma once

namespace spreadvec {

using SgemmFn = void (*)(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                         const float* B, int ldb, float beta, float* C, int ldc);

void sgemm_portable(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                    const float* B, int ldb, float beta, float* C, int ldc);
#if defined(__x86_64__) || defined(_M_X64)
void sgemm_avx2(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc);
void sgemm_avx512(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                  const float* B, int ldb, float beta, float* C, int ldc);
#endif

}  // namespace spreadvec
