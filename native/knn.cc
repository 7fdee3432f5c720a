// Exact k-NN: the queries × base score matrix is computed tile by tile with sgemm
// (so the speed is that of the shared GEMM) and each tile row is folded into a
// bounded max-heap of the k best candidates seen so far. See knn.h.
#include "knn.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "dispatch.h"
#include "gemm.h"
#include "knn_kernels.h"
#include "parallel.h"
#include "topk.h"

namespace spreadvec {

namespace {

// A tile of kQueryBlock × kBaseBlock scores is 1 MiB: it stays in L2/L3 while the
// selection reads it back.
constexpr int64_t kQueryBlock = 256;
constexpr int64_t kBaseBlock = 1024;
// Queries sharing one transposed base block (heaps: kGroupQueries × k candidates).
constexpr int64_t kGroupQueries = 8 * kQueryBlock;
// The direct path: at most this many queries, over at most this many base values.
constexpr int64_t kDirectMaxQueries = 4;
constexpr int64_t kDirectMaxValues = int64_t(1) << 20;

// The heaps (topk.h) rank candidates by a key, smaller is better: L2 |b|² - 2<q,b>
// (|q|² is added back in emit), IP -<q,b>. Equal keys: the smaller index is better.

// Folds the candidates of rows [b0, b0+n) for one query into its heap. The scan
// skips, many at a time, the candidates not below the current worst: only the
// few that enter the heap leave the vector loop. Indices grow along the scan, so
// a candidate equal to the worst never beats it (that one has a smaller index).
inline void fold_row(TopK& heap, const float* scores, const float* bnorm, int64_t b0, int64_t n,
                     knn_detail::ScanBelowFn scan) {
  for (int64_t j = scan(scores, bnorm, 0, n, heap.threshold()); j < n;
       j = scan(scores, bnorm, j + 1, n, heap.threshold())) {
    const float key = bnorm ? bnorm[j] - 2.f * scores[j] : -scores[j];
    heap.offer(key, b0 + j);
  }
}

// Writes a query's heap out, best first, as indices and distances.
void emit(TopK& heap, int k, float qnorm, KnnMetric metric, int32_t* idx, float* dist) {
  heap.extract_sorted(dist, idx, k);
  for (int i = 0; i < k; i++) {
    if (idx[i] < 0) {
      dist[i] = metric == KnnMetric::L2 ? std::numeric_limits<float>::infinity()
                                        : -std::numeric_limits<float>::infinity();
    } else {
      dist[i] = metric == KnnMetric::L2 ? std::max(0.f, dist[i] + qnorm) : -dist[i];
    }
  }
}

// out (d×n) = xᵀ for x (n×d), in 16×16 tiles so that reads and writes both stay
// within a few cache lines.
void transpose_block(const float* x, int64_t n, int d, float* out) {
  constexpr int64_t T = 16;
  for (int64_t r0 = 0; r0 < n; r0 += T) {
    const int64_t r1 = std::min(n, r0 + T);
    for (int64_t c0 = 0; c0 < d; c0 += T) {
      const int64_t c1 = std::min<int64_t>(d, c0 + T);
      for (int64_t c = c0; c < c1; c++) {
        for (int64_t r = r0; r < r1; r++) out[c * n + r] = x[r * d + c];
      }
    }
  }
}

// <a, b> over d values in 8 interleaved partial sums (the compiler keeps them in one
// vector register), then the rest.
inline float dot_lanes(const float* a, const float* b, int d) {
  float acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
  int c = 0;
  for (; c + 8 <= d; c += 8)
    for (int l = 0; l < 8; l++) acc[l] += a[c + l] * b[c + l];
  float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; c < d; c++) s += a[c] * b[c];
  return s;
}

void row_norms(const float* x, int64_t n, int d, int threads, float* out) {
  parallel_for(static_cast<size_t>(n), 4096, threads, [&](size_t b, size_t e, int) {
    for (size_t i = b; i < e; i++) {
      const float* v = x + i * d;
      float s = 0.f;
      for (int j = 0; j < d; j++) s += v[j] * v[j];
      out[i] = s;
    }
  });
}

}  // namespace

namespace knn_detail {

int64_t scan_below_scalar(const float* scores, const float* bnorm, int64_t j, int64_t n, float thr) {
  if (bnorm) {
    for (; j < n; j++) {
      if (bnorm[j] - 2.f * scores[j] < thr) return j;
    }
  } else {
    for (; j < n; j++) {
      if (-scores[j] < thr) return j;
    }
  }
  return n;
}

}  // namespace knn_detail

void knn_search(const float* queries, int64_t nq, const float* base, int64_t nb, int d, int k,
                KnnMetric metric, int threads, int32_t* out_idx, float* out_dist) {
  if (nq == 0) return;
  if (threads < 1) threads = default_threads();
  const knn_detail::ScanBelowFn scan = kernels().knn_scan_below;

  std::vector<float> bnorm(metric == KnnMetric::L2 ? nb : 0), qnorm(nq, 0.f);
  if (metric == KnnMetric::L2) {
    row_norms(base, nb, d, threads, bnorm.data());
    row_norms(queries, nq, d, threads, qnorm.data());
  }

  // A few queries over a small base (the coarse probe of one query): plain dot
  // products straight from the rows; the transposes and the sgemm tile of the
  // blocked path cost more than the products themselves.
  if (nq <= kDirectMaxQueries && nb * d <= kDirectMaxValues) {
    std::vector<float> scores(std::min<int64_t>(nb, kBaseBlock));
    const float* bn_all = metric == KnnMetric::L2 ? bnorm.data() : nullptr;
    for (int64_t q = 0; q < nq; q++) {
      const float* qv = queries + q * d;
      TopKSet heap(1, k);
      for (int64_t b0 = 0; b0 < nb; b0 += kBaseBlock) {
        const int64_t bn = std::min(kBaseBlock, nb - b0);
        for (int64_t j = 0; j < bn; j++) scores[j] = dot_lanes(qv, base + (b0 + j) * d, d);
        fold_row(heap[0], scores.data(), bn_all ? bn_all + b0 : nullptr, b0, bn, scan);
      }
      emit(heap[0], k, qnorm[q], metric, out_idx + q * k, out_dist + q * k);
    }
    return;
  }

  // Work = query groups × base slices. Enough queries: split the queries evenly
  // into groups (a multiple of the thread count, ≤ ~8 tiles each), every group
  // scanning the whole base. Few queries: one group, and the base is cut into
  // slices searched in parallel whose top-k are merged at the end.
  const int64_t nbb = std::max<int64_t>(1, (nb + kBaseBlock - 1) / kBaseBlock);
  int64_t groups = 1, slices = 1;
  if (nq >= static_cast<int64_t>(threads) * kQueryBlock) {
    const int64_t want = std::max<int64_t>(threads, (nq + kGroupQueries - 1) / kGroupQueries);
    groups = (want + threads - 1) / threads * threads;
  } else {
    slices = std::min<int64_t>(nbb, threads);
  }
  const int64_t per_slice = ((nbb + slices - 1) / slices) * kBaseBlock;
  const int64_t tasks = groups * slices;

  // Heaps of each slice for all queries (only when slices > 1), merged at the end.
  std::vector<TopKSet> partial;
  if (slices > 1) {
    partial.reserve(slices);
    for (int64_t s = 0; s < slices; s++) partial.emplace_back(nq, k);
  }

  // Rows of the score tile a group can fill (a few queries, as a probe, need a small one).
  const int64_t tile_rows = std::min<int64_t>(kQueryBlock, (nq + groups - 1) / groups);
  parallel_for(static_cast<size_t>(tasks), 1, threads, [&](size_t tb, size_t te, int) {
    std::vector<float> tile(tile_rows * kBaseBlock), bt(static_cast<size_t>(kBaseBlock) * d);
    for (size_t t = tb; t < te; t++) {
      const int64_t g = static_cast<int64_t>(t) / slices, s = static_cast<int64_t>(t) % slices;
      const int64_t g0 = nq * g / groups, g1 = nq * (g + 1) / groups;
      const int64_t s0 = std::min(nb, s * per_slice), s1 = std::min(nb, s0 + per_slice);
      TopKSet own(slices == 1 ? g1 - g0 : 0, k);
      TopK* heaps = slices > 1 ? partial[s].data() + g0 : own.data();
      for (int64_t b0 = s0; b0 < s1; b0 += kBaseBlock) {
        const int64_t bn = std::min(kBaseBlock, s1 - b0);
        // Bᵀ for the whole group: a cache-blocked transpose, amortized over up to
        // kGroupQueries queries, then plain row-major products (fast with any sgemm).
        transpose_block(base + b0 * d, bn, d, bt.data());
        const float* bn_norm = metric == KnnMetric::L2 ? bnorm.data() + b0 : nullptr;
        for (int64_t q0 = g0; q0 < g1; q0 += kQueryBlock) {
          const int64_t qn = std::min(kQueryBlock, g1 - q0);
          sgemm(false, false, static_cast<int>(qn), static_cast<int>(bn), d, 1.f, queries + q0 * d, d, bt.data(),
                static_cast<int>(bn), 0.f, tile.data(), static_cast<int>(bn));
          for (int64_t i = 0; i < qn; i++) {
            fold_row(heaps[q0 - g0 + i], tile.data() + i * bn, bn_norm, b0, bn, scan);
          }
        }
      }
      if (slices == 1) {
        for (int64_t q = g0; q < g1; q++) {
          emit(heaps[q - g0], k, qnorm[q], metric, out_idx + q * k, out_dist + q * k);
        }
      }
    }
  });

  if (slices > 1) {
    parallel_for(static_cast<size_t>(nq), 64, threads, [&](size_t b, size_t e, int) {
      merge_sets(partial, b, e);
      for (size_t q = b; q < e; q++) emit(partial[0][q], k, qnorm[q], metric, out_idx + q * k, out_dist + q * k);
    });
  }
}

void knn_l2_topk(const float* q, int64_t nq, const float* b, int64_t nb, int d, int k, int32_t* out,
                 int threads) {
  std::vector<float> dist(static_cast<size_t>(nq) * k);
  knn_search(q, nq, b, nb, d, k, KnnMetric::L2, threads, out, dist.data());
}

}  // namespace spreadvec
