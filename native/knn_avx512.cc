// AVX-512 candidate scan of the k-NN selection (see knn_kernels.h): 16 keys per
// step, compared with the heap's threshold; the scalar tail keeps the same rounding.
#include <immintrin.h>

#include "knn_kernels.h"

namespace spreadvec {
namespace knn_detail {

int64_t scan_below_avx512(const float* scores, const float* bnorm, int64_t j, int64_t n, float thr) {
  const __m512 t = _mm512_set1_ps(thr), two = _mm512_set1_ps(2.f), zero = _mm512_setzero_ps();
  for (; j + 16 <= n; j += 16) {
    __m512 s = _mm512_loadu_ps(scores + j);
    __m512 key = bnorm ? _mm512_sub_ps(_mm512_loadu_ps(bnorm + j), _mm512_mul_ps(two, s)) : _mm512_sub_ps(zero, s);
    __mmask16 mask = _mm512_cmp_ps_mask(key, t, _CMP_LT_OQ);
    if (mask) return j + __builtin_ctz(static_cast<unsigned>(mask));
  }
  return scan_below_scalar(scores, bnorm, j, n, thr);
}

}  // namespace knn_detail
}  // namespace spreadvec
