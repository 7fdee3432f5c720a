// Product quantizer kernels (plain C++, no N-API): encoding with 8-bit sub-quantizers,
// per-query lookup tables, and the asymmetric-distance (ADC) scan with top-k.
// Layouts: codebooks M × 256 × dsub (float32), codes n × M bytes, lookup tables
// nq × M × 256 (float32, squared L2 of the query's sub-vector to each centroid).
#pragma once
#include <cstddef>
#include <cstdint>

namespace spreadvec {

constexpr int kPqKsub = 256;  // 8-bit sub-quantizers

// codes[i*M + m] = nearest centroid of x_i's m-th sub-vector.
void pq_encode(const float* x, size_t n, int d, int M, const float* codebooks, uint8_t* codes,
               int threads);

// x_i ≈ concatenation of the selected centroids.
void pq_decode(const uint8_t* codes, size_t n, int d, int M, const float* codebooks, float* x);

// luts[q][m][j] = ||q_m − c_{m,j}||² (sum over the sub-vector in order, in float).
void pq_compute_luts(const float* queries, size_t nq, int d, int M, const float* codebooks,
                     float* luts, int threads);

// For each query, the k codes of smallest ADC distance Σ_m luts[q][m][code_m] (summed
// in order m = 0..M−1 in float, identically in every ISA variant), ascending, ties by
// smaller index. Slots past n are filled with id −1 and distance +inf.
void pq_adc_search(const float* luts, size_t nq, int M, const uint8_t* codes, size_t n, int k,
                   int32_t* out_ids, float* out_dist, int threads);

// Single-query kernel: out[i] = Σ_m lut[m*256 + codes[i*M + m]] for i < count (codes
// row-major, as stored). Scalar on every ISA: on the machines measured, 64-bit code
// loads plus scalar table loads beat AVX2/AVX-512 gathers (see docs/BENCHMARKS.md).
void pq_block_distances_scalar(const float* lut, int M, const uint8_t* codes, size_t count, float* out);

// Batched kernel: 16 queries at once. lutG holds their tables interleaved, M × 256 × 16
// (entry (m, j) of query q at (m*256 + j)*16 + q), so one code's table entries for all
// 16 queries are one contiguous 64-byte load per sub-quantizer instead of 16 scalar
// loads. out[i*16 + q] = Σ_m lutG[(m*256 + codes[i*M+m])*16 + q], summed in the
// single-query kernel's order; bit q of mask[i] is set when out[i*16+q] < thr[q].
// One variant per instruction set; the dispatch table (dispatch.h) holds the one that runs.
constexpr int kPqGroup = 16;
using PqGroupDistancesFn = void (*)(const float* lutG, int M, const uint8_t* codes, size_t count,
                                    const float* thr, float* out, uint32_t* mask);
void pq_group_distances_scalar(const float* lutG, int M, const uint8_t* codes, size_t count,
                               const float* thr, float* out, uint32_t* mask);
void pq_group_distances_avx2(const float* lutG, int M, const uint8_t* codes, size_t count,
                             const float* thr, float* out, uint32_t* mask);
void pq_group_distances_avx512(const float* lutG, int M, const uint8_t* codes, size_t count,
                               const float* thr, float* out, uint32_t* mask);

}  // namespace spreadvec
