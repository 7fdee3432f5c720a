// Exact k-NN: the queries × base score matrix is computed tile by tile with sgemm
// (so the speed is that of the shared GEMM) and each tile row is folded into a
// bounded max-heap of the k best candidates seen so far. See knn.h.
#include "knn.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "gemm.h"
#include "parallel.h"

namespace spreadvec {

namespace {

// A tile of kQueryBlock × kBaseBlock scores is 1 MiB: it stays in L2/L3 while the
// selection reads it back.
constexpr int64_t kQueryBlock = 256;
constexpr int64_t kBaseBlock = 1024;
constexpr int32_t kNoIndex = std::numeric_limits<int32_t>::max();

// Sort key of a candidate: smaller is better (L2: |b|² - 2<q,b>; IP: -<q,b>).
// Equal keys: the smaller index is better. The heap keeps the worst on top.
struct Cand {
  float key;
  int32_t idx;
};

inline bool worse(const Cand& a, const Cand& b) {
  return a.key > b.key || (a.key == b.key && a.idx > b.idx);
}

// Replaces the root of the max-heap h[0..k) with c and restores the heap.
inline void heap_replace_top(Cand* h, int k, Cand c) {
  int i = 0;
  for (;;) {
    int l = 2 * i + 1, r = l + 1, w = i;
    Cand wc = c;
    if (l < k && worse(h[l], wc)) w = l, wc = h[l];
    if (r < k && worse(h[r], wc)) w = r, wc = h[r];
    if (w == i) break;
    h[i] = h[w];
    i = w;
  }
  h[i] = c;
}

inline void heap_reset(Cand* h, int k) {
  for (int i = 0; i < k; i++) h[i] = {std::numeric_limits<float>::infinity(), kNoIndex};
}

// Folds the candidates of rows [b0, b0+n) for one query into its heap.
inline void fold_row(Cand* h, int k, const float* scores, const float* bnorm, int64_t b0, int64_t n,
                     KnnMetric metric) {
  Cand top = h[0];
  for (int64_t j = 0; j < n; j++) {
    float key = metric == KnnMetric::L2 ? bnorm[j] - 2.f * scores[j] : -scores[j];
    // Indices grow along the scan, so an equal key never beats what is stored.
    if (key < top.key || (key == top.key && static_cast<int32_t>(b0 + j) < top.idx)) {
      heap_replace_top(h, k, {key, static_cast<int32_t>(b0 + j)});
      top = h[0];
    }
  }
}

// Writes a query's heap out, best first, as indices and distances.
void emit(Cand* h, int k, float qnorm, KnnMetric metric, int32_t* idx, float* dist) {
  std::sort(h, h + k, [](const Cand& a, const Cand& b) { return worse(b, a); });
  for (int i = 0; i < k; i++) {
    if (h[i].idx == kNoIndex) {
      idx[i] = -1;
      dist[i] = metric == KnnMetric::L2 ? std::numeric_limits<float>::infinity()
                                        : -std::numeric_limits<float>::infinity();
    } else {
      idx[i] = h[i].idx;
      dist[i] = metric == KnnMetric::L2 ? std::max(0.f, h[i].key + qnorm) : -h[i].key;
    }
  }
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

void knn_search(const float* queries, int64_t nq, const float* base, int64_t nb, int d, int k,
                KnnMetric metric, int threads, int32_t* out_idx, float* out_dist) {
  if (nq == 0) return;
  if (threads < 1) threads = default_threads();

  std::vector<float> bnorm(metric == KnnMetric::L2 ? nb : 0), qnorm(nq, 0.f);
  if (metric == KnnMetric::L2) {
    row_norms(base, nb, d, threads, bnorm.data());
    row_norms(queries, nq, d, threads, qnorm.data());
  }

  // Tasks = query blocks × base slices. With fewer query blocks than threads, the
  // base is cut into slices searched in parallel and their top-k merged after.
  const int64_t nqb = (nq + kQueryBlock - 1) / kQueryBlock;
  const int64_t nbb = std::max<int64_t>(1, (nb + kBaseBlock - 1) / kBaseBlock);
  const int64_t slices = nqb >= threads ? 1 : std::min<int64_t>(nbb, (threads + nqb - 1) / nqb);
  const int64_t per_slice = ((nbb + slices - 1) / slices) * kBaseBlock;
  const int64_t tasks = nqb * slices;

  // Partial heaps per slice (only when slices > 1): slices × nq × k.
  std::vector<Cand> partial(slices > 1 ? static_cast<size_t>(slices * nq * k) : 0);

  parallel_for(static_cast<size_t>(tasks), 1, threads, [&](size_t tb, size_t te, int) {
    std::vector<float> tile(kQueryBlock * kBaseBlock);
    std::vector<Cand> own(slices > 1 ? 0 : static_cast<size_t>(kQueryBlock * k));
    for (size_t t = tb; t < te; t++) {
      const int64_t qb = static_cast<int64_t>(t) / slices, s = static_cast<int64_t>(t) % slices;
      const int64_t q0 = qb * kQueryBlock, qn = std::min(kQueryBlock, nq - q0);
      const int64_t s0 = std::min(nb, s * per_slice), s1 = std::min(nb, s0 + per_slice);
      Cand* heaps = slices > 1 ? partial.data() + (s * nq + q0) * k : own.data();
      for (int64_t i = 0; i < qn; i++) heap_reset(heaps + i * k, k);
      for (int64_t b0 = s0; b0 < s1; b0 += kBaseBlock) {
        const int64_t bn = std::min(kBaseBlock, s1 - b0);
        // tile = Q_block · B_blockᵀ; sgemm packs Bᵀ itself (a transpose done here
        // with strided stores cost twice the product).
        sgemm(false, true, static_cast<int>(qn), static_cast<int>(bn), d, 1.f, queries + q0 * d, d, base + b0 * d, d,
              0.f, tile.data(), static_cast<int>(bn));
        const float* bn_norm = metric == KnnMetric::L2 ? bnorm.data() + b0 : nullptr;
        for (int64_t i = 0; i < qn; i++) fold_row(heaps + i * k, k, tile.data() + i * bn, bn_norm, b0, bn, metric);
      }
      if (slices == 1) {
        for (int64_t i = 0; i < qn; i++) {
          emit(heaps + i * k, k, qnorm[q0 + i], metric, out_idx + (q0 + i) * k, out_dist + (q0 + i) * k);
        }
      }
    }
  });

  if (slices > 1) {
    parallel_for(static_cast<size_t>(nq), 64, threads, [&](size_t b, size_t e, int) {
      std::vector<Cand> all(static_cast<size_t>(slices * k));
      for (size_t q = b; q < e; q++) {
        for (int64_t s = 0; s < slices; s++) {
          std::memcpy(all.data() + s * k, partial.data() + (s * nq + q) * k, sizeof(Cand) * k);
        }
        std::partial_sort(all.begin(), all.begin() + k, all.end(),
                          [](const Cand& x, const Cand& y) { return worse(y, x); });
        emit(all.data(), k, qnorm[q], metric, out_idx + q * k, out_dist + q * k);
      }
    });
  }
}

}  // namespace spreadvec
