// The per-ISA inner loop of decode_scan (decode_scan.cc): score one decoded block
// against every query and offer the hits that reach each query's current k-th (ties included).
// Compiled three times: decode_scan.cc (scalar), decode_scan_avx2.cc,
// decode_scan_avx512.cc; the dispatch table (dispatch.h) holds the one that runs.
#pragma once
#include <cstddef>
#include <cstdint>

#include "topk.h"

namespace spreadvec {

// Block layout: xt is dim rows of ldx floats (transposed: xt[d * ldx + j] is
// coordinate d of the j-th decoded code); ldx is a multiple of 32 and lanes
// [nb, ldx) hold zeros. slots[j] is the slot of the j-th code; slots increase with
// j and across successive calls.
// q: nq × dim query rows; heaps: nq heaps, one per query.
struct ScanBlock {
  const float* xt;
  int ldx;
  int nb;
  const int64_t* slots;
};

// Offers lane l of `dist` to the heap for each set bit l of `mask` (lanes whose
// distance reached the threshold when compared in SIMD: ties are offered too);
// rechecks the threshold because each offer may lower it.
inline void offer_masked_lanes(const float* dist, unsigned mask, const int64_t* slots, TopK& heap) {
  while (mask) {
    const int l = __builtin_ctz(mask);
    mask &= mask - 1;
    if (dist[l] <= heap.threshold()) heap.offer(dist[l], slots[l]);
  }
}

using ScoreBlockFn = void (*)(const float* q, size_t nq, int dim, const ScanBlock& block, TopK* heaps);
void score_block_scalar(const float* q, size_t nq, int dim, const ScanBlock& block,
                        TopK* heaps);
#if defined(__x86_64__) || defined(_M_X64)
void score_block_avx2(const float* q, size_t nq, int dim, const ScanBlock& block,
                      TopK* heaps);
void score_block_avx512(const float* q, size_t nq, int dim, const ScanBlock& block,
                        TopK* heaps);
#endif

}  // namespace spreadvec
