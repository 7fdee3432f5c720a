// AVX-512 batched ADC kernel: 16 queries in one vector; one code's entries for all of
// them are one contiguous 64-byte load per sub-quantizer (no gathers). Sums in the
// scalar kernel's order (m = 0..M−1, no FMA), so results are bit-identical.
#include <immintrin.h>

#include "pq.h"

namespace spreadvec {

void pq_group_distances_avx512(const float* lutG, int M, const uint8_t* codes, size_t count,
                               const float* thr, float* out, uint32_t* mask) {
  const __m512 t = _mm512_loadu_ps(thr);
  for (size_t i = 0; i < count; i++) {
    const uint8_t* c = codes + i * M;
    __m512 acc = _mm512_setzero_ps();
    for (int m = 0; m < M; m++) {
      acc = _mm512_add_ps(acc, _mm512_loadu_ps(lutG + (size_t(m) * kPqKsub + c[m]) * kPqGroup));
    }
    _mm512_storeu_ps(out + i * kPqGroup, acc);
    mask[i] = _mm512_cmp_ps_mask(acc, t, _CMP_LT_OQ);
  }
}

}  // namespace spreadvec
