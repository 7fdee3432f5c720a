// AVX-512 micro-kernels of the forward pass: a 12×32 tile (24 zmm accumulators,
// two weight vectors and one broadcast per row and step) with the bias + ReLU
// epilogue, and a one-row GEMV over the same panels (four independent
// accumulator pairs hide the FMA latency). Compiled with -mavx512f…; only called
// after the run-time check in mlp_forward.cc.
#include <immintrin.h>

#include "mlp_forward_impl.h"

namespace spreadvec {

namespace {

struct Avx512Kernel {
  static constexpr int MR = 12, NR = 32, KC = 256;

  static inline void store(float* c, __m512 v0, __m512 v1, __m512 b0, __m512 b1, int mode) {
    if (mode & kAccumulate) {
      v0 = _mm512_add_ps(v0, _mm512_loadu_ps(c));
      v1 = _mm512_add_ps(v1, _mm512_loadu_ps(c + 16));
    } else {
      v0 = _mm512_add_ps(v0, b0);
      v1 = _mm512_add_ps(v1, b1);
    }
    if (mode & kRelu) {
      const __m512 z = _mm512_setzero_ps();
      v0 = _mm512_max_ps(v0, z);
      v1 = _mm512_max_ps(v1, z);
    }
    _mm512_storeu_ps(c, v0);
    _mm512_storeu_ps(c + 16, v1);
  }

  static void tile(int kc, const float* Ap, const float* Bp, float* C, int ldc, const float* bias, int mode) {
    __m512 c0[MR], c1[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
    for (int p = 0; p < kc; p++) {
      const __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
#pragma GCC unroll 12
      for (int i = 0; i < MR; i++) {
        const __m512 a = _mm512_set1_ps(Ap[i]);
        c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
        c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
      }
      Ap += MR;
      Bp += NR;
    }
    const __m512 b0 = _mm512_loadu_ps(bias), b1 = _mm512_loadu_ps(bias + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) store(C + static_cast<size_t>(i) * ldc, c0[i], c1[i], b0, b1, mode);
  }

  static void row(int kc, const float* x, const float* Bp, float* y, const float* bias, int mode) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int p = 0;
    for (; p + 4 <= kc; p += 4) {
      const float* b = Bp + static_cast<size_t>(p) * NR;
      const __m512 x0 = _mm512_set1_ps(x[p]), x1 = _mm512_set1_ps(x[p + 1]);
      const __m512 x2 = _mm512_set1_ps(x[p + 2]), x3 = _mm512_set1_ps(x[p + 3]);
      a0 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(b), a0);
      a1 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(b + 16), a1);
      a2 = _mm512_fmadd_ps(x1, _mm512_loadu_ps(b + 32), a2);
      a3 = _mm512_fmadd_ps(x1, _mm512_loadu_ps(b + 48), a3);
      a4 = _mm512_fmadd_ps(x2, _mm512_loadu_ps(b + 64), a4);
      a5 = _mm512_fmadd_ps(x2, _mm512_loadu_ps(b + 80), a5);
      a6 = _mm512_fmadd_ps(x3, _mm512_loadu_ps(b + 96), a6);
      a7 = _mm512_fmadd_ps(x3, _mm512_loadu_ps(b + 112), a7);
    }
    for (; p < kc; p++) {
      const __m512 xp = _mm512_set1_ps(x[p]);
      a0 = _mm512_fmadd_ps(xp, _mm512_loadu_ps(Bp + static_cast<size_t>(p) * NR), a0);
      a1 = _mm512_fmadd_ps(xp, _mm512_loadu_ps(Bp + static_cast<size_t>(p) * NR + 16), a1);
    }
    const __m512 v0 = _mm512_add_ps(_mm512_add_ps(a0, a2), _mm512_add_ps(a4, a6));
    const __m512 v1 = _mm512_add_ps(_mm512_add_ps(a1, a3), _mm512_add_ps(a5, a7));
    store(y, v0, v1, _mm512_loadu_ps(bias), _mm512_loadu_ps(bias + 16), mode);
  }
};

}  // namespace

const ForwardKernels& forward_kernels_avx512() {
  static const ForwardKernels k{pack_layer<Avx512Kernel>, forward_rows<Avx512Kernel>};
  return k;
}

}  // namespace spreadvec
