// Internal to the k-NN kernel: the candidate scan of the top-k selection, one
// variant per instruction set (knn.cc scalar, knn_avx2.cc, knn_avx512.cc); the
// dispatch table (dispatch.h) holds the one that runs.
#pragma once
#include <cstdint>

namespace spreadvec {
namespace knn_detail {

// First j in [start, n) whose key is strictly below thr, or n. The key of j is
// bnorm[j] - 2·scores[j] when bnorm is non-null (L2, computed without FMA so that
// every variant rounds alike), else -scores[j] (inner product).
using ScanBelowFn = int64_t (*)(const float* scores, const float* bnorm, int64_t start, int64_t n, float thr);
int64_t scan_below_scalar(const float* scores, const float* bnorm, int64_t start, int64_t n, float thr);
int64_t scan_below_avx2(const float* scores, const float* bnorm, int64_t start, int64_t n, float thr);
int64_t scan_below_avx512(const float* scores, const float* bnorm, int64_t start, int64_t n, float thr);

}  // namespace knn_detail
}  // namespace spreadvec
