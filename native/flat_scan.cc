// Flat exact scan (flat_scan.h). The live rows of a slot range are gathered block by
// block into a contiguous run, scored against a block of queries with the shared
// sgemm (gemm.h), and each score row is folded into the query's TopK (topk.h) with
// `dist <= threshold()` so that ties at the k-th distance are kept.
//
// Exact ties stay exact: a row's distance is |q|² + |b|² − 2⟨q, b⟩, and every term is
// computed by the same operations whatever the row's slot or place in a block (the
// packed sgemm runs each column through the same micro-kernel, padding included), so
// two equal rows get bit-identical distances and tie.
#include "flat_scan.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "decode_scan.h"
#include "gemm.h"
#include "parallel.h"
#include "topk.h"

namespace spreadvec {

namespace {

constexpr size_t kRowBlock = 1024;   // live rows gathered per block
constexpr size_t kQueryBlock = 256;  // queries per sgemm: a 256 × 1024 tile is 1 MiB

float squared_norm(const float* v, int dim) {
  float s = 0.f;
  for (int j = 0; j < dim; j++) s += v[j] * v[j];
  return s;
}

// Scans slots [begin, end) for the nq queries q (with their squared norms qnorm),
// offering every live slot to heaps[0..nq).
void scan_range(const float* base, size_t begin, size_t end, const uint8_t* removed, int dim, const float* q,
                const float* qnorm, size_t nq, KnnMetric metric, TopK* heaps) {
  const size_t d = static_cast<size_t>(dim);
  std::vector<float> rows(kRowBlock * d), bnorm(kRowBlock), tile(kQueryBlock * kRowBlock);
  std::vector<int64_t> slots(kRowBlock);
  size_t s = begin;
  while (s < end) {
    size_t nb = 0;
    for (; s < end && nb < kRowBlock; s++) {
      if (slot_removed(removed, s)) continue;
      std::memcpy(rows.data() + nb * d, base + s * d, d * sizeof(float));
      slots[nb++] = static_cast<int64_t>(s);
    }
    if (nb == 0) break;
    if (metric == KnnMetric::L2)
      for (size_t j = 0; j < nb; j++) bnorm[j] = squared_norm(rows.data() + j * d, dim);
    for (size_t q0 = 0; q0 < nq; q0 += kQueryBlock) {
      const size_t qn = std::min(kQueryBlock, nq - q0);
      sgemm(false, true, static_cast<int>(qn), static_cast<int>(nb), dim, 1.f, q + q0 * d, dim, rows.data(), dim,
            0.f, tile.data(), static_cast<int>(nb));
      for (size_t i = 0; i < qn; i++) {
        TopK& heap = heaps[q0 + i];
        const float* score = tile.data() + i * nb;
        float thr = heap.threshold();
        if (metric == KnnMetric::L2) {
          const float qq = qnorm[q0 + i];
          for (size_t j = 0; j < nb; j++) {
            const float dist = std::max(0.f, qq + bnorm[j] - 2.f * score[j]);
            if (dist <= thr) {
              heap.offer(dist, slots[j]);
              thr = heap.threshold();
            }
          }
        } else {
          for (size_t j = 0; j < nb; j++) {
            const float dist = 0.f - score[j];  // +0, not -0, for an orthogonal row (as the reference)
            if (dist <= thr) {
              heap.offer(dist, slots[j]);
              thr = heap.threshold();
            }
          }
        }
      }
    }
  }
}

void emit(TopK& heap, int k, float* out_dist, int32_t* out_slot, std::vector<int32_t>* tie_slots,
          std::vector<int32_t>* tie_offsets) {
  if (tie_slots) {
    for (int64_t t : heap.ties()) tie_slots->push_back(static_cast<int32_t>(t));
    tie_offsets->push_back(static_cast<int32_t>(tie_slots->size()));
  }
  heap.extract_sorted(out_dist, out_slot, k);
}

}  // namespace

void flat_scan(const float* base, size_t n, const uint8_t* removed, int dim, const float* queries, size_t nq,
               int k, KnnMetric metric, int threads, float* out_dist, int32_t* out_slot,
               std::vector<int32_t>* tie_slots, std::vector<int32_t>* tie_offsets) {
  if (tie_slots) {
    tie_slots->clear();
    tie_offsets->assign(1, 0);
  }
  if (nq == 0 || k <= 0) return;
  threads = std::max(threads, 1);
  // Never keep more than n hits per query: k may exceed the arena.
  const int kk = static_cast<int>(std::min<size_t>(static_cast<size_t>(k), n));
  std::vector<float> qnorm(nq, 0.f);
  if (metric == KnnMetric::L2)
    for (size_t i = 0; i < nq; i++) qnorm[i] = squared_norm(queries + i * dim, dim);

  const size_t nblocks = (n + kRowBlock - 1) / kRowBlock;
  if (threads > 1 && nblocks >= static_cast<size_t>(2 * threads)) {
    // Split the slots: each worker scans a contiguous range for all queries, then the
    // per-worker heaps are merged (disjoint ranges: the top-k of the whole arena).
    std::vector<TopKSet> sets;
    sets.reserve(threads);
    for (int t = 0; t < threads; t++) sets.emplace_back(nq, kk);
    parallel_for(n, kRowBlock, threads, [&](size_t b, size_t e, int w) {
      scan_range(base, b, e, removed, dim, queries, qnorm.data(), nq, metric, sets[w].data());
    });
    merge_sets(sets, 0, nq);
    for (size_t i = 0; i < nq; i++) emit(sets[0][i], k, out_dist + i * k, out_slot + i * k, tie_slots, tie_offsets);
  } else {
    // A small arena: split the queries (each worker scans every slot).
    TopKSet heaps(nq, kk);
    if (kk > 0) {
      parallel_for(nq, 1, threads, [&](size_t b, size_t e, int) {
        scan_range(base, 0, n, removed, dim, queries + b * dim, qnorm.data() + b, e - b, metric, heaps.data() + b);
      });
    }
    for (size_t i = 0; i < nq; i++) emit(heaps[i], k, out_dist + i * k, out_slot + i * k, tie_slots, tie_offsets);
  }
}

}  // namespace spreadvec
