#include "decode_scan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "decode_scan_kernels.h"
#include "dispatch.h"
#include "parallel.h"

namespace spreadvec {

namespace {

constexpr int kBlock = 256;  // codes decoded per block (a 24-d block is 24 KiB: L1)
constexpr size_t kFinePartsBelow = 8;  // batches of at most this many queries are cut finer
constexpr int kPartsPerWorker = 4;

// One block's buffers, allocated once per worker (a probed list is often shorter
// than a block: allocating per range would cost more than scanning it).
struct Scratch {
  std::vector<uint8_t> live_codes;
  std::vector<float> rows, xt;
  std::vector<int64_t> slots;
  explicit Scratch(const ZnSphereCodec& codec)
      : live_codes(static_cast<size_t>(kBlock) * codec.code_bytes()),
        rows(static_cast<size_t>(kBlock) * codec.dim()),
        xt(static_cast<size_t>(kBlock) * codec.dim()),
        slots(kBlock) {}
};

// The rows a scan reads: the codes, decoded block by block, or (a decoded cache) their
// int8 lattice points, dim bytes per slot, turned into the same unit floats.
struct Rows {
  const uint8_t* codes;
  const int8_t* decoded;  // null: decode the codes
};

// Scans slots [begin, end) for queries q (nq rows), offering hits to heaps.
void scan_range(const ZnSphereCodec& codec, Rows src, size_t begin, size_t end,
                const uint8_t* removed, const float* q, size_t nq, TopK* heaps, ScoreBlockFn score,
                Scratch& scratch) {
  const uint8_t* codes = src.codes;
  const int dim = codec.dim();
  const int cb = codec.code_bytes();
  std::vector<uint8_t>& live_codes = scratch.live_codes;
  std::vector<float>& rows = scratch.rows;
  std::vector<float>& xt = scratch.xt;
  std::vector<int64_t>& slots = scratch.slots;
  size_t s = begin;
  while (s < end) {
    // Gather up to kBlock live codes (skipping removed slots) into a contiguous run.
    int nb = 0;
    if (src.decoded) {
      for (; s < end && nb < kBlock; s++) {
        if (slot_removed(removed, s)) continue;
        codec.unit_of_int8(src.decoded + s * dim, dim, rows.data() + static_cast<size_t>(nb) * dim);
        slots[nb++] = static_cast<int64_t>(s);
      }
      if (nb == 0) break;
    } else {
      for (; s < end && nb < kBlock; s++) {
        if (slot_removed(removed, s)) continue;
        std::memcpy(live_codes.data() + static_cast<size_t>(nb) * cb, codes + s * cb, cb);
        slots[nb++] = static_cast<int64_t>(s);
      }
      if (nb == 0) break;
      codec.decode_unit_batch(live_codes.data(), nb, rows.data());
    }
    // Transpose to dim rows of kBlock lanes; zero the tail lanes so that every
    // kernel may read whole vectors.
    for (int d = 0; d < dim; d++) {
      float* dst = xt.data() + static_cast<size_t>(d) * kBlock;
      for (int j = 0; j < nb; j++) dst[j] = rows[static_cast<size_t>(j) * dim + d];
      for (int j = nb; j < kBlock; j++) dst[j] = 0.f;
    }
    ScanBlock block{xt.data(), kBlock, nb, slots.data()};
    score(q, nq, dim, block, heaps);
  }
}

}  // namespace

void score_block_scalar(const float* q, size_t nq, int dim, const ScanBlock& block,
                        TopK* heaps) {
  constexpr int kLanes = 32;
  float acc[kLanes];
  for (size_t i = 0; i < nq; i++) {
    const float* qi = q + i * dim;
    TopK& heap = heaps[i];
    for (int j0 = 0; j0 < block.nb; j0 += kLanes) {
      std::fill(acc, acc + kLanes, 0.f);
      for (int d = 0; d < dim; d++) {
        const float qd = qi[d];
        const float* x = block.xt + static_cast<size_t>(d) * block.ldx + j0;
        for (int l = 0; l < kLanes; l++) acc[l] += qd * x[l];
      }
      const int lanes = std::min(kLanes, block.nb - j0);
      float thr = heap.threshold();
      for (int l = 0; l < lanes; l++) {
        const float dist = 2.f - 2.f * acc[l];
        if (dist <= thr) {
          heap.offer(dist, block.slots[j0 + l]);
          thr = heap.threshold();
        }
      }
    }
  }
}

namespace {

// The start both scans share: empty tie lists; false when there is nothing to scan for.
bool start_scan(size_t nq, int k, std::vector<int32_t>* tie_slots, std::vector<int32_t>* tie_offsets) {
  if (tie_slots) {
    tie_slots->clear();
    tie_offsets->assign(1, 0);
  }
  return nq > 0 && k > 0;
}

// Hits kept per query: never more than n (k may exceed the database size).
int hits_kept(int k, size_t n) { return static_cast<int>(std::min<size_t>(static_cast<size_t>(k), n)); }

// Appends the ties of `heap` (slots beyond its k at its k-th distance) and closes the
// query's range in `offsets`.
void emit_ties(const TopK& heap, std::vector<int32_t>* tie_slots, std::vector<int32_t>* tie_offsets) {
  if (!tie_slots) return;
  for (int64_t s : heap.ties()) tie_slots->push_back(static_cast<int32_t>(s));
  tie_offsets->push_back(static_cast<int32_t>(tie_slots->size()));
}

}  // namespace

void decode_scan(const ZnSphereCodec& codec, const uint8_t* codes, size_t n,
                 const uint8_t* removed, const float* queries, size_t nq, int k, int threads,
                 float* out_dist, int32_t* out_slot, std::vector<int32_t>* tie_slots,
                 std::vector<int32_t>* tie_offsets, const int8_t* decoded) {
  const Rows src{codes, decoded};
  if (!start_scan(nq, k, tie_slots, tie_offsets)) return;
  const int dim = codec.dim();
  const int kk = hits_kept(k, n);
  const ScoreBlockFn score = kernels().decode_scan_score_block;
  threads = std::max(threads, 1);
  const size_t nblocks = (n + kBlock - 1) / kBlock;

  if (kk == 0) {
    TopKSet empty(nq, 0);
    for (size_t i = 0; i < nq; i++) {
      emit_ties(empty[i], tie_slots, tie_offsets);
      empty[i].extract_sorted(out_dist + i * k, out_slot + i * k, k);
    }
    return;
  }

  if (threads > 1 && nblocks >= static_cast<size_t>(2 * threads)) {
    // Split the codes: each worker scans a contiguous slot range for all queries
    // (decoding each code once), then the per-worker heaps are merged.
    std::vector<TopKSet> sets;
    sets.reserve(threads);
    for (int t = 0; t < threads; t++) sets.emplace_back(nq, kk);
    parallel_for(n, kBlock, threads, [&](size_t b, size_t e, int w) {
      Scratch scratch(codec);
      scan_range(codec, src, b, e, removed, queries, nq, sets[w].data(), score, scratch);
    });
    merge_sets(sets, 0, nq);
    for (size_t i = 0; i < nq; i++) {
      emit_ties(sets[0][i], tie_slots, tie_offsets);
      sets[0][i].extract_sorted(out_dist + i * k, out_slot + i * k, k);
    }
  } else {
    // Few codes: split the queries instead (each worker decodes all codes).
    TopKSet heaps(nq, kk);
    parallel_for(nq, 1, threads, [&](size_t b, size_t e, int) {
      Scratch scratch(codec);
      scan_range(codec, src, 0, n, removed, queries + b * dim, e - b, heaps.data() + b, score, scratch);
    });
    for (size_t i = 0; i < nq; i++) {
      emit_ties(heaps[i], tie_slots, tie_offsets);
      heaps[i].extract_sorted(out_dist + i * k, out_slot + i * k, k);
    }
  }
}

}  // namespace spreadvec

namespace spreadvec {

namespace {

// A run of slots [begin, end) that the same queries scan: queries
// seg_queries[q0 .. q1) (ascending).
struct Segment {
  size_t begin, end;
  size_t q0, q1;
};

// Cuts the union of every query's ranges at every range end point, so that each
// elementary segment is scanned by a fixed subset of the queries.
void build_segments(size_t nq, const int32_t* ranges, const int32_t* range_offsets, std::vector<Segment>* segs,
                    std::vector<int32_t>* seg_queries) {
  std::vector<int64_t> bounds;
  for (size_t i = 0; i < nq; i++)
    for (int32_t j = range_offsets[i]; j < range_offsets[i + 1]; j++)
      if (ranges[2 * j] < ranges[2 * j + 1]) {
        bounds.push_back(ranges[2 * j]);
        bounds.push_back(ranges[2 * j + 1]);
      }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  if (bounds.size() < 2) return;
  const size_t ns = bounds.size() - 1;
  std::vector<size_t> count(ns + 1, 0);
  auto each_cover = [&](auto fn) {
    for (size_t i = 0; i < nq; i++)
      for (int32_t j = range_offsets[i]; j < range_offsets[i + 1]; j++) {
        if (ranges[2 * j] >= ranges[2 * j + 1]) continue;
        const size_t lo = std::lower_bound(bounds.begin(), bounds.end(), ranges[2 * j]) - bounds.begin();
        const size_t hi = std::lower_bound(bounds.begin(), bounds.end(), ranges[2 * j + 1]) - bounds.begin();
        for (size_t s = lo; s < hi; s++) fn(s, i);
      }
  };
  each_cover([&](size_t s, size_t) { count[s + 1]++; });
  for (size_t s = 0; s < ns; s++) count[s + 1] += count[s];
  seg_queries->resize(count[ns]);
  std::vector<size_t> fill(count.begin(), count.end() - 1);
  each_cover([&](size_t s, size_t i) { (*seg_queries)[fill[s]++] = static_cast<int32_t>(i); });
  for (size_t s = 0; s < ns; s++)
    if (count[s + 1] > count[s])
      segs->push_back({static_cast<size_t>(bounds[s]), static_cast<size_t>(bounds[s + 1]), count[s], count[s + 1]});
}

// A part of a segment given to one worker.
struct Piece {
  size_t seg;
  size_t begin, end;
};

// Splits the segments into `workers` lists of pieces of about equal slots × queries.
std::vector<std::vector<Piece>> split_pieces(const std::vector<Segment>& segs, int workers) {
  std::vector<std::vector<Piece>> out(workers);
  double total = 0;
  for (const Segment& s : segs) total += static_cast<double>(s.end - s.begin) * (s.q1 - s.q0);
  const double per = total / workers;
  int w = 0;
  double room = per;  // weight worker w may still take
  for (size_t i = 0; i < segs.size(); i++) {
    const Segment& s = segs[i];
    const double nqs = static_cast<double>(s.q1 - s.q0);
    size_t b = s.begin;
    while (b < s.end) {
      size_t e = s.end;
      if (w < workers - 1) {
        const double fit = std::ceil(room / nqs);
        if (fit < static_cast<double>(s.end - b)) e = b + static_cast<size_t>(std::max(fit, 1.0));
      }
      out[w].push_back({i, b, e});
      room -= static_cast<double>(e - b) * nqs;
      b = e;
      if (room <= 0 && w < workers - 1) {
        w++;
        room += per;
      }
    }
  }
  return out;
}

}  // namespace

void decode_scan_ranges(const ZnSphereCodec& codec, const uint8_t* codes, size_t n, const uint8_t* removed,
                        const float* queries, size_t nq, const int32_t* ranges, const int32_t* range_offsets,
                        int k, int threads, float* out_dist, int32_t* out_slot, std::vector<int32_t>* tie_slots,
                        std::vector<int32_t>* tie_offsets, const int8_t* decoded) {
  const Rows src{codes, decoded};
  if (!start_scan(nq, k, tie_slots, tie_offsets)) return;
  const int dim = codec.dim();
  const int kk = hits_kept(k, n);
  const ScoreBlockFn score = kernels().decode_scan_score_block;
  std::vector<Segment> segs;
  std::vector<int32_t> seg_queries;
  if (kk > 0) build_segments(nq, ranges, range_offsets, &segs, &seg_queries);
  double weight = 0;
  for (const Segment& s : segs) weight += static_cast<double>(s.end - s.begin) * (s.q1 - s.q0);
  // Waking a pool helper costs microseconds: split work of at least a block per thread.
  // A small batch (the single query) is cut finer than the threads, so that the
  // caller takes over the parts of a helper that starts late (a busy core).
  threads = std::max(threads, 1);
  const int workers = weight >= static_cast<double>(threads) * kBlock ? threads : 1;
  const int parts = workers > 1 && nq <= kFinePartsBelow ? workers * kPartsPerWorker : workers;
  const auto plan = split_pieces(segs, parts);
  std::vector<TopKSet> sets;
  sets.reserve(parts);
  for (int t = 0; t < parts; t++) sets.emplace_back(nq, kk);
  parallel_chunks(static_cast<size_t>(parts), workers, [&](size_t w) {
    std::vector<float> qbuf;
    std::vector<TopK> heaps;
    Scratch scratch(codec);
    for (const Piece& p : plan[w]) {
      const Segment& s = segs[p.seg];
      const size_t m = s.q1 - s.q0;
      qbuf.resize(m * dim);
      heaps.resize(m);
      // The segment's queries and heaps side by side (swapped in and back out: a
      // TopK owns its tie list).
      for (size_t j = 0; j < m; j++) {
        const size_t qi = static_cast<size_t>(seg_queries[s.q0 + j]);
        std::memcpy(qbuf.data() + j * dim, queries + qi * dim, dim * sizeof(float));
        std::swap(heaps[j], sets[w][qi]);
      }
      scan_range(codec, src, p.begin, p.end, removed, qbuf.data(), m, heaps.data(), score, scratch);
      for (size_t j = 0; j < m; j++) std::swap(heaps[j], sets[w][static_cast<size_t>(seg_queries[s.q0 + j])]);
    }
  });
  merge_sets(sets, 0, nq);
  for (size_t i = 0; i < nq; i++) {
    emit_ties(sets[0][i], tie_slots, tie_offsets);
    sets[0][i].extract_sorted(out_dist + i * k, out_slot + i * k, k);
  }
}

}  // namespace spreadvec
