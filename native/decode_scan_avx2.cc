// AVX2 inner loop of decode_scan: 4 queries × 16 decoded codes per step, 8
// accumulators (the block is 32-lane aligned, so 16-lane steps never overrun).
#include <immintrin.h>

#include "decode_scan_kernels.h"

namespace spreadvec {

namespace {

inline int lane_bits(int lanes) {
  if (lanes <= 0) return 0;
  if (lanes >= 8) return 0xFF;
  return (1 << lanes) - 1;
}

inline void offer_lanes(__m256 ip, int valid, const int64_t* slots, TopK& heap) {
  const __m256 two = _mm256_set1_ps(2.f);
  const __m256 dist = _mm256_fnmadd_ps(two, ip, two);
  int m = _mm256_movemask_ps(_mm256_cmp_ps(dist, _mm256_set1_ps(heap.threshold()), _CMP_LE_OQ)) & valid;
  if (!m) return;
  alignas(32) float d[8];
  _mm256_store_ps(d, dist);
  offer_masked_lanes(d, static_cast<unsigned>(m), slots, heap);
}

}  // namespace

void score_block_avx2(const float* q, size_t nq, int dim, const ScanBlock& block,
                      TopK* heaps) {
  const int ldx = block.ldx;
  size_t i = 0;
  for (; i + 4 <= nq; i += 4) {
    const float* q0 = q + i * dim;
    const float* q1 = q0 + dim;
    const float* q2 = q1 + dim;
    const float* q3 = q2 + dim;
    for (int j = 0; j < block.nb; j += 16) {
      __m256 a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps();
      __m256 a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps();
      __m256 a20 = _mm256_setzero_ps(), a21 = _mm256_setzero_ps();
      __m256 a30 = _mm256_setzero_ps(), a31 = _mm256_setzero_ps();
      const float* x = block.xt + j;
      for (int d = 0; d < dim; d++, x += ldx) {
        const __m256 x0 = _mm256_loadu_ps(x);
        const __m256 x1 = _mm256_loadu_ps(x + 8);
        __m256 b = _mm256_broadcast_ss(q0 + d);
        a00 = _mm256_fmadd_ps(b, x0, a00);
        a01 = _mm256_fmadd_ps(b, x1, a01);
        b = _mm256_broadcast_ss(q1 + d);
        a10 = _mm256_fmadd_ps(b, x0, a10);
        a11 = _mm256_fmadd_ps(b, x1, a11);
        b = _mm256_broadcast_ss(q2 + d);
        a20 = _mm256_fmadd_ps(b, x0, a20);
        a21 = _mm256_fmadd_ps(b, x1, a21);
        b = _mm256_broadcast_ss(q3 + d);
        a30 = _mm256_fmadd_ps(b, x0, a30);
        a31 = _mm256_fmadd_ps(b, x1, a31);
      }
      const int v0 = lane_bits(block.nb - j), v1 = lane_bits(block.nb - j - 8);
      const int64_t* s = block.slots + j;
      offer_lanes(a00, v0, s, heaps[i]);
      offer_lanes(a01, v1, s + 8, heaps[i]);
      offer_lanes(a10, v0, s, heaps[i + 1]);
      offer_lanes(a11, v1, s + 8, heaps[i + 1]);
      offer_lanes(a20, v0, s, heaps[i + 2]);
      offer_lanes(a21, v1, s + 8, heaps[i + 2]);
      offer_lanes(a30, v0, s, heaps[i + 3]);
      offer_lanes(a31, v1, s + 8, heaps[i + 3]);
    }
  }
  for (; i < nq; i++) {
    const float* qi = q + i * dim;
    for (int j = 0; j < block.nb; j += 16) {
      __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
      const float* x = block.xt + j;
      for (int d = 0; d < dim; d++, x += ldx) {
        const __m256 b = _mm256_broadcast_ss(qi + d);
        a0 = _mm256_fmadd_ps(b, _mm256_loadu_ps(x), a0);
        a1 = _mm256_fmadd_ps(b, _mm256_loadu_ps(x + 8), a1);
      }
      offer_lanes(a0, lane_bits(block.nb - j), block.slots + j, heaps[i]);
      offer_lanes(a1, lane_bits(block.nb - j - 8), block.slots + j + 8, heaps[i]);
    }
  }
}

}  // namespace spreadvec
