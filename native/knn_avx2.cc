// AVX2 candidate scan of the k-NN selection (see knn_kernels.h): 8 keys per step,
// compared with the heap's threshold; the scalar tail keeps the same rounding.
#include <immintrin.h>

#include "knn_kernels.h"

namespace spreadvec {
namespace knn_detail {

int64_t scan_below_avx2(const float* scores, const float* bnorm, int64_t j, int64_t n, float thr) {
  const __m256 t = _mm256_set1_ps(thr), two = _mm256_set1_ps(2.f), zero = _mm256_setzero_ps();
  for (; j + 8 <= n; j += 8) {
    __m256 s = _mm256_loadu_ps(scores + j);
    __m256 key = bnorm ? _mm256_sub_ps(_mm256_loadu_ps(bnorm + j), _mm256_mul_ps(two, s)) : _mm256_sub_ps(zero, s);
    int mask = _mm256_movemask_ps(_mm256_cmp_ps(key, t, _CMP_LT_OQ));
    if (mask) return j + __builtin_ctz(static_cast<unsigned>(mask));
  }
  return scan_below_scalar(scores, bnorm, j, n, thr);
}

}  // namespace knn_detail
}  // namespace spreadvec
