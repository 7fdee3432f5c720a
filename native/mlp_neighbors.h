// Exact k nearest neighbours (L2) by blocked sgemm + top-k selection: the trainer's
// hard-negative mining in the catalyzer's output space (24-d rows) every epoch.
#pragma once
#include <cstdint>

namespace spreadvec {

// For each of the nq rows of q, the indices of the k rows of b (nb rows, d floats
// each) nearest in L2, nearest first (ties: lower index first). out is nq×k;
// k ≤ nb. Runs on `threads` threads.
void knn_l2_topk(const float* q, int64_t nq, const float* b, int64_t nb, int d, int k,
                 int32_t* out, int threads);

}  // namespace spreadvec
