#include "kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "gemm.h"
#include "parallel.h"

namespace spreadvec {

namespace {

// splitmix64: small, portable and reproducible across platforms (std:: distributions
// are not), so a seed gives the same centroids everywhere.
struct SplitMix64 {
  uint64_t s;
  explicit SplitMix64(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

float sqnorm(const float* v, int d) {
  float s = 0.f;
  for (int j = 0; j < d; j++) s += v[j] * v[j];
  return s;
}

float sqdist(const float* a, const float* b, int d) {
  float s = 0.f;
  for (int j = 0; j < d; j++) {
    float t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

void init_random(const float* x, size_t n, int d, size_t ldx, int k, SplitMix64& rng, float* c) {
  // Partial Fisher–Yates: k distinct points.
  std::vector<size_t> perm(n);
  for (size_t i = 0; i < n; i++) perm[i] = i;
  for (int j = 0; j < k; j++) {
    size_t r = j + rng.below(n - j);
    std::swap(perm[j], perm[r]);
    std::memcpy(c + size_t(j) * d, x + perm[j] * ldx, sizeof(float) * d);
  }
}

void init_plus_plus(const float* x, size_t n, int d, size_t ldx, int k, SplitMix64& rng, float* c,
                    int threads) {
  std::vector<float> best(n, std::numeric_limits<float>::infinity());
  size_t first = rng.below(n);
  std::memcpy(c, x + first * ldx, sizeof(float) * d);
  for (int j = 1; j < k; j++) {
    const float* last = c + size_t(j - 1) * d;
    std::vector<double> partial(std::max(threads, 1), 0.0);
    parallel_for(n, 4096, threads, [&](size_t b, size_t e, int t) {
      double s = 0;
      for (size_t i = b; i < e; i++) {
        float dd = sqdist(x + i * ldx, last, d);
        if (dd < best[i]) best[i] = dd;
        s += best[i];
      }
      partial[t] = s;
    });
    double total = 0;
    for (double p : partial) total += p;
    size_t pick = n - 1;
    if (total > 0) {
      double r = rng.uniform() * total, acc = 0;
      for (size_t i = 0; i < n; i++) {
        acc += best[i];
        if (acc > r) {
          pick = i;
          break;
        }
      }
    } else {
      pick = rng.below(n);  // all points coincide with chosen centroids
    }
    std::memcpy(c + size_t(j) * d, x + pick * ldx, sizeof(float) * d);
  }
}

}  // namespace

void nearest_centroids(const float* x, size_t n, int d, size_t ldx, const float* centroids, int k,
                       int32_t* assign, float* dist2, int threads) {
  // Centroids transposed to d×k so that sgemm streams contiguous rows of B.
  std::vector<float> ct(size_t(d) * k), cnorm(k);
  for (int j = 0; j < k; j++) {
    cnorm[j] = sqnorm(centroids + size_t(j) * d, d);
    for (int p = 0; p < d; p++) ct[size_t(p) * k + j] = centroids[size_t(j) * d + p];
  }
  const size_t block = 256;
  parallel_for(n, block, threads, [&](size_t b, size_t e, int) {
    std::vector<float> dots(block * k);
    for (size_t i0 = b; i0 < e; i0 += block) {
      int rows = static_cast<int>(std::min(block, e - i0));
      sgemm(false, false, rows, k, d, 1.f, x + i0 * ldx, static_cast<int>(ldx), ct.data(), k, 0.f,
            dots.data(), k);
      for (int r = 0; r < rows; r++) {
        const float* row = dots.data() + size_t(r) * k;
        int arg = 0;
        float bestv = cnorm[0] - 2.f * row[0];
        for (int j = 1; j < k; j++) {
          float v = cnorm[j] - 2.f * row[j];
          if (v < bestv) {
            bestv = v;
            arg = j;
          }
        }
        size_t i = i0 + r;
        if (assign) assign[i] = arg;
        if (dist2) {
          // Recompute exactly: the expanded form loses precision for close points.
          dist2[i] = sqdist(x + i * ldx, centroids + size_t(arg) * d, d);
        }
      }
    }
  });
}

void kmeans_train(const float* x, size_t n, int d, size_t ldx, int k, int niter, uint64_t seed,
                  KmeansInit init, float* c, double* objective, int threads, bool spherical) {
  SplitMix64 rng(seed);
  if (init == KmeansInit::PlusPlus) {
    init_plus_plus(x, n, d, ldx, k, rng, c, threads);
  } else if (init == KmeansInit::Random) {
    init_random(x, n, d, ldx, k, rng, c);
  }  // Given: warm start from the centroids passed in (OPQ's later iterations)
  std::vector<int32_t> assign(n);
  std::vector<float> dist2(n);
  int nt = std::max(threads, 1);
  std::vector<double> sums(size_t(nt) * k * d);
  std::vector<size_t> counts(size_t(nt) * k);
  std::vector<double> objp(nt);
  for (int it = 0; it <= niter; it++) {
    nearest_centroids(x, n, d, ldx, c, k, assign.data(), dist2.data(), threads);
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(objp.begin(), objp.end(), 0.0);
    parallel_for(n, 4096, nt, [&](size_t b, size_t e, int t) {
      double* s = sums.data() + size_t(t) * k * d;
      size_t* cnt = counts.data() + size_t(t) * k;
      double o = 0;
      for (size_t i = b; i < e; i++) {
        int a = assign[i];
        const float* xi = x + i * ldx;
        double* sa = s + size_t(a) * d;
        for (int p = 0; p < d; p++) sa[p] += xi[p];
        cnt[a]++;
        o += dist2[i];
      }
      objp[t] = o;
    });
    double obj = 0;
    for (double o : objp) obj += o;
    if (objective) objective[it] = obj;
    if (it == niter) break;
    // Reduce per-thread sums into slot 0, then divide.
    for (int t = 1; t < nt; t++) {
      for (size_t q = 0; q < size_t(k) * d; q++) sums[q] += sums[size_t(t) * k * d + q];
      for (int j = 0; j < k; j++) counts[j] += counts[size_t(t) * k + j];
    }
    for (int j = 0; j < k; j++) {
      if (counts[j] == 0) continue;
      for (int p = 0; p < d; p++) c[size_t(j) * d + p] = static_cast<float>(sums[size_t(j) * d + p] / counts[j]);
    }
    // Empty clusters: split a cluster chosen with probability ∝ its size (Faiss's rule),
    // moving the two halves apart by a tiny symmetric perturbation.
    for (int j = 0; j < k; j++) {
      if (counts[j] != 0) continue;
      size_t big = 0;
      for (;;) {
        big = rng.below(k);
        double p = (counts[big] - 1.0) / double(n - k);
        if (counts[big] > 1 && rng.uniform() < p) break;
      }
      float* cj = c + size_t(j) * d;
      float* cb = c + size_t(big) * d;
      std::memcpy(cj, cb, sizeof(float) * d);
      const float eps = 1.f / 1024;
      for (int p = 0; p < d; p++) {
        if (p % 2 == 0) {
          cj[p] *= 1 + eps;
          cb[p] *= 1 - eps;
        } else {
          cj[p] *= 1 - eps;
          cb[p] *= 1 + eps;
        }
      }
      counts[j] = counts[big] / 2;
      counts[big] -= counts[j];
    }
    if (spherical) {
      for (int j = 0; j < k; j++) {
        float* cj = c + size_t(j) * d;
        double s2 = 0;
        for (int p = 0; p < d; p++) s2 += double(cj[p]) * cj[p];
        if (s2 == 0) continue;
        const float inv = static_cast<float>(1 / std::sqrt(s2));
        for (int p = 0; p < d; p++) cj[p] *= inv;
      }
    }
  }
}

}  // namespace spreadvec
