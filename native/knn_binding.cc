// Glue of the exact k-NN kernel (knn.h):
//   knnSearch(queries, base, dim, k, metric, threads) → Promise<[Int32Array, Float32Array]>
//   knnSearchSync(...same...)                         → [Int32Array, Float32Array]
// queries/base: Float32Array (nq×dim / nb×dim); metric: 'l2' | 'ip'; threads: 0 = default.
// The async variant runs on a libuv worker on copies of its inputs (or on their
// memory in place when they live in a SharedArrayBuffer), so the caller may detach
// or change them meanwhile.
#include <cstdint>
#include <limits>
#include <string>

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
  a->threads = ThreadsArg(info, 5, fn, /*zero_is_default=*/true);
}

Napi::Array Pair(Napi::Env env, Napi::Int32Array idx, Napi::Float32Array dist) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t(0), idx);
  out.Set(uint32_t(1), dist);
  return out;
}

Napi::Value KnnSearchSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KnnArgs a;
  try {
    ParseArgs(info, "knnSearchSync", &a);
  } catch (const ArgError& e) {
    return ThrowJs(env, e);
  }
  size_t n = static_cast<size_t>(a.nq) * a.k;
  auto idx = Napi::Int32Array::New(env, n);
  auto dist = Napi::Float32Array::New(env, n);
  knn_search(a.queries.Data(), a.nq, a.base.Data(), a.nb, a.dim, a.k, a.metric, a.threads, idx.Data(), dist.Data());
  return Pair(env, idx, dist);
}

// Holds the inputs (InputView: copies, or shared memory) and references to the
// outputs, which it allocates and JS sees only once the promise resolves.
class KnnWorker : public Napi::AsyncWorker {
 public:
  KnnWorker(Napi::Env env, const KnnArgs& a)
      : Napi::AsyncWorker(env, "spreadvec:knn"), deferred_(Napi::Promise::Deferred::New(env)), a_(a),
        queries_(InputView<float>::Hold(env, a.queries)), base_(InputView<float>::Hold(env, a.base)) {
    size_t n = static_cast<size_t>(a.nq) * a.k;
    auto idx = Napi::Int32Array::New(env, n);
    auto dist = Napi::Float32Array::New(env, n);
    idx_ = idx.Data();
    dist_ = dist.Data();
    Napi::Object held = Napi::Array::New(env, 4);
    refs_ = Napi::Persistent(held);
    refs_.Value().Set(uint32_t(2), idx);
    refs_.Value().Set(uint32_t(3), dist);
    a_.queries = Napi::Float32Array();  // the views above replace the JS arrays
    a_.base = Napi::Float32Array();
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    knn_search(queries_.data(), a_.nq, base_.data(), a_.nb, a_.dim, a_.k, a_.metric, a_.threads, idx_, dist_);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object r = refs_.Value();
    deferred_.Resolve(Pair(env, r.Get(uint32_t(2)).As<Napi::Int32Array>(), r.Get(uint32_t(3)).As<Napi::Float32Array>()));
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  KnnArgs a_;
  InputView<float> queries_, base_;
  Napi::ObjectReference refs_;
  int32_t* idx_ = nullptr;
  float* dist_ = nullptr;
};

Napi::Value KnnSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KnnArgs a;
  try {
    ParseArgs(info, "knnSearch", &a);
  } catch (const ArgError& e) {
    return ThrowJs(env, e);
  }
  auto* w = new KnnWorker(env, a);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void InitKnnBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("knnSearch", Napi::Function::New(env, KnnSearch));
  exports.Set("knnSearchSync", Napi::Function::New(env, KnnSearchSync));
}

}  // namespace spreadvec
