// AVX-512 inner loop of decode_scan: 4 queries × 32 decoded codes per step, 8
// accumulators, one broadcast per query coordinate and two loads per dimension.
#include <immintrin.h>

#include "decode_scan_kernels.h"

namespace spreadvec {

namespace {

inline __mmask16 lane_mask(int lanes) {
  if (lanes <= 0) return 0;
  if (lanes >= 16) return 0xFFFF;
  return static_cast<__mmask16>((1u << lanes) - 1);
}

// Offers the lanes of `ip` (inner products of lanes j0..j0+15) whose distance
// 2 - 2 ip reaches the heap's threshold (ties included).
inline void offer_lanes(__m512 ip, __mmask16 valid, const int64_t* slots, TopK& heap) {
  const __m512 two = _mm512_set1_ps(2.f);
  const __m512 dist = _mm512_fnmadd_ps(two, ip, two);
  __mmask16 m = _mm512_mask_cmp_ps_mask(valid, dist, _mm512_set1_ps(heap.threshold()), _CMP_LE_OQ);
  if (!m) return;
  alignas(64) float d[16];
  _mm512_store_ps(d, dist);
  offer_masked_lanes(d, static_cast<unsigned>(m), slots, heap);
}

}  // namespace

void score_block_avx512(const float* q, size_t nq, int dim, const ScanBlock& block,
                        TopK* heaps) {
  const int ldx = block.ldx;
  size_t i = 0;
  for (; i + 4 <= nq; i += 4) {
    const float* q0 = q + i * dim;
    const float* q1 = q0 + dim;
    const float* q2 = q1 + dim;
    const float* q3 = q2 + dim;
    for (int j = 0; j < block.nb; j += 32) {
      __m512 a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps();
      __m512 a10 = _mm512_setzero_ps(), a11 = _mm512_setzero_ps();
      __m512 a20 = _mm512_setzero_ps(), a21 = _mm512_setzero_ps();
      __m512 a30 = _mm512_setzero_ps(), a31 = _mm512_setzero_ps();
      const float* x = block.xt + j;
      for (int d = 0; d < dim; d++, x += ldx) {
        const __m512 x0 = _mm512_loadu_ps(x);
        const __m512 x1 = _mm512_loadu_ps(x + 16);
        __m512 b = _mm512_set1_ps(q0[d]);
        a00 = _mm512_fmadd_ps(b, x0, a00);
        a01 = _mm512_fmadd_ps(b, x1, a01);
        b = _mm512_set1_ps(q1[d]);
        a10 = _mm512_fmadd_ps(b, x0, a10);
        a11 = _mm512_fmadd_ps(b, x1, a11);
        b = _mm512_set1_ps(q2[d]);
        a20 = _mm512_fmadd_ps(b, x0, a20);
        a21 = _mm512_fmadd_ps(b, x1, a21);
        b = _mm512_set1_ps(q3[d]);
        a30 = _mm512_fmadd_ps(b, x0, a30);
        a31 = _mm512_fmadd_ps(b, x1, a31);
      }
      const __mmask16 v0 = lane_mask(block.nb - j), v1 = lane_mask(block.nb - j - 16);
      const int64_t* s = block.slots + j;
      offer_lanes(a00, v0, s, heaps[i]);
      offer_lanes(a01, v1, s + 16, heaps[i]);
      offer_lanes(a10, v0, s, heaps[i + 1]);
      offer_lanes(a11, v1, s + 16, heaps[i + 1]);
      offer_lanes(a20, v0, s, heaps[i + 2]);
      offer_lanes(a21, v1, s + 16, heaps[i + 2]);
      offer_lanes(a30, v0, s, heaps[i + 3]);
      offer_lanes(a31, v1, s + 16, heaps[i + 3]);
    }
  }
  for (; i < nq; i++) {
    const float* qi = q + i * dim;
    for (int j = 0; j < block.nb; j += 32) {
      __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
      const float* x = block.xt + j;
      for (int d = 0; d < dim; d++, x += ldx) {
        const __m512 b = _mm512_set1_ps(qi[d]);
        a0 = _mm512_fmadd_ps(b, _mm512_loadu_ps(x), a0);
        a1 = _mm512_fmadd_ps(b, _mm512_loadu_ps(x + 16), a1);
      }
      offer_lanes(a0, lane_mask(block.nb - j), block.slots + j, heaps[i]);
      offer_lanes(a1, lane_mask(block.nb - j - 16), block.slots + j + 16, heaps[i]);
    }
  }
}

}  // namespace spreadvec
