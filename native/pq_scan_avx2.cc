// AVX2 batched ADC kernel: 16 queries as two 8-float vectors; one code's entries for
// all of them are two contiguous loads per sub-quantizer (no gathers). Sums in the
// scalar kernel's order (m = 0..M−1, no FMA), so results are bit-identical.
#include <immintrin.h>

#include <cstring>

#include "pq.h"

namespace spreadvec {

void pq_group_distances_avx2(const float* lutG, int M, const uint8_t* codes, size_t count,
                             const float* thr, float* out, uint32_t* mask) {
  const __m256 t0 = _mm256_loadu_ps(thr), t1 = _mm256_loadu_ps(thr + 8);
  for (size_t i = 0; i < count; i++) {
    const uint8_t* c = codes + i * M;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    for (int m = 0; m < M; m++) {
      const float* e = lutG + (size_t(m) * kPqKsub + c[m]) * kPqGroup;
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(e));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(e + 8));
    }
    _mm256_storeu_ps(out + i * kPqGroup, a0);
    _mm256_storeu_ps(out + i * kPqGroup + 8, a1);
    uint32_t lo = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(a0, t0, _CMP_LT_OQ)));
    uint32_t hi = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(a1, t1, _CMP_LT_OQ)));
    mask[i] = lo | (hi << 8);
  }
}

}  // namespace spreadvec
