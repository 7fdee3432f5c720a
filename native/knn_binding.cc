// Glue of the exact k-NN kernel (knn.h):
//   knnSearch(queries, base, dim, k, metric, threads) → Promise<[Int32Array, Float32Array]>
//   knnSearchSync(...same...)                         → [Int32Array, Float32Array]
// queries/base: Float32Array (nq×dim / nb×dim); metric: 'l2' | 'ip'; threads: see ThreadsArg.
// The async variant runs on a libuv worker on copies of its inputs (or on their
// memory in place when they live in a SharedArrayBuffer), so the caller may detach
// or change them meanwhile.
#include <cstdint>
#include <limits>
#include <string>

#include "async_job.h"
#include "bindings.h"
#include "knn.h"
#include "napi_args.h"

namespace spreadvec {

namespace {

struct KnnArgs {
  Napi::Float32Array queries, base;
  int64_t nq = 0, nb = 0;
  int dim = 0, k = 0, threads = 0;
  KnnMetric metric = KnnMetric::L2;
};

// Validates the arguments and fills `a`; throws ArgError on the first bad one.
void ParseArgs(const Napi::CallbackInfo& info, const std::string& fn, KnnArgs* a) {
  if (info.Length() < 4) TypeFail(fn, "expected (queries, base, dim, k[, metric, threads])");
  a->queries = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "queries");
  a->base = TypedArrayArg<Napi::Float32Array>(info, 1, fn, "base");
  a->dim = static_cast<int>(IntArg(info, 2, fn, "dim", 1, 1 << 20, IntBounds::kIntegerIn, "2^20"));
  a->k = static_cast<int>(IntArg(info, 3, fn, "k", 1, 1 << 20, IntBounds::kIntegerIn, "2^20"));
  if (a->queries.ElementLength() % a->dim != 0) {
    RangeFail(fn, "queries length " + std::to_string(a->queries.ElementLength()) + " is not a multiple of dim " +
                      std::to_string(a->dim));
  }
  if (a->base.ElementLength() % a->dim != 0) {
    RangeFail(fn, "base length " + std::to_string(a->base.ElementLength()) + " is not a multiple of dim " +
                      std::to_string(a->dim));
  }
  a->nq = static_cast<int64_t>(a->queries.ElementLength() / a->dim);
  a->nb = static_cast<int64_t>(a->base.ElementLength() / a->dim);
  if (a->nb > std::numeric_limits<int32_t>::max() - 1) RangeFail(fn, "base has more than 2^31-2 rows");
  if (info.Length() > 4 && !info[4].IsUndefined()) {
    if (!info[4].IsString()) TypeFail(fn, "metric must be 'l2' or 'ip'");
    std::string m = info[4].As<Napi::String>().Utf8Value();
    if (m == "l2") {
      a->metric = KnnMetric::L2;
    } else if (m == "ip") {
      a->metric = KnnMetric::IP;
    } else {
      RangeFail(fn, "metric must be 'l2' or 'ip', got '" + m + "'");
    }
  }
  a->threads = ThreadsArg(info, 5, fn);
}

Napi::Array Pair(Napi::Env env, Napi::Int32Array idx, Napi::Float32Array dist) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t(0), idx);
  out.Set(uint32_t(1), dist);
  return out;
}

// The search as a job (async_job.h): views of the inputs (Hold when async: copies,
// or shared memory in place) and the two outputs, allocated on the main thread and
// held by reference, which JS sees only once the job is done.
struct KnnJob {
  InputView<float> queries, base;
  int64_t nq = 0, nb = 0;
  int dim = 0, k = 0, threads = 0;
  KnnMetric metric = KnnMetric::L2;
  Napi::Reference<Napi::Int32Array> idx;
  Napi::Reference<Napi::Float32Array> dist;
  int32_t* idx_data = nullptr;  // their memory, taken on the main thread
  float* dist_data = nullptr;

  void run() { knn_search(queries.data(), nq, base.data(), nb, dim, k, metric, threads, idx_data, dist_data); }
  Napi::Value result(Napi::Env env) const { return Pair(env, idx.Value(), dist.Value()); }
};

Napi::Value KnnSearch(const Napi::CallbackInfo& info, const std::string& fn, bool async) {
  Napi::Env env = info.Env();
  KnnArgs a;
  ParseArgs(info, fn, &a);
  KnnJob job;
  job.queries = async ? InputView<float>::Hold(env, a.queries) : InputView<float>::Borrow(a.queries);
  job.base = async ? InputView<float>::Hold(env, a.base) : InputView<float>::Borrow(a.base);
  job.nq = a.nq;
  job.nb = a.nb;
  job.dim = a.dim;
  job.k = a.k;
  job.threads = a.threads;
  job.metric = a.metric;
  const size_t n = static_cast<size_t>(a.nq) * a.k;
  auto idx = Napi::Int32Array::New(env, n);
  auto dist = Napi::Float32Array::New(env, n);
  job.idx_data = idx.Data();
  job.dist_data = dist.Data();
  job.idx = Napi::Persistent(idx);
  job.dist = Napi::Persistent(dist);
  return RunJob(env, fn, async, std::move(job));
}

}  // namespace

void InitKnnBinding(Napi::Env env, Napi::Object exports) {
  ExportTwins(env, exports, "knnSearchSync", "knnSearch", KnnSearch);
}

}  // namespace spreadvec
