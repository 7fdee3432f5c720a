// Glue of the exact k-NN kernel (knn.h):
//   knnSearch(queries, base, dim, k, metric, threads) → Promise<[Int32Array, Float32Array]>
//   knnSearchSync(...same...)                         → [Int32Array, Float32Array]
// queries/base: Float32Array (nq×dim / nb×dim); metric: 'l2' | 'ip'; threads: 0 = default.
// The async variant runs on a libuv worker; the inputs must not be modified
// until its promise settles.
#include <cstdint>
#include <limits>
#include <string>

#include "bindings.h"
#include "knn.h"

namespace spreadvec {

namespace {

struct KnnArgs {
  Napi::Float32Array queries, base;
  int64_t nq = 0, nb = 0;
  int dim = 0, k = 0, threads = 0;
  KnnMetric metric = KnnMetric::L2;
};

bool Fail(Napi::Env env, bool range, const std::string& msg) {
  if (range) {
    Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
  } else {
    Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  }
  return false;
}

bool IsFloat32Array(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
}

bool ParseArgs(const Napi::CallbackInfo& info, const char* fn, KnnArgs* a) {
  Napi::Env env = info.Env();
  const std::string p = std::string(fn) + ": ";
  if (info.Length() < 4) return Fail(env, false, p + "expected (queries, base, dim, k[, metric, threads])");
  if (!IsFloat32Array(info[0])) return Fail(env, false, p + "queries must be a Float32Array");
  if (!IsFloat32Array(info[1])) return Fail(env, false, p + "base must be a Float32Array");
  if (!info[2].IsNumber()) return Fail(env, false, p + "dim must be a number");
  if (!info[3].IsNumber()) return Fail(env, false, p + "k must be a number");
  double dim = info[2].As<Napi::Number>().DoubleValue(), k = info[3].As<Napi::Number>().DoubleValue();
  if (!(dim >= 1 && dim <= 1 << 20 && dim == static_cast<int>(dim))) {
    return Fail(env, true, p + "dim must be an integer in [1, 2^20]");
  }
  if (!(k >= 1 && k <= 1 << 20 && k == static_cast<int>(k))) return Fail(env, true, p + "k must be an integer in [1, 2^20]");
  a->queries = info[0].As<Napi::Float32Array>();
  a->base = info[1].As<Napi::Float32Array>();
  a->dim = static_cast<int>(dim);
  a->k = static_cast<int>(k);
  if (a->queries.ElementLength() % a->dim != 0) {
    return Fail(env, true, p + "queries length " + std::to_string(a->queries.ElementLength()) +
                               " is not a multiple of dim " + std::to_string(a->dim));
  }
  if (a->base.ElementLength() % a->dim != 0) {
    return Fail(env, true, p + "base length " + std::to_string(a->base.ElementLength()) +
                               " is not a multiple of dim " + std::to_string(a->dim));
  }
  a->nq = static_cast<int64_t>(a->queries.ElementLength() / a->dim);
  a->nb = static_cast<int64_t>(a->base.ElementLength() / a->dim);
  if (a->nb > std::numeric_limits<int32_t>::max() - 1) return Fail(env, true, p + "base has more than 2^31-2 rows");
  if (info.Length() > 4 && !info[4].IsUndefined()) {
    if (!info[4].IsString()) return Fail(env, false, p + "metric must be 'l2' or 'ip'");
    std::string m = info[4].As<Napi::String>().Utf8Value();
    if (m == "l2") {
      a->metric = KnnMetric::L2;
    } else if (m == "ip") {
      a->metric = KnnMetric::IP;
    } else {
      return Fail(env, true, p + "metric must be 'l2' or 'ip', got '" + m + "'");
    }
  }
  if (info.Length() > 5 && !info[5].IsUndefined()) {
    if (!info[5].IsNumber()) return Fail(env, false, p + "threads must be a number");
    double t = info[5].As<Napi::Number>().DoubleValue();
    if (!(t >= 0 && t <= 1024 && t == static_cast<int>(t))) return Fail(env, true, p + "threads must be an integer in [0, 1024]");
    a->threads = static_cast<int>(t);
  }
  return true;
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
  if (!ParseArgs(info, "knnSearchSync", &a)) return env.Undefined();
  size_t n = static_cast<size_t>(a.nq) * a.k;
  auto idx = Napi::Int32Array::New(env, n);
  auto dist = Napi::Float32Array::New(env, n);
  knn_search(a.queries.Data(), a.nq, a.base.Data(), a.nb, a.dim, a.k, a.metric, a.threads, idx.Data(), dist.Data());
  return Pair(env, idx, dist);
}

// Holds references to the inputs and the pre-allocated outputs so that none is
// collected while the kernel runs on the worker thread.
class KnnWorker : public Napi::AsyncWorker {
 public:
  KnnWorker(Napi::Env env, const KnnArgs& a)
      : Napi::AsyncWorker(env, "spreadvec:knn"), deferred_(Napi::Promise::Deferred::New(env)), a_(a) {
    size_t n = static_cast<size_t>(a.nq) * a.k;
    auto idx = Napi::Int32Array::New(env, n);
    auto dist = Napi::Float32Array::New(env, n);
    idx_ = idx.Data();
    dist_ = dist.Data();
    Napi::Object held = Napi::Array::New(env, 4);
    refs_ = Napi::Persistent(held);
    refs_.Value().Set(uint32_t(0), a.queries);
    refs_.Value().Set(uint32_t(1), a.base);
    refs_.Value().Set(uint32_t(2), idx);
    refs_.Value().Set(uint32_t(3), dist);
    queries_ = a.queries.Data();
    base_ = a.base.Data();
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    knn_search(queries_, a_.nq, base_, a_.nb, a_.dim, a_.k, a_.metric, a_.threads, idx_, dist_);
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
  Napi::ObjectReference refs_;
  const float* queries_ = nullptr;
  const float* base_ = nullptr;
  int32_t* idx_ = nullptr;
  float* dist_ = nullptr;
};

Napi::Value KnnSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KnnArgs a;
  if (!ParseArgs(info, "knnSearch", &a)) return env.Undefined();
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
