// AVX2+FMA micro-kernels of the forward pass: a 6×16 tile (12 ymm accumulators)
// with the bias + ReLU epilogue, and a one-row GEMV over the same panels. Compiled
// with -mavx2 -mfma; only called after the run-time check in mlp_forward.cc.
#include <immintrin.h>

#include "mlp_forward_impl.h"

namespace spreadvec {

namespace {

struct Avx2Kernel {
  static constexpr int MR = 6, NR = 16, KC = 256;

  static inline void store(float* c, __m256 v0, __m256 v1, __m256 b0, __m256 b1, int mode) {
    if (mode & kAccumulate) {
      v0 = _mm256_add_ps(v0, _mm256_loadu_ps(c));
      v1 = _mm256_add_ps(v1, _mm256_loadu_ps(c + 8));
    } else {
      v0 = _mm256_add_ps(v0, b0);
      v1 = _mm256_add_ps(v1, b1);
    }
    if (mode & kRelu) {
      const __m256 z = _mm256_setzero_ps();
      v0 = _mm256_max_ps(v0, z);
      v1 = _mm256_max_ps(v1, z);
    }
    _mm256_storeu_ps(c, v0);
    _mm256_storeu_ps(c + 8, v1);
  }

  static void tile(int kc, const float* Ap, const float* Bp, float* C, int ldc, const float* bias, int mode) {
    __m256 c0[MR], c1[MR];
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm256_setzero_ps();
    for (int p = 0; p < kc; p++) {
      const __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(Bp + 8);
#pragma GCC unroll 6
      for (int i = 0; i < MR; i++) {
        const __m256 a = _mm256_broadcast_ss(Ap + i);
        c0[i] = _mm256_fmadd_ps(a, b0, c0[i]);
        c1[i] = _mm256_fmadd_ps(a, b1, c1[i]);
      }
      Ap += MR;
      Bp += NR;
    }
    const __m256 b0 = _mm256_loadu_ps(bias), b1 = _mm256_loadu_ps(bias + 8);
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) store(C + static_cast<size_t>(i) * ldc, c0[i], c1[i], b0, b1, mode);
  }

  static void row(int kc, const float* x, const float* Bp, float* y, const float* bias, int mode) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int p = 0;
    for (; p + 4 <= kc; p += 4) {
      const float* b = Bp + static_cast<size_t>(p) * NR;
      const __m256 x0 = _mm256_broadcast_ss(x + p), x1 = _mm256_broadcast_ss(x + p + 1);
      const __m256 x2 = _mm256_broadcast_ss(x + p + 2), x3 = _mm256_broadcast_ss(x + p + 3);
      a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b), a0);
      a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b + 8), a1);
      a2 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(b + 16), a2);
      a3 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(b + 24), a3);
      a4 = _mm256_fmadd_ps(x2, _mm256_loadu_ps(b + 32), a4);
      a5 = _mm256_fmadd_ps(x2, _mm256_loadu_ps(b + 40), a5);
      a6 = _mm256_fmadd_ps(x3, _mm256_loadu_ps(b + 48), a6);
      a7 = _mm256_fmadd_ps(x3, _mm256_loadu_ps(b + 56), a7);
    }
    for (; p < kc; p++) {
      const __m256 xp = _mm256_broadcast_ss(x + p);
      a0 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(Bp + static_cast<size_t>(p) * NR), a0);
      a1 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(Bp + static_cast<size_t>(p) * NR + 8), a1);
    }
    const __m256 v0 = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a4, a6));
    const __m256 v1 = _mm256_add_ps(_mm256_add_ps(a1, a3), _mm256_add_ps(a5, a7));
    store(y, v0, v1, _mm256_loadu_ps(bias), _mm256_loadu_ps(bias + 8), mode);
  }
};

}  // namespace

const ForwardKernels& forward_kernels_avx2() {
  static const ForwardKernels k{pack_layer<Avx2Kernel>, forward_rows<Avx2Kernel>};
  return k;
}

}  // namespace spreadvec
