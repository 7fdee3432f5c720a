// Minimal fork-join helper shared by the kernels: split [0, n) into contiguous
// chunks over worker threads. Threads are created per call: kernels call it for
// work of milliseconds or more, where the creation cost does not matter.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <thread>
#include <vector>

namespace spreadvec {

// Threads to use: SPREADVEC_THREADS if set (≥1), else the hardware count.
inline int default_threads() {
  if (const char* env = std::getenv("SPREADVEC_THREADS")) {
    int t = std::atoi(env);
    if (t >= 1) return t;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

// Calls fn(begin, end, worker) on disjoint chunks covering [0, n); chunk bounds are
// multiples of `grain` (except the last). Runs inline when one chunk suffices.
template <typename Fn>
void parallel_for(size_t n, size_t grain, int threads, Fn fn) {
  if (n == 0) return;
  grain = std::max<size_t>(grain, 1);
  size_t blocks = (n + grain - 1) / grain;
  size_t nt = std::min<size_t>(threads < 1 ? 1 : threads, blocks);
  if (nt <= 1) {
    fn(size_t(0), n, 0);
    return;
  }
  size_t per = (blocks + nt - 1) / nt;
  std::vector<std::thread> pool;
  for (size_t t = 1; t < nt; t++) {
    size_t b = std::min(n, t * per * grain), e = std::min(n, (t + 1) * per * grain);
    if (b < e) pool.emplace_back([=, &fn] { fn(b, e, static_cast<int>(t)); });
  }
  fn(size_t(0), std::min(n, per * grain), 0);
  for (auto& th : pool) th.join();
}

}  // namespace spreadvec
