// k-means for the product quantizers (plain C++, no N-API).
// Assignment computes ||x||² + ||c||² − 2·x·c with sgemm (native/gemm.h) over blocks
// of points; update averages the points of each cluster; empty clusters are refilled
// by splitting the largest one (as Faiss does) so that all k centroids stay useful.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace spreadvec {

enum class KmeansInit { Random = 0, PlusPlus = 1, Given = 2 };  // Given: centroids hold the start

// Nearest centroid of each of n points. Point i starts at x + i*ldx (ldx ≥ d, so a
// sub-vector slice of wider rows can be assigned in place). Writes assign[n] and the
// squared distance dist2[n] (either may be null).
void nearest_centroids(const float* x, size_t n, int d, size_t ldx, const float* centroids, int k,
                       int32_t* assign, float* dist2, int threads);

// Lloyd's k-means on n points of dimension d (rows of stride ldx). Initializes the k
// centroids with `init` from a deterministic generator seeded by `seed`, then runs
// `niter` iterations. objective[i] (if non-null, niter+1 values) is the sum of squared
// distances to the nearest centroid before iteration i, the last after the final update.
// Requires n ≥ k. `spherical`: after each update every centroid is scaled to unit
// norm (spherical k-means, for points on the unit sphere: the nearest centroid is then
// the one of largest inner product); a zero centroid is left as it is.
void kmeans_train(const float* x, size_t n, int d, size_t ldx, int k, int niter, uint64_t seed,
                  KmeansInit init, float* centroids, double* objective, int threads, bool spherical = false);

}  // namespace spreadvec
