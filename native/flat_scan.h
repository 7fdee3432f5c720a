// Exact search over a flat arena of raw float32 vectors (slot i at base + i * dim),
// skipping removed slots: what an Index scans before it has a catalyzer. Per query
// the k best live slots by squared L2 distance or by negated inner product (so that
// smaller is better under both metrics), ascending, ties by the smaller slot, and
// the other live slots at the k-th distance (same contract as decode_scan.h).
// Plain C++ (no N-API): flat_scan_binding.cc adapts it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "knn.h"

namespace spreadvec {

// base: n × dim floats; removed: bitmap as in decode_scan.h (slot_removed) or null;
// queries: nq × dim floats. Writes nq × k results, best first, into out_dist /
// out_slot (+Infinity / -1 where fewer than k slots are live). tie_slots /
// tie_offsets (both or neither): the other live slots at each query's k-th
// distance (query i's at tie_slots[tie_offsets[i] .. tie_offsets[i + 1])).
// A pair whose distance is NaN (a NaN in the query or the row) is never returned:
// checking the values is the caller's job. threads ≥ 1.
void flat_scan(const float* base, size_t n, const uint8_t* removed, int dim, const float* queries, size_t nq,
               int k, KnnMetric metric, int threads, float* out_dist, int32_t* out_slot,
               std::vector<int32_t>* tie_slots = nullptr, std::vector<int32_t>* tie_offsets = nullptr);

}  // namespace spreadvec
