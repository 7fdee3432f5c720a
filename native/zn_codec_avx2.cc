// AVX2 atom scoring for the Zn codec's quantize (see zn_codec_kernels.h). Four
// doubles per register, 32 atoms per block; the running best of each lane keeps
// its first maximum, and the lanes are merged by (score, lowest atom).
#include <immintrin.h>

#include "zn_codec_kernels.h"

namespace spreadvec {
namespace zn_detail {

int best_atom_avx2(const double* atom_t, int npad, int natom, int nrow, const double* xs) {
  constexpr int kAcc = 8, kLanes = 4, kBlock = kAcc * kLanes;
  __m256d best[kAcc];
  __m256d best_idx[kAcc];  // atom indices as doubles (exact below 2^53)
  for (int u = 0; u < kAcc; u++) {
    best[u] = _mm256_set1_pd(-1.0);  // every real score is >= 0
    best_idx[u] = _mm256_set1_pd(0.0);
  }
  const __m256d step = _mm256_set_pd(3, 2, 1, 0);
  for (int b = 0; b < npad; b += kBlock) {
    __m256d acc[kAcc];
    for (int u = 0; u < kAcc; u++) acc[u] = _mm256_setzero_pd();
    for (int i = 0; i < nrow; i++) {
      const __m256d xi = _mm256_set1_pd(xs[i]);
      const double* row = atom_t + static_cast<size_t>(i) * npad + b;
      // Products are exact, so mul then add equals the scalar sum term by term.
      for (int u = 0; u < kAcc; u++) acc[u] = _mm256_add_pd(acc[u], _mm256_mul_pd(_mm256_loadu_pd(row + u * kLanes), xi));
    }
    for (int u = 0; u < kAcc; u++) {
      const __m256d better = _mm256_cmp_pd(acc[u], best[u], _CMP_GT_OQ);
      const __m256d idx = _mm256_add_pd(_mm256_set1_pd(static_cast<double>(b + u * kLanes)), step);
      best[u] = _mm256_blendv_pd(best[u], acc[u], better);
      best_idx[u] = _mm256_blendv_pd(best_idx[u], idx, better);
    }
  }
  alignas(32) double s[kBlock], id[kBlock];
  for (int u = 0; u < kAcc; u++) {
    _mm256_store_pd(s + u * kLanes, best[u]);
    _mm256_store_pd(id + u * kLanes, best_idx[u]);
  }
  return best_of_lanes(s, id, kBlock, natom);
}

}  // namespace zn_detail
}  // namespace spreadvec
