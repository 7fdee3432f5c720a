#include "mlp_neighbors.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "gemm.h"
#include "parallel.h"

namespace spreadvec {

namespace {

constexpr int64_t kQueryBlock = 64;
constexpr int64_t kBaseBlock = 2048;  // 64×2048 floats of distances stay in L2

// A bounded max-heap of (distance, index): keeps the k smallest seen.
struct TopK {
  std::vector<std::pair<float, int32_t>> h;
  int k;
  float worst() const { return h.size() < static_cast<size_t>(k) ? 3.4e38f : h.front().first; }
  void push(float d, int32_t i) {
    if (h.size() < static_cast<size_t>(k)) {
      h.emplace_back(d, i);
      std::push_heap(h.begin(), h.end());
    } else if (std::make_pair(d, i) < h.front()) {
      std::pop_heap(h.begin(), h.end());
      h.back() = {d, i};
      std::push_heap(h.begin(), h.end());
    }
  }
};

}  // namespace

void knn_l2_topk(const float* q, int64_t nq, const float* b, int64_t nb, int d, int k,
                 int32_t* out, int threads) {
  // |q - y|² = |q|² - 2<q, y> + |y|²; |q|² does not change a row's ranking, so one
  // product of the augmented rows [q, 1] · [-2y, |y|²] gives the ranking key.
  const int da = d + 1;
  std::vector<float> qa(static_cast<size_t>(nq) * da), ba(static_cast<size_t>(nb) * da);
  for (int64_t i = 0; i < nq; i++) {
    std::copy(q + i * d, q + (i + 1) * d, qa.data() + i * da);
    qa[i * da + d] = 1.f;
  }
  for (int64_t j = 0; j < nb; j++) {
    const float* y = b + j * d;
    float* o = ba.data() + j * da;
    float s = 0;
    for (int t = 0; t < d; t++) {
      s += y[t] * y[t];
      o[t] = -2.f * y[t];
    }
    o[d] = s;
  }
  const int64_t qblocks = (nq + kQueryBlock - 1) / kQueryBlock;
  parallel_for(static_cast<size_t>(qblocks), 1, threads, [&](size_t qb0, size_t qb1, int) {
    std::vector<float> dots(kQueryBlock * kBaseBlock);
    std::vector<TopK> heaps(kQueryBlock);
    for (size_t qb = qb0; qb < qb1; qb++) {
      int64_t i0 = static_cast<int64_t>(qb) * kQueryBlock;
      int mq = static_cast<int>(std::min(kQueryBlock, nq - i0));
      for (int i = 0; i < mq; i++) {
        heaps[i].h.clear();
        heaps[i].h.reserve(k);
        heaps[i].k = k;
      }
      for (int64_t j0 = 0; j0 < nb; j0 += kBaseBlock) {
        int mb = static_cast<int>(std::min(kBaseBlock, nb - j0));
        sgemm(false, true, mq, mb, da, 1.f, qa.data() + i0 * da, da, ba.data() + j0 * da, da, 0.f,
              dots.data(), mb);
        for (int i = 0; i < mq; i++) {
          const float* row = dots.data() + static_cast<size_t>(i) * mb;
          TopK& heap = heaps[i];
          float thr = heap.worst();
          // Blocks of 16 are first screened against the current k-th distance (a
          // vectorized count); only the few that beat it reach the heap.
          int j = 0;
          for (; j + 16 <= mb; j += 16) {
            int hits = 0;
            for (int t = 0; t < 16; t++) hits += row[j + t] <= thr;
            if (hits == 0) continue;
            for (int t = 0; t < 16; t++) {
              if (row[j + t] <= thr) {
                heap.push(row[j + t], static_cast<int32_t>(j0 + j + t));
                thr = heap.worst();
              }
            }
          }
          for (; j < mb; j++) {
            if (row[j] <= thr) {
              heap.push(row[j], static_cast<int32_t>(j0 + j));
              thr = heap.worst();
            }
          }
        }
      }
      for (int i = 0; i < mq; i++) {
        auto& h = heaps[i].h;
        std::sort(h.begin(), h.end());
        int32_t* o = out + (i0 + i) * k;
        for (int t = 0; t < k; t++) o[t] = t < static_cast<int>(h.size()) ? h[t].second : -1;
      }
    }
  });
}

}  // namespace spreadvec
