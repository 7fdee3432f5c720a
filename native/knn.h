// Exact k-nearest-neighbour search by blocked matrix products (sgemm) and a
// per-query top-k selection (topk.h), spread over threads with parallel_for: the one
// exact k-NN kernel, used by the k-NN API and by the trainer's hard-negative mining.
// Plain C++: no N-API here (glue in knn_binding.cc and mlp_binding.cc).
#pragma once
#include <cstdint>

namespace spreadvec {

enum class KnnMetric { L2, IP };

// For each of the nq queries (nq×d, row-major), the k best base vectors (nb×d):
// smallest squared L2 distance (L2) or largest inner product (IP), best first;
// equal scores in index order. Rows are padded with index -1 and distance +inf
// (L2) / -inf (IP) when k > nb. out_idx, out_dist: nq×k.
// threads < 1 means default_threads().
void knn_search(const float* queries, int64_t nq, const float* base, int64_t nb, int d, int k,
                KnnMetric metric, int threads, int32_t* out_idx, float* out_dist);

// knn_search in L2, indices only (out: nq×k), on `threads` threads: the trainer's
// hard negatives in the catalyzer's output space.
void knn_l2_topk(const float* q, int64_t nq, const float* b, int64_t nb, int d, int k, int32_t* out,
                 int threads);

}  // namespace spreadvec
