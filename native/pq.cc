// Product quantizer kernels (see pq.h): encoding, lookup tables and the ADC scan; the
// batched distance kernel of the active ISA comes from the dispatch table.
#include "pq.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "dispatch.h"
#include "kmeans.h"
#include "parallel.h"
#include "topk.h"

namespace spreadvec {

namespace {

// ADC distance of one 8-byte code: one 64-bit load, bytes taken by shifts (9 loads
// per code instead of 16), summed in order m = 0..7 like every other kernel.
inline float pq_distance8(const float* lut, const uint8_t* code) {
  uint64_t c;
  std::memcpy(&c, code, 8);
  float s = lut[c & 0xFF];
  s += lut[1 * kPqKsub + ((c >> 8) & 0xFF)];
  s += lut[2 * kPqKsub + ((c >> 16) & 0xFF)];
  s += lut[3 * kPqKsub + ((c >> 24) & 0xFF)];
  s += lut[4 * kPqKsub + ((c >> 32) & 0xFF)];
  s += lut[5 * kPqKsub + ((c >> 40) & 0xFF)];
  s += lut[6 * kPqKsub + ((c >> 48) & 0xFF)];
  s += lut[7 * kPqKsub + (c >> 56)];
  return s;
}

}  // namespace

void pq_block_distances_scalar(const float* lut, int M, const uint8_t* codes, size_t count, float* out) {
  if (M == 8) {
    for (size_t i = 0; i < count; i++) out[i] = pq_distance8(lut, codes + i * 8);
    return;
  }
  for (size_t i = 0; i < count; i++) {
    const uint8_t* c = codes + i * M;
    float s = 0.f;
    for (int m = 0; m < M; m++) s += lut[size_t(m) * kPqKsub + c[m]];
    out[i] = s;
  }
}

void pq_group_distances_scalar(const float* lutG, int M, const uint8_t* codes, size_t count,
                               const float* thr, float* out, uint32_t* mask) {
  for (size_t i = 0; i < count; i++) {
    const uint8_t* c = codes + i * M;
    float acc[kPqGroup] = {};
    for (int m = 0; m < M; m++) {
      const float* e = lutG + (size_t(m) * kPqKsub + c[m]) * kPqGroup;
      for (int q = 0; q < kPqGroup; q++) acc[q] += e[q];
    }
    uint32_t bits = 0;
    for (int q = 0; q < kPqGroup; q++) {
      out[i * kPqGroup + q] = acc[q];
      if (acc[q] < thr[q]) bits |= 1u << q;
    }
    mask[i] = bits;
  }
}

void pq_encode(const float* x, size_t n, int d, int M, const float* codebooks, uint8_t* codes,
               int threads) {
  int dsub = d / M;
  std::vector<int32_t> assign(n);
  for (int m = 0; m < M; m++) {
    nearest_centroids(x + size_t(m) * dsub, n, dsub, d, codebooks + size_t(m) * kPqKsub * dsub,
                      kPqKsub, assign.data(), nullptr, threads);
    for (size_t i = 0; i < n; i++) codes[i * M + m] = static_cast<uint8_t>(assign[i]);
  }
}

void pq_decode(const uint8_t* codes, size_t n, int d, int M, const float* codebooks, float* x) {
  int dsub = d / M;
  for (size_t i = 0; i < n; i++) {
    for (int m = 0; m < M; m++) {
      const float* c = codebooks + (size_t(m) * kPqKsub + codes[i * M + m]) * dsub;
      std::copy(c, c + dsub, x + i * d + size_t(m) * dsub);
    }
  }
}

void pq_compute_luts(const float* queries, size_t nq, int d, int M, const float* codebooks,
                     float* luts, int threads) {
  int dsub = d / M;
  // Codebooks transposed to M × dsub × 256 so that the inner loop runs over the 256
  // centroids (vectorizable) while each entry still sums its dsub terms in order,
  // as the TS reference does.
  std::vector<float> ct(size_t(M) * dsub * kPqKsub);
  for (int m = 0; m < M; m++)
    for (int j = 0; j < kPqKsub; j++)
      for (int p = 0; p < dsub; p++)
        ct[(size_t(m) * dsub + p) * kPqKsub + j] = codebooks[(size_t(m) * kPqKsub + j) * dsub + p];
  parallel_for(nq, 16, threads, [&](size_t b, size_t e, int) {
    for (size_t q = b; q < e; q++) {
      for (int m = 0; m < M; m++) {
        const float* qs = queries + q * d + size_t(m) * dsub;
        float* row = luts + (q * M + m) * kPqKsub;
        for (int j = 0; j < kPqKsub; j++) row[j] = 0.f;
        for (int p = 0; p < dsub; p++) {
          const float qp = qs[p];
          const float* c = ct.data() + (size_t(m) * dsub + p) * kPqKsub;
          for (int j = 0; j < kPqKsub; j++) {
            float t = qp - c[j];
            row[j] += t * t;
          }
        }
      }
    }
  });
}

void pq_adc_search(const float* luts, size_t nq, int M, const uint8_t* codes, size_t n, int k,
                   int32_t* out_ids, float* out_dist, int threads) {
  // Every query of the batch scans a block of codes (kept in L2) before the next block
  // is read. Few queries: one table at a time (single-query kernel). Many: groups of 16
  // queries with interleaved tables (batched kernel); the kernel flags the codes that
  // beat a query's current k-th distance, and only those reach the heaps.
  const size_t block = 32768, sub = 256;
  const bool grouped = nq >= 4;
  const size_t ngroups = (nq + kPqGroup - 1) / kPqGroup;
  const size_t table = size_t(M) * kPqKsub;
  // 64-byte aligned: each code's 16 entries are then one cache line, never two.
  std::vector<float> lutStore;
  float* lutG = nullptr;
  if (grouped) {
    lutStore.assign(ngroups * table * kPqGroup + 16, 0.f);
    lutG = lutStore.data();
    while (reinterpret_cast<uintptr_t>(lutG) % 64 != 0) lutG++;
    for (size_t q = 0; q < nq; q++) {
      float* g = lutG + (q / kPqGroup) * table * kPqGroup + (q % kPqGroup);
      const float* l = luts + q * table;
      for (size_t e = 0; e < table; e++) g[e * kPqGroup] = l[e];
    }
  }
  const PqGroupDistancesFn gkernel = kernels().pq_group_distances;
  int nt = std::max(1, threads);
  // One set of heaps per worker (each scans its own range of codes), merged at the end.
  std::vector<TopKSet> sets;
  sets.reserve(nt);
  for (int t = 0; t < nt; t++) sets.emplace_back(nq, k);
  parallel_for(n, block, nt, [&](size_t b, size_t e, int t) {
    std::vector<float> dist(sub * kPqGroup);
    std::vector<uint32_t> mask(sub);
    TopKSet& heaps = sets[t];
    float thr[kPqGroup];
    for (size_t b0 = b; b0 < e; b0 += block) {
      size_t count = std::min(block, e - b0);
      if (!grouped) {
        for (size_t q = 0; q < nq; q++) {
          const float* lut = luts + q * table;
          TopK& h = heaps[q];
          if (M == 8) {
            // 8-byte codes: distances of 4 codes, then the filter, with no buffer
            // pass in between (measured 20% faster than distances-then-filter).
            float th = h.threshold();
            size_t i = 0;
            for (; i + 4 <= count; i += 4) {
              float dd[4];
              for (int u = 0; u < 4; u++) dd[u] = pq_distance8(lut, codes + (b0 + i + u) * 8);
              for (int u = 0; u < 4; u++) {
                if (dd[u] < th) {
                  h.offer(dd[u], static_cast<int64_t>(b0 + i + u));
                  th = h.threshold();
                }
              }
            }
            for (; i < count; i++) {
              float dist1 = pq_distance8(lut, codes + (b0 + i) * 8);
              if (dist1 < th) {
                h.offer(dist1, static_cast<int64_t>(b0 + i));
                th = h.threshold();
              }
            }
            continue;
          }
          for (size_t s0 = 0; s0 < count; s0 += sub) {
            size_t cnt = std::min(sub, count - s0);
            pq_block_distances_scalar(lut, M, codes + (b0 + s0) * M, cnt, dist.data());
            float th = h.threshold();
            for (size_t i = 0; i < cnt; i++) {
              if (dist[i] < th) {
                h.offer(dist[i], static_cast<int64_t>(b0 + s0 + i));
                th = h.threshold();
              }
            }
          }
        }
        continue;
      }
      for (size_t g = 0; g < ngroups; g++) {
        const float* lg = lutG + g * table * kPqGroup;
        size_t q0 = g * kPqGroup, width = std::min<size_t>(kPqGroup, nq - q0);
        for (size_t s0 = 0; s0 < count; s0 += sub) {
          size_t cnt = std::min(sub, count - s0);
          for (int q = 0; q < kPqGroup; q++) {
            // Padding lanes never pass: −inf threshold.
            thr[q] = size_t(q) < width ? heaps[q0 + q].threshold() : -std::numeric_limits<float>::infinity();
          }
          gkernel(lg, M, codes + (b0 + s0) * M, cnt, thr, dist.data(), mask.data());
          for (size_t i = 0; i < cnt; i++) {
            uint32_t bits = mask[i];
            while (bits) {
              int q = __builtin_ctz(bits);
              bits &= bits - 1;
              // The kernel compared with the threshold at the start of the sub-block;
              // offer() re-checks against the current one.
              heaps[q0 + q].offer(dist[i * kPqGroup + q], static_cast<int64_t>(b0 + s0 + i));
            }
          }
        }
      }
    }
  });
  merge_sets(sets, 0, nq);
  for (size_t q = 0; q < nq; q++) sets[0][q].extract_sorted(out_dist + q * k, out_ids + q * k, k);
}

}  // namespace spreadvec
