// The one top-k selection of the kernels (decode_scan, exact k-NN, PQ ADC search):
// per query, the k smallest (distance, slot) pairs, ties broken by the smaller slot,
// and beside them every other slot offered at the k-th distance (the "ties"), so that
// a caller who breaks ties by another key (the Index: by id) has all the candidates
// from one scan. Each query owns a bounded max-heap whose root is the worst pair kept, so a
// candidate is compared against one number (threshold()) in the hot loop and only
// the rare winners and ties pay for more. Scans split over threads keep one TopKSet
// per worker and merge them at the end (merge_sets).
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace spreadvec {

struct Hit {
  float dist;
  int64_t slot;
};

// Total order of hits: smaller distance first, then smaller slot.
inline bool hit_before(const Hit& a, const Hit& b) {
  return a.dist < b.dist || (a.dist == b.dist && a.slot < b.slot);
}

// Bounded max-heap (by hit_before) over caller-provided storage of k hits.
class TopK {
 public:
  TopK() = default;
  TopK(Hit* storage, int k) : h_(storage), k_(k), size_(0) {}

  int size() const { return size_; }
  int capacity() const { return k_; }
  // A candidate with dist > threshold() can neither enter nor tie. Scans that want
  // the ties (decode_scan) test `dist <= threshold()` before offer(); the others
  // (k-NN, PQ) test `dist < threshold()`, which is enough for the k places because
  // they visit slots in increasing order.
  float threshold() const {
    return size_ < k_ ? std::numeric_limits<float>::infinity() : h_[0].dist;
  }

  // Adds (dist, slot) if it belongs among the k best seen so far, or to the ties of
  // the k-th distance.
  void offer(float dist, int64_t slot) {
    Hit c{dist, slot};
    if (size_ < k_) {
      h_[size_++] = c;
      sift_up(size_ - 1);
    } else if (k_ > 0 && hit_before(c, h_[0])) {
      const Hit out = h_[0];
      h_[0] = c;
      sift_down(0);
      // The evicted hit ties with the new k-th; or the k-th distance went down, and
      // the ties kept so far are farther than it now.
      if (out.dist == h_[0].dist) {
        ties_.push_back(out.slot);
      } else {
        ties_.clear();
      }
    } else if (k_ > 0 && dist == h_[0].dist) {
      ties_.push_back(slot);
    }
  }

  // Slots offered at the k-th distance beyond the k kept (in no order).
  const std::vector<int64_t>& ties() const { return ties_; }

  // Writes the hits best first into dist[0..k) / slot[0..k); unused places get
  // +Infinity and -1. Destroys the heap order.
  template <typename SlotT>
  void extract_sorted(float* dist, SlotT* slot, int k_out) {
    std::sort(h_, h_ + size_, hit_before);
    for (int i = 0; i < k_out; i++) {
      if (i < size_) {
        dist[i] = h_[i].dist;
        slot[i] = static_cast<SlotT>(h_[i].slot);
      } else {
        dist[i] = std::numeric_limits<float>::infinity();
        slot[i] = static_cast<SlotT>(-1);
      }
    }
  }

  // Offers every hit and tie kept by `other` (merging the heaps of two workers).
  void absorb(const TopK& other) {
    for (const Hit& h : other) offer(h.dist, h.slot);
    // other's ties lie at its own k-th distance (its heap is full when it has any).
    for (int64_t s : other.ties()) offer(other.threshold(), s);
  }

  const Hit* begin() const { return h_; }
  const Hit* end() const { return h_ + size_; }

 private:
  void sift_up(int i) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (!hit_before(h_[p], h_[i])) break;
      std::swap(h_[p], h_[i]);
      i = p;
    }
  }
  void sift_down(int i) {
    for (;;) {
      int l = 2 * i + 1, r = l + 1, m = i;
      if (l < size_ && hit_before(h_[m], h_[l])) m = l;
      if (r < size_ && hit_before(h_[m], h_[r])) m = r;
      if (m == i) break;
      std::swap(h_[m], h_[i]);
      i = m;
    }
  }

  Hit* h_ = nullptr;
  int k_ = 0;
  int size_ = 0;
  std::vector<int64_t> ties_;
};

// One TopK per query over a single allocation.
class TopKSet {
 public:
  TopKSet(size_t nq, int k) : storage_(nq * static_cast<size_t>(k)), heaps_(nq) {
    for (size_t q = 0; q < nq; q++) heaps_[q] = TopK(storage_.data() + q * k, k);
  }
  TopK& operator[](size_t q) { return heaps_[q]; }
  TopK* data() { return heaps_.data(); }
  const TopK& operator[](size_t q) const { return heaps_[q]; }
  size_t size() const { return heaps_.size(); }

 private:
  std::vector<Hit> storage_;
  std::vector<TopK> heaps_;
};

// Merges the per-worker sets of a split scan into sets[0], for queries [q0, q1).
// Workers scan disjoint slot ranges, so the result is the top-k of the whole scan.
inline void merge_sets(std::vector<TopKSet>& sets, size_t q0, size_t q1) {
  for (size_t t = 1; t < sets.size(); t++)
    for (size_t q = q0; q < q1; q++) sets[0][q].absorb(sets[t][q]);
}

}  // namespace spreadvec
