// Glue for the catalyzer trainer (mlp.h) and the shared sgemm (exposed so that
// tests and benchmarks can compare it with sgemm_reference).
#include <napi.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "async_job.h"
#include "bindings.h"
#include "gemm.h"
#include "mlp.h"
#include "knn.h"
#include "napi_args.h"
#include "parallel.h"

namespace spreadvec {

namespace {

// The trainer's argument messages name the argument only ("m must be >= 0"), so
// the helpers get an empty function name; other messages carry their own prefix.
const std::string kNoFn;

Napi::Object StatsObject(Napi::Env env, const MlpStepStats& st) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("loss", st.loss);
  o.Set("triplet", st.triplet);
  o.Set("uniform", st.uniform);
  o.Set("offending", static_cast<double>(st.offending));
  return o;
}

// sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc[, threads]):
// with threads (ThreadsArg), the product split over them (sgemm_threads)
Napi::Value Sgemm(const Napi::CallbackInfo& info, bool reference) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 13 || !info[0].IsBoolean() || !info[1].IsBoolean()) {
      TypeFail(kNoFn, "sgemm: transA and transB must be booleans");
    }
    bool ta = info[0].As<Napi::Boolean>(), tb = info[1].As<Napi::Boolean>();
    int64_t m = IntAtLeastArg(info, 2, kNoFn, "m", 0);
    int64_t n = IntAtLeastArg(info, 3, kNoFn, "n", 0);
    int64_t k = IntAtLeastArg(info, 4, kNoFn, "k", 0);
    double alpha = NumberArg(info, 5, kNoFn, "alpha");
    auto a = TypedArrayArg<Napi::Float32Array>(info, 6, kNoFn, "a");
    int64_t lda = IntAtLeastArg(info, 7, kNoFn, "lda", 1);
    auto b = TypedArrayArg<Napi::Float32Array>(info, 8, kNoFn, "b");
    int64_t ldb = IntAtLeastArg(info, 9, kNoFn, "ldb", 1);
    double beta = NumberArg(info, 10, kNoFn, "beta");
    auto c = TypedArrayArg<Napi::Float32Array>(info, 11, kNoFn, "c");
    int64_t ldc = IntAtLeastArg(info, 12, kNoFn, "ldc", 1);
    // Storage extents: op(A) is m×k (A stored k×m when transposed), op(B) is k×n.
    int64_t arows = ta ? k : m, acols = ta ? m : k, brows = tb ? n : k, bcols = tb ? k : n;
    auto fits = [](int64_t rows, int64_t cols, int64_t ld, size_t len) {
      return ld >= cols && (rows == 0 || (rows - 1) * ld + cols <= static_cast<int64_t>(len));
    };
    if (!fits(arows, acols, lda, a.ElementLength())) RangeFail(kNoFn, "sgemm: a is too short for its shape and lda");
    if (!fits(brows, bcols, ldb, b.ElementLength())) RangeFail(kNoFn, "sgemm: b is too short for its shape and ldb");
    if (!fits(m, n, ldc, c.ElementLength())) RangeFail(kNoFn, "sgemm: c is too short for its shape and ldc");
    if (!reference && info.Length() > 13) {
      sgemm_threads(ThreadsArg(info, 13, kNoFn), ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
                    static_cast<float>(alpha), a.Data(), static_cast<int>(lda), b.Data(), static_cast<int>(ldb),
                    static_cast<float>(beta), c.Data(), static_cast<int>(ldc));
      return env.Undefined();
    }
    auto fn = reference ? sgemm_reference : sgemm;
    fn(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), static_cast<float>(alpha), a.Data(),
       static_cast<int>(lda), b.Data(), static_cast<int>(ldb), static_cast<float>(beta), c.Data(),
       static_cast<int>(ldc));
    return env.Undefined();
  });
}

// tripletKoleoLoss(f: Float32Array 3n×d, n, d, lambda) → stats & {grad}
Napi::Value TripletKoleoLoss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto f = TypedArrayArg<Napi::Float32Array>(info, 0, kNoFn, "f");
    int64_t n = IntAtLeastArg(info, 1, kNoFn, "n", 2);
    int64_t d = IntAtLeastArg(info, 2, kNoFn, "d", 1);
    double lambda = NumberArg(info, 3, kNoFn, "lambda");
    if (static_cast<int64_t>(f.ElementLength()) != 3 * n * d) {
      RangeFail(kNoFn, "tripletKoleoLoss: f must hold 3·n·d values");
    }
    Napi::Float32Array grad = Napi::Float32Array::New(env, f.ElementLength());
    MlpStepStats st = triplet_koleo_loss(f.Data(), static_cast<int>(n), static_cast<int>(d),
                                         static_cast<float>(lambda), grad.Data());
    Napi::Object o = StatsObject(env, st);
    o.Set("grad", grad);
    return o;
  });
}

// Exact L2 k-NN off the main thread (hard negatives; see knn.h), as a job (async_job.h).
struct KnnL2Job {
  InputView<float> q, b;  // copies, or shared memory (see napi_args.h)
  int64_t nq = 0, nb = 0;
  int d = 0, k = 0, threads = 1;
  std::vector<int32_t> out;

  void run() {
    out.resize(static_cast<size_t>(nq) * k);
    knn_l2_topk(q.data(), nq, b.data(), nb, d, k, out.data(), threads);
  }
  Napi::Value result(Napi::Env env) const {
    Napi::Int32Array o = Napi::Int32Array::New(env, out.size());
    std::copy(out.begin(), out.end(), o.Data());
    return o;
  }
};

// knnL2(q, b, d, k[, threads]) → Promise<Int32Array nq×k>
Napi::Value KnnL2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto q = TypedArrayArg<Napi::Float32Array>(info, 0, kNoFn, "queries");
    auto b = TypedArrayArg<Napi::Float32Array>(info, 1, kNoFn, "base");
    int64_t d = IntAtLeastArg(info, 2, kNoFn, "d", 1);
    int64_t k = IntAtLeastArg(info, 3, kNoFn, "k", 1);
    const int threads = ThreadsArg(info, 4, kNoFn);
    if (q.ElementLength() % d != 0 || b.ElementLength() % d != 0) {
      RangeFail(kNoFn, "knnL2: queries and base must hold rows of d values");
    }
    if (static_cast<size_t>(k) > b.ElementLength() / d) RangeFail(kNoFn, "knnL2: k exceeds the number of base rows");
    KnnL2Job job;
    job.q = InputView<float>::Hold(env, q);
    job.b = InputView<float>::Hold(env, b);
    job.nq = static_cast<int64_t>(q.ElementLength() / d);
    job.nb = static_cast<int64_t>(b.ElementLength() / d);
    job.d = static_cast<int>(d);
    job.k = static_cast<int>(k);
    job.threads = static_cast<int>(threads);
    return QueueJob(env, "knnL2", std::move(job));
  });
}

class MlpTrainerWrap;

// A run of SGD steps (consecutive batches of a permutation) off the main thread, as a
// job (async_job.h). The trainer is busy (refuses other calls) until it settles.
struct TrainJob {
  MlpTrainerWrap* owner = nullptr;
  Napi::ObjectReference self;  // keeps the trainer alive while the job runs
  InputView<float> x;
  InputView<int32_t> a, p, n;  // private copies: the kernel indexes x with them
  int batch = 0;
  float lr = 0, momentum = 0, lambda = 0;
  MlpStepStats sum;
  int batches = 0;

  void run();
  Napi::Value result(Napi::Env env) const;
  void settled();
};

// recompute_batchnorm off the main thread, as a job (async_job.h).
struct BatchnormJob {
  MlpTrainerWrap* owner = nullptr;
  Napi::ObjectReference self;
  InputView<float> x;
  InputView<int32_t> order;  // a private copy: the kernel indexes x with it
  int batch = 0;

  void run();
  Napi::Value result(Napi::Env env) const { return env.Undefined(); }
  void settled();
};

// The trainer's forward pass off the main thread, as a job (async_job.h).
struct EvalJob {
  MlpTrainerWrap* owner = nullptr;
  Napi::ObjectReference self;
  InputView<float> x;
  int64_t rows = 0;
  int threads = 1;
  std::vector<float> out;

  void run();
  Napi::Value result(Napi::Env env) const;
  void settled();
};

class MlpTrainerWrap : public Napi::ObjectWrap<MlpTrainerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MlpTrainer",
                       {InstanceMethod("getParam", &MlpTrainerWrap::GetParam),
                        InstanceMethod("setParam", &MlpTrainerWrap::SetParam),
                        InstanceMethod("getNumBatchesTracked", &MlpTrainerWrap::GetNbt),
                        InstanceMethod("setNumBatchesTracked", &MlpTrainerWrap::SetNbt),
                        InstanceMethod("resetMomentum", &MlpTrainerWrap::ResetMomentum),
                        InstanceMethod("setStraightThrough", &MlpTrainerWrap::SetStraightThrough),
                        InstanceMethod("setThreads", &MlpTrainerWrap::SetThreads),
                        InstanceMethod("step", &MlpTrainerWrap::Step),
                        InstanceMethod("trainBatches", &MlpTrainerWrap::TrainBatches),
                        InstanceMethod("recomputeBatchnorm", &MlpTrainerWrap::RecomputeBatchnorm),
                        InstanceMethod("forwardEval", &MlpTrainerWrap::ForwardEval),
                        InstanceMethod("forwardEvalSync", &MlpTrainerWrap::ForwardEvalSync)});
  }

  explicit MlpTrainerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MlpTrainerWrap>(info) {
    try {
      int64_t din = IntAtLeastArg(info, 0, kNoFn, "din", 1);
      int64_t dint = IntAtLeastArg(info, 1, kNoFn, "dint", 1);
      int64_t dout = IntAtLeastArg(info, 2, kNoFn, "dout", 1);
      trainer_ = std::make_unique<MlpTrainer>(static_cast<int>(din), static_cast<int>(dint),
                                              static_cast<int>(dout));
    } catch (const ArgError& e) {
      ThrowJs(info.Env(), e);
    }
  }

  MlpTrainer* trainer() { return trainer_.get(); }
  bool busy = false;

 private:
  void Ready() {
    if (!trainer_) TypeFail(kNoFn, "MlpTrainer: not constructed");
    if (busy) TypeFail(kNoFn, "MlpTrainer: an asynchronous call is still running on it");
  }

  // The parameter named by argument 0 of getParam / setParam (`method`), once Ready().
  std::vector<float>* ParamArg(const Napi::CallbackInfo& info, const std::string& method, std::string* name) {
    Ready();
    if (info.Length() < 1 || !info[0].IsString()) TypeFail(kNoFn, method + ": name must be a string");
    *name = info[0].As<Napi::String>();
    std::vector<float>* p = trainer_->param(*name);
    if (!p) RangeFail(kNoFn, method + ": unknown parameter '" + *name + "'");
    return p;
  }

  Napi::Value GetParam(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      std::string name;
      std::vector<float>* p = ParamArg(info, "getParam", &name);
      Napi::Float32Array out = Napi::Float32Array::New(env, p->size());
      std::copy(p->begin(), p->end(), out.Data());
      return out;
    });
  }

  Napi::Value SetParam(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      std::string name;
      std::vector<float>* p = ParamArg(info, "setParam", &name);
      auto v = TypedArrayArg<Napi::Float32Array>(info, 1, kNoFn, "value");
      if (v.ElementLength() != p->size()) {
        RangeFail(kNoFn, "setParam: value for '" + name + "' must hold " + std::to_string(p->size()) +
                             " values, got " + std::to_string(v.ElementLength()));
      }
      std::copy(v.Data(), v.Data() + v.ElementLength(), p->begin());
      return env.Undefined();
    });
  }

  Napi::Value GetNbt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      Napi::Array a = Napi::Array::New(env, 2);
      a.Set(0u, static_cast<double>(trainer_->num_batches_tracked[0]));
      a.Set(1u, static_cast<double>(trainer_->num_batches_tracked[1]));
      return a;
    });
  }

  Napi::Value SetNbt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      int64_t a = IntAtLeastArg(info, 0, kNoFn, "first", 0);
      int64_t b = IntAtLeastArg(info, 1, kNoFn, "second", 0);
      trainer_->num_batches_tracked[0] = a;
      trainer_->num_batches_tracked[1] = b;
      return env.Undefined();
    });
  }

  Napi::Value ResetMomentum(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      trainer_->reset_momentum();
      return env.Undefined();
    });
  }

  // setStraightThrough(r2): the straight-through zn_<r2> quantizer of step(); 0 = off.
  Napi::Value SetStraightThrough(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      int64_t r2 = IntAtLeastArg(info, 0, kNoFn, "r2", 0);
      if (r2 > (int64_t{1} << 30)) RangeFail(kNoFn, "setStraightThrough: r2 must be at most 2^30, got " + std::to_string(r2));
      try {
        trainer_->set_straight_through(static_cast<int>(r2));
      } catch (const std::invalid_argument& e) {
        RangeFail(kNoFn, std::string("setStraightThrough: zn_") + std::to_string(r2) + " at dout " +
                             std::to_string(trainer_->dout()) + ": " + e.what());
      }
      return env.Undefined();
    });
  }

  // setThreads([threads]): the threads of step() and trainBatches (ThreadsArg).
  Napi::Value SetThreads(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      trainer_->set_threads(ThreadsArg(info, 0, kNoFn));
      return env.Undefined();
    });
  }

  struct BatchArgs {
    Napi::Float32Array x;
    Napi::Int32Array a, p, n;
  };

  // Checks x (rows of din) and the three index arrays of equal length.
  BatchArgs GetBatchArgs(const Napi::CallbackInfo& info) {
    BatchArgs b{TypedArrayArg<Napi::Float32Array>(info, 0, kNoFn, "x"),
                TypedArrayArg<Napi::Int32Array>(info, 1, kNoFn, "anchors"),
                TypedArrayArg<Napi::Int32Array>(info, 2, kNoFn, "positives"),
                TypedArrayArg<Napi::Int32Array>(info, 3, kNoFn, "negatives")};
    size_t din = trainer_->din();
    if (b.x.ElementLength() % din != 0) {
      RangeFail(kNoFn, "x must hold rows of din = " + std::to_string(din) + " values");
    }
    size_t rows = b.x.ElementLength() / din;
    if (b.p.ElementLength() != b.a.ElementLength() || b.n.ElementLength() != b.a.ElementLength()) {
      RangeFail(kNoFn, "anchors, positives and negatives must have the same length");
    }
    for (const auto* arr : {&b.a, &b.p, &b.n}) {
      const int32_t* d = arr->Data();
      for (size_t i = 0; i < arr->ElementLength(); i++)
        if (d[i] < 0 || static_cast<size_t>(d[i]) >= rows)
          RangeFail(kNoFn, std::string(arr == &b.a ? "anchors" : arr == &b.p ? "positives" : "negatives") +
                               " holds row " + std::to_string(d[i]) + " outside [0, " + std::to_string(rows) + ")");
    }
    return b;
  }

  // step(x, anchors, positives, negatives, lr, momentum, lambda) → stats (one batch)
  Napi::Value Step(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      BatchArgs b = GetBatchArgs(info);
      double lr = NumberArg(info, 4, kNoFn, "lr");
      double mom = NumberArg(info, 5, kNoFn, "momentum");
      double lambda = NumberArg(info, 6, kNoFn, "lambda");
      if (b.a.ElementLength() < 2) RangeFail(kNoFn, "step: a batch needs at least 2 anchors");
      MlpStepStats st = trainer_->step(b.x.Data(), b.a.Data(), b.p.Data(), b.n.Data(),
                                       static_cast<int>(b.a.ElementLength()), static_cast<float>(lr),
                                       static_cast<float>(mom), static_cast<float>(lambda));
      return StatsObject(env, st);
    });
  }

  // trainBatches(x, anchors, positives, negatives, batchSize, lr, momentum, lambda)
  //   → Promise<{loss, triplet, uniform (sums of batch means), offending, batches}>
  Napi::Value TrainBatches(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      BatchArgs b = GetBatchArgs(info);
      int64_t batch = IntAtLeastArg(info, 4, kNoFn, "batchSize", 2);
      double lr = NumberArg(info, 5, kNoFn, "lr");
      double mom = NumberArg(info, 6, kNoFn, "momentum");
      double lambda = NumberArg(info, 7, kNoFn, "lambda");
      TrainJob job;
      job.owner = this;
      job.self = Napi::Persistent(Value());
      job.x = InputView<float>::Hold(env, b.x);
      job.a = InputView<int32_t>::Copy(b.a);
      job.p = InputView<int32_t>::Copy(b.p);
      job.n = InputView<int32_t>::Copy(b.n);
      job.batch = static_cast<int>(batch);
      job.lr = static_cast<float>(lr);
      job.momentum = static_cast<float>(mom);
      job.lambda = static_cast<float>(lambda);
      busy = true;
      return QueueJob(env, "trainBatches", std::move(job));
    });
  }

  // recomputeBatchnorm(x, order, batchSize) → Promise<undefined>
  Napi::Value RecomputeBatchnorm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      auto x = TypedArrayArg<Napi::Float32Array>(info, 0, kNoFn, "x");
      auto order = TypedArrayArg<Napi::Int32Array>(info, 1, kNoFn, "order");
      int64_t batch = IntAtLeastArg(info, 2, kNoFn, "batchSize", 2);
      if (x.ElementLength() % trainer_->din() != 0) RangeFail(kNoFn, "x must hold rows of din = " + std::to_string(trainer_->din()) + " values");
      if (order.ElementLength() < 6) RangeFail(kNoFn, "recomputeBatchnorm: order must name at least 6 rows (three groups of two)");
      const size_t xrows = x.ElementLength() / trainer_->din();
      for (size_t i = 0; i < order.ElementLength(); i++)
        if (order[i] < 0 || static_cast<size_t>(order[i]) >= xrows)
          RangeFail(kNoFn, "recomputeBatchnorm: order holds row " + std::to_string(order[i]) + " outside [0, " + std::to_string(xrows) + ")");
      BatchnormJob job;
      job.owner = this;
      job.self = Napi::Persistent(Value());
      job.x = InputView<float>::Hold(env, x);
      job.order = InputView<int32_t>::Copy(order);
      job.batch = static_cast<int>(std::min<int64_t>(batch, 1 << 20));
      busy = true;
      return QueueJob(env, "recomputeBatchnorm", std::move(job));
    });
  }

  // x (rows of din) and the optional threads (ThreadsArg) of forwardEval*.
  Napi::Float32Array GetEvalArgs(const Napi::CallbackInfo& info, int64_t* threads) {
    auto x = TypedArrayArg<Napi::Float32Array>(info, 0, kNoFn, "x");
    if (x.ElementLength() % trainer_->din() != 0) {
      RangeFail(kNoFn, "x must hold rows of din = " + std::to_string(trainer_->din()) + " values");
    }
    *threads = ThreadsArg(info, 1, kNoFn);
    return x;
  }

  // forwardEval(x[, threads]) → Promise<Float32Array rows×dout>
  Napi::Value ForwardEval(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      int64_t threads;
      Napi::Float32Array x = GetEvalArgs(info, &threads);
      EvalJob job;
      job.owner = this;
      job.self = Napi::Persistent(Value());
      job.x = InputView<float>::Hold(env, x);
      job.rows = static_cast<int64_t>(x.ElementLength() / trainer_->din());
      job.threads = static_cast<int>(threads);
      busy = true;
      return QueueJob(env, "forwardEval", std::move(job));
    });
  }

  Napi::Value ForwardEvalSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      int64_t threads;
      Napi::Float32Array x = GetEvalArgs(info, &threads);
      int64_t rows = x.ElementLength() / trainer_->din();
      Napi::Float32Array out = Napi::Float32Array::New(env, rows * trainer_->dout());
      trainer_->forward_eval(x.Data(), rows, out.Data(), static_cast<int>(threads));
      return out;
    });
  }

  std::unique_ptr<MlpTrainer> trainer_;
};

void TrainJob::run() {
  MlpTrainer* t = owner->trainer();
  // The copies are checked again: the originals were checked, but one in a
  // SharedArrayBuffer may have changed between that check and the copy.
  const size_t xrows = x.size() / t->din();
  for (const InputView<int32_t>* v : {&a, &p, &n})
    for (size_t i = 0; i < v->size(); i++)
      if ((*v)[i] < 0 || static_cast<size_t>((*v)[i]) >= xrows)
        throw KernelError("an index array changed while the call started", /*range=*/false);
  const size_t len = a.size();
  for (size_t i0 = 0; i0 < len; i0 += batch) {
    int m = static_cast<int>(std::min<size_t>(batch, len - i0));
    if (m < 2) break;  // KoLeo needs two anchors; a lone leftover row is skipped
    MlpStepStats st = t->step(x.data(), a.data() + i0, p.data() + i0, n.data() + i0, m, lr, momentum, lambda);
    sum.loss += st.loss;
    sum.triplet += st.triplet;
    sum.uniform += st.uniform;
    sum.offending += st.offending;
    batches++;
  }
}

Napi::Value TrainJob::result(Napi::Env env) const {
  Napi::Object o = StatsObject(env, sum);
  o.Set("batches", batches);
  return o;
}

void TrainJob::settled() { owner->busy = false; }

void BatchnormJob::run() {
  MlpTrainer* t = owner->trainer();
  const size_t xrows = x.size() / t->din();
  // Checked again on the copy, as TrainJob does (x may be in a SharedArrayBuffer).
  for (size_t i = 0; i < order.size(); i++)
    if (order[i] < 0 || static_cast<size_t>(order[i]) >= xrows)
      throw KernelError("an index array changed while the call started", /*range=*/false);
  t->recompute_batchnorm(x.data(), order.data(), static_cast<int64_t>(order.size()), batch);
}

void BatchnormJob::settled() { owner->busy = false; }

void EvalJob::run() {
  out.resize(static_cast<size_t>(rows) * owner->trainer()->dout());
  owner->trainer()->forward_eval(x.data(), rows, out.data(), threads);
}

Napi::Value EvalJob::result(Napi::Env env) const {
  Napi::Float32Array o = Napi::Float32Array::New(env, out.size());
  std::copy(out.begin(), out.end(), o.Data());
  return o;
}

void EvalJob::settled() { owner->busy = false; }

}  // namespace

void InitMlpBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemm", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Sgemm(info, false);
              }));
  exports.Set("sgemmReference", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Sgemm(info, true);
              }));
  exports.Set("tripletKoleoLoss", Napi::Function::New(env, TripletKoleoLoss));
  exports.Set("knnL2", Napi::Function::New(env, KnnL2));
  exports.Set("MlpTrainer", MlpTrainerWrap::Define(env));
}

}  // namespace spreadvec
