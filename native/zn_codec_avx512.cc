// AVX-512 atom scoring for the Zn codec's quantize (see zn_codec_kernels.h). Eight
// doubles per register, 64 atoms per block; the running best of each lane keeps
// its first maximum, and the lanes are merged by (score, lowest atom).
//
// It also holds the AVX-512 build of the decoder (zn_codec_decode.inc), with BMI2
// pdep for the select and masked compares for the binomial search. The AVX-512
// level is only chosen where the CPU also has BMI2 and popcnt (cpu_features.cc).
#pragma GCC target("bmi,bmi2,popcnt")
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "zn_codec_impl.h"
#include "zn_codec_kernels.h"

namespace spreadvec {

namespace zn_avx512 {
#define ZN_DECODE_PDEP 1
#define ZN_DECODE_AVX512 1
#include "zn_codec_decode.inc"
#undef ZN_DECODE_PDEP
#undef ZN_DECODE_AVX512
}  // namespace zn_avx512

namespace zn_detail {

int best_atom_avx512(const double* atom_t, int npad, int natom, int nrow, const double* xs) {
  constexpr int kAcc = 8, kLanes = 8, kBlock = kAcc * kLanes;
  __m512d best[kAcc];
  __m512i best_idx[kAcc];
  for (int u = 0; u < kAcc; u++) {
    best[u] = _mm512_set1_pd(-1.0);  // every real score is >= 0
    best_idx[u] = _mm512_setzero_si512();
  }
  const __m512i step = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  for (int b = 0; b < npad; b += kBlock) {
    __m512d acc[kAcc];
    for (int u = 0; u < kAcc; u++) acc[u] = _mm512_setzero_pd();
    for (int i = 0; i < nrow; i++) {
      const __m512d xi = _mm512_set1_pd(xs[i]);
      const double* row = atom_t + static_cast<size_t>(i) * npad + b;
      // Products are exact (small integer times a float32), so a fused
      // multiply-add rounds exactly like the scalar multiply then add.
      for (int u = 0; u < kAcc; u++) acc[u] = _mm512_fmadd_pd(_mm512_loadu_pd(row + u * kLanes), xi, acc[u]);
    }
    for (int u = 0; u < kAcc; u++) {
      const __mmask8 better = _mm512_cmp_pd_mask(acc[u], best[u], _CMP_GT_OQ);
      const __m512i idx = _mm512_add_epi64(_mm512_set1_epi64(b + u * kLanes), step);
      best[u] = _mm512_mask_mov_pd(best[u], better, acc[u]);
      best_idx[u] = _mm512_mask_mov_epi64(best_idx[u], better, idx);
    }
  }
  alignas(64) double s[kBlock];
  alignas(64) long long id[kBlock];
  for (int u = 0; u < kAcc; u++) {
    _mm512_store_pd(s + u * kLanes, best[u]);
    _mm512_store_si512(id + u * kLanes, best_idx[u]);
  }
  return best_of_lanes(s, id, kBlock, natom);
}

}  // namespace zn_detail
}  // namespace spreadvec
