// Fork-join helper shared by the kernels: split [0, n) into contiguous chunks run
// by the calling thread and a process-wide pool of helper threads.
//
// The helpers are started once and kept (a sub-millisecond single-query scan cannot
// pay tens of microseconds of thread creation per call), and they are shared by
// every caller: concurrent kernels on libuv's workers queue their chunks instead of
// each forking its own threads, so a process holds at most (largest `threads` asked
// − 1) helpers. A caller never waits for a helper to start: it runs every chunk no
// helper has claimed yet itself, and waits only for chunks already running. That
// also makes nested calls safe.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
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

namespace parallel_detail {

// One parallel_for call: chunks [0, chunks) claimed in order by the caller and by
// at most `helpers` pool threads at a time (so a call never runs on more than the
// `threads` it asked for, whatever the pool's size).
struct Job {
  const std::function<void(size_t)>* run;
  size_t chunks;
  int helpers = 0;  // most pool threads on this job at once
  int running = 0;  // pool threads on it now (under the pool's mutex)
  size_t next = 0;  // next chunk to claim (under the pool's mutex)
  size_t done = 0;  // chunks finished by helpers (under `m`)
  std::mutex m;
  std::condition_variable finished;
};

class Pool {
 public:
  static constexpr int kMaxHelpers = 255;

  // The process's pool (never destroyed: its threads are detached and simply end with
  // the process, so unloading or exiting never waits on them).
  static Pool& get() {
    static Pool* pool = new Pool();
    return *pool;
  }

  // Runs job->run(c) for every chunk, with up to `helpers` pool threads beside the caller.
  void run(Job* job, int helpers) {
    job->helpers = std::min(helpers, kMaxHelpers);
    {
      std::lock_guard<std::mutex> lock(m_);
      grow(job->helpers);
      queue_.push_back(job);
      pending_.store(queue_.size(), std::memory_order_relaxed);
    }
    wake_.notify_all();
    size_t mine = 0;
    for (;;) {
      size_t c;
      {
        std::lock_guard<std::mutex> lock(m_);
        if (job->next >= job->chunks) break;  // all claimed (and the job off the queue)
        c = job->next++;
        if (job->next >= job->chunks) {
          queue_.erase(std::find(queue_.begin(), queue_.end(), job));
          pending_.store(queue_.size(), std::memory_order_relaxed);
        }
      }
      (*job->run)(c);
      mine++;
    }
    std::unique_lock<std::mutex> lock(job->m);
    job->finished.wait(lock, [&] { return job->done + mine == job->chunks; });
  }

 private:
  void grow(int want) {
    for (; started_ < want; started_++) std::thread([this] { loop(); }).detach();
  }

  void loop() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      if (queue_.empty()) {
        // Poll briefly before sleeping: a burst of small kernels (single queries one
        // after another) then finds the helper awake instead of paying a wake-up each.
        lock.unlock();
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
        while (pending_.load(std::memory_order_relaxed) == 0 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
        lock.lock();
      }
      Job* job = nullptr;
      wake_.wait(lock, [&] { return (job = claimable()) != nullptr; });
      // A queued job always has a chunk left: whoever claims its last one dequeues it.
      const size_t c = job->next++;
      job->running++;
      if (job->next >= job->chunks) {
        queue_.erase(std::find(queue_.begin(), queue_.end(), job));
        pending_.store(queue_.size(), std::memory_order_relaxed);
      }
      lock.unlock();
      (*job->run)(c);
      lock.lock();
      job->running--;
      // A place freed on a job with chunks left: another helper may take it.
      if (job->next < job->chunks) wake_.notify_one();
      lock.unlock();
      {
        std::lock_guard<std::mutex> jl(job->m);
        job->done++;
        job->finished.notify_one();  // under the lock: the caller cannot free the job before we let go
      }
      lock.lock();
    }
  }

  // The first queued job below its helper limit (under m_), or null.
  Job* claimable() {
    for (Job* j : queue_)
      if (j->running < j->helpers) return j;
    return nullptr;
  }

  std::mutex m_;
  std::condition_variable wake_;
  std::deque<Job*> queue_;
  std::atomic<size_t> pending_{0};  // queue_.size(), readable without the mutex
  int started_ = 0;
  static constexpr int kSpinMicros = 200;
};

}  // namespace parallel_detail

// Runs fn(c) for c in [0, chunks) with up to `threads` threads (the caller and
// threads − 1 pool helpers); returns when all have finished.
inline void parallel_chunks(size_t chunks, int threads, const std::function<void(size_t)>& fn) {
  if (chunks == 0) return;
  if (chunks == 1 || threads <= 1) {
    for (size_t c = 0; c < chunks; c++) fn(c);
    return;
  }
  parallel_detail::Job job;
  job.run = &fn;
  job.chunks = chunks;
  parallel_detail::Pool::get().run(&job, static_cast<int>(std::min<size_t>(chunks, static_cast<size_t>(threads))) - 1);
}

// Calls fn(begin, end, worker) on disjoint chunks covering [0, n); chunk bounds are
// multiples of `grain` (except the last), and `worker` numbers the chunks 0.. (at
// most `threads` of them), so per-worker state indexed by it is never shared. Runs
// inline when one chunk suffices.
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
  const std::function<void(size_t)> chunk = [&](size_t t) {
    size_t b = std::min(n, t * per * grain), e = std::min(n, (t + 1) * per * grain);
    if (b < e) fn(b, e, static_cast<int>(t));
  };
  parallel_chunks(nt, static_cast<int>(nt), chunk);
}

}  // namespace spreadvec
