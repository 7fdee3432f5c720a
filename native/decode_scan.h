// Decode-and-scan search over a code arena: the codes of the database (Zn sphere
// ranks, code_bytes each, slot i at codes + i * code_bytes) are decoded block by block
// to unit vectors and scored against every query of the batch; each query keeps its
// k nearest slots by squared L2 distance on the sphere, 2 - 2 <q, x>, ascending, ties
// by the smaller slot. Plain C++ (no N-API): scan_binding.cc adapts it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "zn_codec.h"

namespace spreadvec {

// Bit i of `removed` (byte i / 8, bit i % 8, least significant first) set = slot i is
// skipped. `removed` may be null (nothing removed).
inline bool slot_removed(const uint8_t* removed, size_t slot) {
  return removed && ((removed[slot >> 3] >> (slot & 7)) & 1);
}

// queries: nq × codec.dim() floats (unit vectors, finite). Writes nq × k results,
// best first, into out_dist / out_slot; when fewer than k slots are live, the
// remaining places get +Infinity and -1. threads: worker threads (≥ 1); the work is
// split over code blocks, or over queries when there are few codes.
// tie_slots / tie_offsets (both or neither): the other live slots at each query's
// k-th distance, which the k places could not hold (query i's are
// tie_slots[tie_offsets[i] .. tie_offsets[i + 1]), in no order): with them a caller
// can break ties by another key without scanning again.
// decoded (optional, the Index's decoded cache): n × dim int8 lattice points of the
// codes (ZnSphereCodec::decode_int8); rows are then read from it instead of decoding
// the codes, with the same results.
void decode_scan(const ZnSphereCodec& codec, const uint8_t* codes, size_t n,
                 const uint8_t* removed, const float* queries, size_t nq, int k, int threads,
                 float* out_dist, int32_t* out_slot, std::vector<int32_t>* tie_slots = nullptr,
                 std::vector<int32_t>* tie_offsets = nullptr, const int8_t* decoded = nullptr);

// Ranged form (the partitioned index: each query scans only its probed lists). Query i
// scans the slots of its ranges, half-open pairs (ranges[2j], ranges[2j + 1]) for j in
// [range_offsets[i], range_offsets[i + 1]); one query's ranges are disjoint and lie in
// [0, n) (the binding checks; empty ranges are allowed). The results follow the same
// contract as decode_scan over the covered slots only. The work is cut into pieces of
// equal (slots × queries) weight over the threads, so that a single query uses every
// thread; a slot range probed by several queries of the batch is decoded once for all
// of them (per thread).
void decode_scan_ranges(const ZnSphereCodec& codec, const uint8_t* codes, size_t n, const uint8_t* removed,
                        const float* queries, size_t nq, const int32_t* ranges, const int32_t* range_offsets,
                        int k, int threads, float* out_dist, int32_t* out_slot,
                        std::vector<int32_t>* tie_slots = nullptr, std::vector<int32_t>* tie_offsets = nullptr,
                        const int8_t* decoded = nullptr);

}  // namespace spreadvec
