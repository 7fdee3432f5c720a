// Cache-blocked, packed SGEMM driver shared by the SIMD variants (gemm_avx2.cc,
// gemm_avx512.cc). Each variant includes this header with its own micro-kernel, so
// every instantiation lives in an anonymous namespace of a TU compiled with that
// ISA's flags (no ODR mixing of differently-compiled templates).
//
// Scheme (Goto / BLIS): op(B) is packed into NR-column panels of KC rows, op(A)
// (scaled by alpha) into MR-row panels; the micro-kernel multiplies one MR×KC panel
// by one KC×NR panel into an MR×NR tile of C held in registers. Packing absorbs
// the transposes, so the kernel only ever sees unit-stride data.
#pragma once
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr int kKC = 256;  // depth of a packed panel: MR·KC + KC·NR floats stay in L1/L2
constexpr int kMC = 192;  // rows of A packed at once (a multiple of MR is best)
constexpr int kNC = 2048; // columns of B packed at once (L2/L3 resident)

// Thread-local scratch so that concurrent callers (k-NN workers) do not share it.
inline float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// Packs rows [i0, i0+mc) × depth [p0, p0+kc) of op(A)·alpha into MR-row panels:
// panel r holds, for each p, MR consecutive values (zero-padded past mc).
template <int MR>
void pack_a(bool trans, const float* A, int lda, int i0, int mc, int p0, int kc, float alpha,
            float* out) {
  for (int r = 0; r < mc; r += MR) {
    int rows = std::min(MR, mc - r);
    float* dst = out + static_cast<size_t>(r) * kc;
    if (!trans) {
      for (int i = 0; i < rows; i++) {
        const float* src = A + static_cast<size_t>(i0 + r + i) * lda + p0;
        for (int p = 0; p < kc; p++) dst[p * MR + i] = alpha * src[p];
      }
    } else {
      for (int p = 0; p < kc; p++) {
        const float* src = A + static_cast<size_t>(p0 + p) * lda + i0 + r;
        for (int i = 0; i < rows; i++) dst[p * MR + i] = alpha * src[i];
      }
    }
    if (rows < MR)
      for (int p = 0; p < kc; p++)
        for (int i = rows; i < MR; i++) dst[p * MR + i] = 0.f;
  }
}

// Packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-column panels.
template <int NR>
void pack_b(bool trans, const float* B, int ldb, int p0, int kc, int j0, int nc, float* out) {
  for (int c = 0; c < nc; c += NR) {
    int cols = std::min(NR, nc - c);
    float* dst = out + static_cast<size_t>(c) * kc;
    if (!trans) {
      for (int p = 0; p < kc; p++) {
        const float* src = B + static_cast<size_t>(p0 + p) * ldb + j0 + c;
        float* d = dst + p * NR;
        std::memcpy(d, src, sizeof(float) * cols);
        for (int j = cols; j < NR; j++) d[j] = 0.f;
      }
    } else {
      for (int j = 0; j < cols; j++) {
        const float* src = B + static_cast<size_t>(j0 + c + j) * ldb + p0;
        for (int p = 0; p < kc; p++) dst[p * NR + j] = src[p];
      }
      for (int j = cols; j < NR; j++)
        for (int p = 0; p < kc; p++) dst[p * NR + j] = 0.f;
    }
  }
}

// Kernel: void(int kc, const float* Ap, const float* Bp, float* C, int ldc, float beta)
// computes C[MR×NR] = beta·C + Ap·Bp (beta == 0: C is not read).
template <int MR, int NR, typename Kernel>
void gemm_packed(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                 int lda, const float* B, int ldb, float beta, float* C, int ldc, Kernel kernel) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.f) {
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) {
        float& c = C[static_cast<size_t>(i) * ldc + j];
        c = beta == 0.f ? 0.f : beta * c;
      }
    return;
  }
  thread_local std::vector<float> abuf, bbuf;
  constexpr int MC = (kMC / MR) * MR > 0 ? (kMC / MR) * MR : MR;
  const int ncmax = std::min(kNC, (N + NR - 1) / NR * NR);
  float* Bp = scratch(bbuf, static_cast<size_t>(kKC) * ncmax);
  float* Ap = scratch(abuf, static_cast<size_t>(kKC) * MC);
  alignas(64) float tile[MR * NR];

  for (int j0 = 0; j0 < N; j0 += kNC) {
    int nc = std::min(kNC, N - j0);
    for (int p0 = 0; p0 < K; p0 += kKC) {
      int kc = std::min(kKC, K - p0);
      float b = p0 == 0 ? beta : 1.f;
      pack_b<NR>(transB, B, ldb, p0, kc, j0, nc, Bp);
      for (int i0 = 0; i0 < M; i0 += MC) {
        int mc = std::min(MC, M - i0);
        pack_a<MR>(transA, A, lda, i0, mc, p0, kc, alpha, Ap);
        for (int jr = 0; jr < nc; jr += NR) {
          int cols = std::min(NR, nc - jr);
          const float* bp = Bp + static_cast<size_t>(jr) * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            int rows = std::min(MR, mc - ir);
            const float* ap = Ap + static_cast<size_t>(ir) * kc;
            float* c = C + static_cast<size_t>(i0 + ir) * ldc + j0 + jr;
            if (rows == MR && cols == NR) {
              kernel(kc, ap, bp, c, ldc, b);
            } else {
              kernel(kc, ap, bp, tile, NR, 0.f);
              for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) {
                  float& dst = c[static_cast<size_t>(i) * ldc + j];
                  dst = (b == 0.f ? 0.f : b * dst) + tile[i * NR + j];
                }
            }
          }
        }
      }
    }
  }
}

}  // namespace
