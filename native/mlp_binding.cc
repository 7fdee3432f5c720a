// Glue for the catalyzer trainer (mlp.h) and the shared sgemm (exposed so that
// tests and benchmarks can compare it with sgemm_reference).
#include <napi.h>

#include <memory>
#include <string>

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

// sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc[, reference])
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

// Exact L2 k-NN off the main thread (hard negatives; see knn.h).
class KnnWorker : public Napi::AsyncWorker {
 public:
  KnnWorker(Napi::Env env, Napi::Float32Array q, Napi::Float32Array b, int d, int k, int threads)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        q_(InputView<float>::Hold(env, q)),
        b_(InputView<float>::Hold(env, b)),
        nq_(q.ElementLength() / d),
        nb_(b.ElementLength() / d),
        d_(d),
        k_(k),
        threads_(threads) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    out_.resize(static_cast<size_t>(nq_) * k_);
    knn_l2_topk(q_.data(), nq_, b_.data(), nb_, d_, k_, out_.data(), threads_);
  }
  void OnOK() override {
    Napi::Int32Array out = Napi::Int32Array::New(Env(), out_.size());
    std::copy(out_.begin(), out_.end(), out.Data());
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  InputView<float> q_, b_;  // copies, or shared memory (see napi_args.h)
  int64_t nq_, nb_;
  int d_, k_, threads_;
  std::vector<int32_t> out_;
};

// knnL2(q, b, d, k[, threads]) → Promise<Int32Array nq×k>
Napi::Value KnnL2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    auto q = TypedArrayArg<Napi::Float32Array>(info, 0, kNoFn, "queries");
    auto b = TypedArrayArg<Napi::Float32Array>(info, 1, kNoFn, "base");
    int64_t d = IntAtLeastArg(info, 2, kNoFn, "d", 1);
    int64_t k = IntAtLeastArg(info, 3, kNoFn, "k", 1);
    // No upper bound on threads here, unlike ThreadsArg: kept as it was.
    int64_t threads = info.Length() > 4 && !info[4].IsUndefined() ? IntAtLeastArg(info, 4, kNoFn, "threads", 1)
                                                                   : default_threads();
    if (q.ElementLength() % d != 0 || b.ElementLength() % d != 0) {
      RangeFail(kNoFn, "knnL2: queries and base must hold rows of d values");
    }
    if (static_cast<size_t>(k) > b.ElementLength() / d) RangeFail(kNoFn, "knnL2: k exceeds the number of base rows");
    auto* w = new KnnWorker(env, q, b, static_cast<int>(d), static_cast<int>(k), static_cast<int>(threads));
    Napi::Promise pr = w->promise();
    w->Queue();
    return pr;
  });
}

class MlpTrainerWrap;

// Runs a run of SGD steps (consecutive batches of a permutation) off the main thread.
class TrainWorker : public Napi::AsyncWorker {
 public:
  TrainWorker(Napi::Env env, MlpTrainerWrap* owner, Napi::Object self, Napi::Float32Array x,
              Napi::Int32Array a, Napi::Int32Array p, Napi::Int32Array n, int batch, float lr,
              float momentum, float lambda);
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Napi::Promise::Deferred deferred_;
  MlpTrainerWrap* owner_;
  Napi::ObjectReference self_;
  InputView<float> x_;
  InputView<int32_t> a_, p_, n_;  // private copies: the kernel indexes x with them
  size_t len_;
  int batch_;
  float lr_, momentum_, lambda_;
  MlpStepStats sum_;
  int batches_ = 0;
};

class EvalWorker : public Napi::AsyncWorker {
 public:
  EvalWorker(Napi::Env env, MlpTrainerWrap* owner, Napi::Object self, Napi::Float32Array x,
             int64_t rows, int threads);
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Napi::Promise::Deferred deferred_;
  MlpTrainerWrap* owner_;
  Napi::ObjectReference self_;
  InputView<float> x_;
  int64_t rows_;
  int threads_;
  std::vector<float> out_;
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
                        InstanceMethod("step", &MlpTrainerWrap::Step),
                        InstanceMethod("trainBatches", &MlpTrainerWrap::TrainBatches),
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

  Napi::Value GetParam(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      if (info.Length() < 1 || !info[0].IsString()) TypeFail(kNoFn, "getParam: name must be a string");
      std::string name = info[0].As<Napi::String>();
      std::vector<float>* p = trainer_->param(name);
      if (!p) RangeFail(kNoFn, "getParam: unknown parameter '" + name + "'");
      Napi::Float32Array out = Napi::Float32Array::New(env, p->size());
      std::copy(p->begin(), p->end(), out.Data());
      return out;
    });
  }

  Napi::Value SetParam(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      if (info.Length() < 1 || !info[0].IsString()) TypeFail(kNoFn, "setParam: name must be a string");
      std::string name = info[0].As<Napi::String>();
      auto v = TypedArrayArg<Napi::Float32Array>(info, 1, kNoFn, "value");
      std::vector<float>* p = trainer_->param(name);
      if (!p) RangeFail(kNoFn, "setParam: unknown parameter '" + name + "'");
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
      auto* w = new TrainWorker(env, this, Value(), b.x, b.a, b.p, b.n, static_cast<int>(batch),
                                static_cast<float>(lr), static_cast<float>(mom), static_cast<float>(lambda));
      busy = true;
      Napi::Promise pr = w->promise();
      w->Queue();
      return pr;
    });
  }

  // x (rows of din) and the optional threads (>= 1, no upper bound) of forwardEval*.
  Napi::Float32Array GetEvalArgs(const Napi::CallbackInfo& info, int64_t* threads) {
    auto x = TypedArrayArg<Napi::Float32Array>(info, 0, kNoFn, "x");
    if (x.ElementLength() % trainer_->din() != 0) {
      RangeFail(kNoFn, "x must hold rows of din = " + std::to_string(trainer_->din()) + " values");
    }
    *threads = info.Length() > 1 && !info[1].IsUndefined() ? IntAtLeastArg(info, 1, kNoFn, "threads", 1)
                                                            : default_threads();
    return x;
  }

  // forwardEval(x[, threads]) → Promise<Float32Array rows×dout>
  Napi::Value ForwardEval(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guarded(env, [&]() -> Napi::Value {
      Ready();
      int64_t threads;
      Napi::Float32Array x = GetEvalArgs(info, &threads);
      auto* w = new EvalWorker(env, this, Value(), x, x.ElementLength() / trainer_->din(),
                               static_cast<int>(threads));
      busy = true;
      Napi::Promise pr = w->promise();
      w->Queue();
      return pr;
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

TrainWorker::TrainWorker(Napi::Env env, MlpTrainerWrap* owner, Napi::Object self,
                         Napi::Float32Array x, Napi::Int32Array a, Napi::Int32Array p,
                         Napi::Int32Array n, int batch, float lr, float momentum, float lambda)
    : Napi::AsyncWorker(env),
      deferred_(Napi::Promise::Deferred::New(env)),
      owner_(owner),
      self_(Napi::Persistent(self)),
      x_(InputView<float>::Hold(env, x)),
      a_(InputView<int32_t>::Copy(a)),
      p_(InputView<int32_t>::Copy(p)),
      n_(InputView<int32_t>::Copy(n)),
      len_(a.ElementLength()),
      batch_(batch),
      lr_(lr),
      momentum_(momentum),
      lambda_(lambda) {}

void TrainWorker::Execute() {
  MlpTrainer* t = owner_->trainer();
  // The copies are checked again: the originals were checked, but one in a
  // SharedArrayBuffer may have changed between that check and the copy.
  const size_t rows = x_.size() / t->din();
  for (const InputView<int32_t>* v : {&a_, &p_, &n_})
    for (size_t i = 0; i < v->size(); i++)
      if ((*v)[i] < 0 || static_cast<size_t>((*v)[i]) >= rows) return SetError("trainBatches: an index array changed while the call started");
  for (size_t i0 = 0; i0 < len_; i0 += batch_) {
    int n = static_cast<int>(std::min<size_t>(batch_, len_ - i0));
    if (n < 2) break;  // KoLeo needs two anchors; a lone leftover row is skipped
    MlpStepStats st = t->step(x_.data(), a_.data() + i0, p_.data() + i0, n_.data() + i0, n, lr_, momentum_, lambda_);
    sum_.loss += st.loss;
    sum_.triplet += st.triplet;
    sum_.uniform += st.uniform;
    sum_.offending += st.offending;
    batches_++;
  }
}

void TrainWorker::OnOK() {
  owner_->busy = false;
  Napi::Object o = StatsObject(Env(), sum_);
  o.Set("batches", batches_);
  deferred_.Resolve(o);
}

void TrainWorker::OnError(const Napi::Error& e) {
  owner_->busy = false;
  deferred_.Reject(e.Value());
}

EvalWorker::EvalWorker(Napi::Env env, MlpTrainerWrap* owner, Napi::Object self,
                       Napi::Float32Array x, int64_t rows, int threads)
    : Napi::AsyncWorker(env),
      deferred_(Napi::Promise::Deferred::New(env)),
      owner_(owner),
      self_(Napi::Persistent(self)),
      x_(InputView<float>::Hold(env, x)),
      rows_(rows),
      threads_(threads) {}

void EvalWorker::Execute() {
  out_.resize(static_cast<size_t>(rows_) * owner_->trainer()->dout());
  owner_->trainer()->forward_eval(x_.data(), rows_, out_.data(), threads_);
}

void EvalWorker::OnOK() {
  owner_->busy = false;
  Napi::Float32Array out = Napi::Float32Array::New(Env(), out_.size());
  std::copy(out_.begin(), out_.end(), out.Data());
  deferred_.Resolve(out);
}

void EvalWorker::OnError(const Napi::Error& e) {
  owner_->busy = false;
  deferred_.Reject(e.Value());
}

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
