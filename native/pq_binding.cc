// Glue for the k-means and product-quantizer kernels (kmeans.h, pq.h): argument
// checks that name the bad argument, then the kernel as a job (async_job.h), on the
// calling thread or off the main thread (Promise). Output arrays are allocated on the main
// thread before the work starts (JS sees them only once the work is done); the async
// calls read copies of their inputs, or their memory in place when it is a
// SharedArrayBuffer (InputView in napi_args.h), so that a caller who detaches an
// input meanwhile never makes a kernel read freed memory.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "async_job.h"
#include "bindings.h"
#include "gemm.h"
#include "kmeans.h"
#include "napi_args.h"
#include "parallel.h"
#include "pq.h"

namespace spreadvec {

namespace {

// Rows of `dim` values in an array of `len` values.
size_t rows_of(size_t len, int64_t dim, const std::string& fn, const char* name) {
  if (len % dim != 0) {
    RangeFail(fn, std::string(name) + " has " + std::to_string(len) + " values, not a multiple of " +
                      std::to_string(dim));
  }
  return len / dim;
}

struct PqShape {
  int64_t d, M;
  Napi::Float32Array codebooks;
};

// Arguments 1-3 of pqEncode, pqDecode and pqComputeLuts: d, M dividing d, and the
// M×256×(d/M) codebooks.
PqShape pq_shape_args(const Napi::CallbackInfo& info, const std::string& fn) {
  int64_t d = IntArg(info, 1, fn, "d", 1, 1 << 20);
  int64_t M = IntArg(info, 2, fn, "M", 1, d);
  if (d % M != 0) RangeFail(fn, "d (" + std::to_string(d) + ") must be a multiple of M (" + std::to_string(M) + ")");
  auto cb = TypedArrayArg<Napi::Float32Array>(info, 3, fn, "codebooks");
  size_t want = size_t(kPqKsub) * d;
  if (cb.ElementLength() != want) {
    RangeFail(fn, "codebooks must hold M×256×(d/M) = " + std::to_string(want) + " values, got " +
                      std::to_string(cb.ElementLength()));
  }
  return {d, M, cb};
}

// An output array of a kernel and the name it has in the result object ("" for a
// result that is the array itself).
struct Output {
  const char* name;
  Napi::Value array;
};

// The job of every kernel here (async_job.h): `work` writes into output arrays
// allocated on the main thread before it runs, which the job holds by reference
// (napi_value handles do not outlive the call that made them: only references do);
// the result is the one unnamed output, or an object of the named ones.
struct PqJob {
  std::function<void()> work;
  std::vector<const char*> names;
  std::vector<Napi::ObjectReference> outputs;

  PqJob(const std::vector<Output>& outs, std::function<void()> w) : work(std::move(w)) {
    for (const Output& o : outs) {
      names.push_back(o.name);
      outputs.push_back(Napi::Persistent(o.array.As<Napi::Object>()));
    }
  }
  void run() { work(); }
  Napi::Value result(Napi::Env env) const {
    if (outputs.size() == 1 && names[0][0] == '\0') return outputs[0].Value();
    Napi::Object out = Napi::Object::New(env);
    for (size_t i = 0; i < outputs.size(); i++) out.Set(names[i], outputs[i].Value());
    return out;
  }
};

// The view a kernel reads of input `a`: borrowed for a synchronous call, held for an
// asynchronous one (shared, so that the work lambda can be copied).
template <class T>
std::shared_ptr<const InputView<T>> input(Napi::Env env, bool async, const Napi::TypedArrayOf<T>& a) {
  return std::make_shared<const InputView<T>>(async ? InputView<T>::Hold(env, a) : InputView<T>::Borrow(a));
}

Napi::Value run(Napi::Env env, const std::string& fn, bool async, const std::vector<Output>& outputs,
                std::function<void()> work) {
  return RunJob(env, fn, async, PqJob(outputs, std::move(work)));
}

// kmeansTrain(x, d, k, niter, seed, init: 'random' | 'kmeans++' | Float32Array k×d, threads?, spherical?)
//   → Promise<{centroids: Float32Array k×d, objective: Float64Array niter+1}>
Napi::Value KmeansTrain(const Napi::CallbackInfo& info) {
  const std::string fn = "kmeansTrain";
  const bool async = true;
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto x = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "x");
    int64_t d = IntArg(info, 1, fn, "d", 1, 1 << 20);
    int64_t k = IntArg(info, 2, fn, "k", 1, INT32_MAX);
    int64_t niter = IntArg(info, 3, fn, "niter", 0, 100000);
    int64_t seed = IntArg(info, 4, fn, "seed", 0, INT32_MAX);
    if (info.Length() <= 5 || !(info[5].IsString() || info[5].IsTypedArray())) {
      TypeFail(fn, "init must be 'random', 'kmeans++' or a Float32Array of k×d centroids");
    }
    std::string init_name = info[5].IsString() ? info[5].As<Napi::String>().Utf8Value() : "given";
    KmeansInit init;
    if (init_name == "given") {
      auto start = TypedArrayArg<Napi::Float32Array>(info, 5, fn, "init");
      if (start.ElementLength() != size_t(k) * d) RangeFail(fn, "init must hold k×d values");
      init = KmeansInit::Given;
    } else if (init_name == "random") {
      init = KmeansInit::Random;
    } else if (init_name == "kmeans++") {
      init = KmeansInit::PlusPlus;
    } else {
      RangeFail(fn, "init must be 'random' or 'kmeans++', got '" + init_name + "'");
    }
    int threads = ThreadsArg(info, 6, fn);
    bool spherical = false;
    if (info.Length() > 7 && !info[7].IsUndefined()) {
      if (!info[7].IsBoolean()) TypeFail(fn, "spherical must be a boolean");
      spherical = info[7].As<Napi::Boolean>().Value();
    }
    size_t n = rows_of(x.ElementLength(), d, fn, "x");
    if (n < size_t(k)) RangeFail(fn, "x has " + std::to_string(n) + " points, fewer than k = " + std::to_string(k));
    auto centroids = Napi::Float32Array::New(env, size_t(k) * d);
    auto objective = Napi::Float64Array::New(env, size_t(niter) + 1);
    if (init == KmeansInit::Given) {
      auto start = info[5].As<Napi::Float32Array>();
      std::copy(start.Data(), start.Data() + start.ElementLength(), centroids.Data());
    }
    auto xv = input(env, async, x);
    float* cp = centroids.Data();
    double* op = objective.Data();
    return run(
        env, fn, async, {{"centroids", centroids}, {"objective", objective}},
        [=] { kmeans_train(xv->data(), n, int(d), size_t(d), int(k), int(niter), uint64_t(seed), init, cp, op, threads, spherical); });
  });
}

// kmeansAssign(x, d, centroids, threads?) → {assign: Int32Array, dist2: Float32Array}
Napi::Value KmeansAssign(const Napi::CallbackInfo& info) {
  const std::string fn = "kmeansAssign";
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto x = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "x");
    int64_t d = IntArg(info, 1, fn, "d", 1, 1 << 20);
    auto c = TypedArrayArg<Napi::Float32Array>(info, 2, fn, "centroids");
    int threads = ThreadsArg(info, 3, fn);
    size_t n = rows_of(x.ElementLength(), d, fn, "x");
    size_t k = rows_of(c.ElementLength(), d, fn, "centroids");
    if (k == 0) RangeFail(fn, "centroids is empty");
    auto assign = Napi::Int32Array::New(env, n);
    auto dist2 = Napi::Float32Array::New(env, n);
    nearest_centroids(x.Data(), n, int(d), size_t(d), c.Data(), int(k), assign.Data(), dist2.Data(), threads);
    auto out = Napi::Object::New(env);
    out.Set("assign", assign);
    out.Set("dist2", dist2);
    return out;
  });
}

// pqEncode(x, d, M, codebooks, threads?) → Uint8Array n×M
Napi::Value PqEncode(const Napi::CallbackInfo& info, const std::string& fn, bool async) {
  Napi::Env env = info.Env();
  auto x = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "x");
  const PqShape shape = pq_shape_args(info, fn);
  const int64_t d = shape.d, M = shape.M;
  const Napi::Float32Array cb = shape.codebooks;
  int threads = ThreadsArg(info, 4, fn);
  size_t n = rows_of(x.ElementLength(), d, fn, "x");
  auto codes = Napi::Uint8Array::New(env, n * M);
  auto xv = input(env, async, x);
  auto cbv = input(env, async, cb);
  uint8_t* out = codes.Data();
  return run(
      env, fn, async, {{"", codes}}, [=] { pq_encode(xv->data(), n, int(d), int(M), cbv->data(), out, threads); });
}

// pqDecode(codes, d, M, codebooks) → Float32Array n×d
Napi::Value PqDecode(const Napi::CallbackInfo& info) {
  const std::string fn = "pqDecode";
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto codes = TypedArrayArg<Napi::Uint8Array>(info, 0, fn, "codes");
    const PqShape shape = pq_shape_args(info, fn);
    const int64_t d = shape.d, M = shape.M;
    const Napi::Float32Array cb = shape.codebooks;
    size_t n = rows_of(codes.ElementLength(), M, fn, "codes");
    auto x = Napi::Float32Array::New(env, n * d);
    pq_decode(codes.Data(), n, int(d), int(M), cb.Data(), x.Data());
    return x;
  });
}

// pqComputeLuts(queries, d, M, codebooks, threads?) → Float32Array nq×M×256
Napi::Value PqComputeLuts(const Napi::CallbackInfo& info) {
  const std::string fn = "pqComputeLuts";
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto q = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "queries");
    const PqShape shape = pq_shape_args(info, fn);
    const int64_t d = shape.d, M = shape.M;
    const Napi::Float32Array cb = shape.codebooks;
    int threads = ThreadsArg(info, 4, fn);
    size_t nq = rows_of(q.ElementLength(), d, fn, "queries");
    auto luts = Napi::Float32Array::New(env, nq * M * kPqKsub);
    pq_compute_luts(q.Data(), nq, int(d), int(M), cb.Data(), luts.Data(), threads);
    return luts;
  });
}

// pqAdcSearch(luts, M, codes, k, threads?) → {ids: Int32Array nq×k, distances: Float32Array nq×k}
Napi::Value PqAdcSearch(const Napi::CallbackInfo& info, const std::string& fn, bool async) {
  Napi::Env env = info.Env();
  auto luts = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "luts");
  int64_t M = IntArg(info, 1, fn, "M", 1, 1 << 16);
  auto codes = TypedArrayArg<Napi::Uint8Array>(info, 2, fn, "codes");
  int64_t k = IntArg(info, 3, fn, "k", 1, 1 << 20);
  int threads = ThreadsArg(info, 4, fn);
  size_t nq = rows_of(luts.ElementLength(), M * kPqKsub, fn, "luts");
  size_t n = rows_of(codes.ElementLength(), M, fn, "codes");
  if (n > size_t(INT32_MAX)) RangeFail(fn, "codes holds more than 2^31-1 vectors");
  auto ids = Napi::Int32Array::New(env, nq * k);
  auto dist = Napi::Float32Array::New(env, nq * k);
  auto lv = input(env, async, luts);
  auto cv = input(env, async, codes);
  int32_t* ip = ids.Data();
  float* dp = dist.Data();
  return run(
      env, fn, async, {{"ids", ids}, {"distances", dist}},
      [=] { pq_adc_search(lv->data(), nq, int(M), cv->data(), n, int(k), ip, dp, threads); });
}

// pqMatmul(a, b, m, n, kdim, transB?) → Promise<Float32Array m×n> = a[m×kdim] · op(b),
// op(b) = b (kdim×n) or bᵀ (b stored n×kdim). Used for OPQ's rotations of large sets.
Napi::Value PqMatmul(const Napi::CallbackInfo& info) {
  const std::string fn = "pqMatmul";
  const bool async = true;
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto a = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "a");
    auto b = TypedArrayArg<Napi::Float32Array>(info, 1, fn, "b");
    int64_t m = IntArg(info, 2, fn, "m", 0, INT32_MAX);
    int64_t n = IntArg(info, 3, fn, "n", 1, INT32_MAX);
    int64_t kd = IntArg(info, 4, fn, "kdim", 1, INT32_MAX);
    bool transB = info.Length() > 5 && info[5].ToBoolean().Value();
    if (a.ElementLength() != size_t(m) * kd) RangeFail(fn, "a must hold m×kdim values");
    if (b.ElementLength() != size_t(kd) * n) RangeFail(fn, "b must hold kdim×n values");
    auto c = Napi::Float32Array::New(env, size_t(m) * n);
    auto av = input(env, async, a);
    auto bv = input(env, async, b);
    float* cp = c.Data();
    int threads = default_threads();
    return run(
        env, fn, async, {{"", c}},
        [=] {
          const float* ap = av->data();
          const float* bp = bv->data();
          // Row blocks in parallel: sgemm itself may or may not be threaded.
          parallel_for(size_t(m), 1024, threads, [&](size_t r0, size_t r1, int) {
            sgemm(false, transB, int(r1 - r0), int(n), int(kd), 1.f, ap + r0 * kd, int(kd), bp,
                  transB ? int(kd) : int(n), 0.f, cp + r0 * n, int(n));
          });
        });
  });
}

}  // namespace

void InitPqBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("kmeansTrain", Napi::Function::New(env, KmeansTrain));
  exports.Set("kmeansAssign", Napi::Function::New(env, KmeansAssign));
  ExportTwins(env, exports, "pqEncodeSync", "pqEncode", PqEncode);
  exports.Set("pqDecode", Napi::Function::New(env, PqDecode));
  exports.Set("pqComputeLuts", Napi::Function::New(env, PqComputeLuts));
  ExportTwins(env, exports, "pqAdcSearchSync", "pqAdcSearch", PqAdcSearch);
  exports.Set("pqMatmul", Napi::Function::New(env, PqMatmul));
}

}  // namespace spreadvec
