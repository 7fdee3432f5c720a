// Glue for the catalyzer trainer (mlp.h) and the shared sgemm (exposed so that
// tests and benchmarks can compare it with sgemm_reference).
#include <napi.h>

#include <memory>
#include <string>

#include "bindings.h"
#include "gemm.h"
#include "mlp.h"
#include "mlp_neighbors.h"
#include "parallel.h"

namespace spreadvec {

namespace {

bool Fail(Napi::Env env, const std::string& msg, bool range = false) {
  if (range)
    Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
  else
    Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return false;
}

bool GetF32(const Napi::CallbackInfo& info, size_t i, const char* name, Napi::Float32Array* out) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    return Fail(info.Env(), std::string(name) + " must be a Float32Array");
  *out = info[i].As<Napi::Float32Array>();
  return true;
}

bool GetI32(const Napi::CallbackInfo& info, size_t i, const char* name, Napi::Int32Array* out) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    return Fail(info.Env(), std::string(name) + " must be an Int32Array");
  *out = info[i].As<Napi::Int32Array>();
  return true;
}

bool GetNum(const Napi::CallbackInfo& info, size_t i, const char* name, double* out) {
  if (info.Length() <= i || !info[i].IsNumber())
    return Fail(info.Env(), std::string(name) + " must be a number");
  *out = info[i].As<Napi::Number>().DoubleValue();
  return true;
}

bool GetInt(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min,
            int64_t* out) {
  double v;
  if (!GetNum(info, i, name, &v)) return false;
  if (v != static_cast<double>(static_cast<int64_t>(v)))
    return Fail(info.Env(), std::string(name) + " must be an integer");
  if (v < min)
    return Fail(info.Env(), std::string(name) + " must be >= " + std::to_string(min), true);
  *out = static_cast<int64_t>(v);
  return true;
}

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
  if (info.Length() < 13 || !info[0].IsBoolean() || !info[1].IsBoolean()) {
    Fail(env, "sgemm: transA and transB must be booleans");
    return env.Undefined();
  }
  bool ta = info[0].As<Napi::Boolean>(), tb = info[1].As<Napi::Boolean>();
  int64_t m, n, k, lda, ldb, ldc;
  double alpha, beta;
  Napi::Float32Array a, b, c;
  if (!GetInt(info, 2, "m", 0, &m) || !GetInt(info, 3, "n", 0, &n) ||
      !GetInt(info, 4, "k", 0, &k) || !GetNum(info, 5, "alpha", &alpha) ||
      !GetF32(info, 6, "a", &a) || !GetInt(info, 7, "lda", 1, &lda) ||
      !GetF32(info, 8, "b", &b) || !GetInt(info, 9, "ldb", 1, &ldb) ||
      !GetNum(info, 10, "beta", &beta) || !GetF32(info, 11, "c", &c) ||
      !GetInt(info, 12, "ldc", 1, &ldc))
    return env.Undefined();
  // Storage extents: op(A) is m×k (A stored k×m when transposed), op(B) is k×n.
  int64_t arows = ta ? k : m, acols = ta ? m : k, brows = tb ? n : k, bcols = tb ? k : n;
  auto fits = [](int64_t rows, int64_t cols, int64_t ld, size_t len) {
    return ld >= cols && (rows == 0 || (rows - 1) * ld + cols <= static_cast<int64_t>(len));
  };
  if (!fits(arows, acols, lda, a.ElementLength())) {
    Fail(env, "sgemm: a is too short for its shape and lda", true);
    return env.Undefined();
  }
  if (!fits(brows, bcols, ldb, b.ElementLength())) {
    Fail(env, "sgemm: b is too short for its shape and ldb", true);
    return env.Undefined();
  }
  if (!fits(m, n, ldc, c.ElementLength())) {
    Fail(env, "sgemm: c is too short for its shape and ldc", true);
    return env.Undefined();
  }
  auto fn = reference ? sgemm_reference : sgemm;
  fn(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
     static_cast<float>(alpha), a.Data(), static_cast<int>(lda), b.Data(), static_cast<int>(ldb),
     static_cast<float>(beta), c.Data(), static_cast<int>(ldc));
  return env.Undefined();
}

// tripletKoleoLoss(f: Float32Array 3n×d, n, d, lambda) → stats & {grad}
Napi::Value TripletKoleoLoss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float32Array f;
  int64_t n, d;
  double lambda;
  if (!GetF32(info, 0, "f", &f) || !GetInt(info, 1, "n", 2, &n) || !GetInt(info, 2, "d", 1, &d) ||
      !GetNum(info, 3, "lambda", &lambda))
    return env.Undefined();
  if (static_cast<int64_t>(f.ElementLength()) != 3 * n * d) {
    Fail(env, "tripletKoleoLoss: f must hold 3·n·d values", true);
    return env.Undefined();
  }
  Napi::Float32Array grad = Napi::Float32Array::New(env, f.ElementLength());
  MlpStepStats st = triplet_koleo_loss(f.Data(), static_cast<int>(n), static_cast<int>(d),
                                       static_cast<float>(lambda), grad.Data());
  Napi::Object o = StatsObject(env, st);
  o.Set("grad", grad);
  return o;
}

// Exact L2 k-NN off the main thread (hard negatives; see mlp_neighbors.h).
class KnnWorker : public Napi::AsyncWorker {
 public:
  KnnWorker(Napi::Env env, Napi::Float32Array q, Napi::Float32Array b, int d, int k, int threads)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        q_(Napi::Persistent(static_cast<Napi::Object>(q))),
        b_(Napi::Persistent(static_cast<Napi::Object>(b))),
        qd_(q.Data()),
        bd_(b.Data()),
        nq_(q.ElementLength() / d),
        nb_(b.ElementLength() / d),
        d_(d),
        k_(k),
        threads_(threads) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    out_.resize(static_cast<size_t>(nq_) * k_);
    knn_l2_topk(qd_, nq_, bd_, nb_, d_, k_, out_.data(), threads_);
  }
  void OnOK() override {
    Napi::Int32Array out = Napi::Int32Array::New(Env(), out_.size());
    std::copy(out_.begin(), out_.end(), out.Data());
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference q_, b_;
  const float *qd_, *bd_;
  int64_t nq_, nb_;
  int d_, k_, threads_;
  std::vector<int32_t> out_;
};

// knnL2(q, b, d, k[, threads]) → Promise<Int32Array nq×k>
Napi::Value KnnL2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float32Array q, b;
  int64_t d, k, threads = default_threads();
  if (!GetF32(info, 0, "queries", &q) || !GetF32(info, 1, "base", &b) ||
      !GetInt(info, 2, "d", 1, &d) || !GetInt(info, 3, "k", 1, &k))
    return env.Undefined();
  if (info.Length() > 4 && !info[4].IsUndefined() && !GetInt(info, 4, "threads", 1, &threads))
    return env.Undefined();
  if (q.ElementLength() % d != 0 || b.ElementLength() % d != 0) {
    Fail(env, "knnL2: queries and base must hold rows of d values", true);
    return env.Undefined();
  }
  if (static_cast<size_t>(k) > b.ElementLength() / d) {
    Fail(env, "knnL2: k exceeds the number of base rows", true);
    return env.Undefined();
  }
  auto* w = new KnnWorker(env, q, b, static_cast<int>(d), static_cast<int>(k),
                          static_cast<int>(threads));
  Napi::Promise pr = w->promise();
  w->Queue();
  return pr;
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
  Napi::ObjectReference self_, x_, a_, p_, n_;
  const float* xd_;
  const int32_t *ad_, *pd_, *nd_;
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
  Napi::ObjectReference self_, x_;
  const float* xd_;
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
    int64_t din, dint, dout;
    if (!GetInt(info, 0, "din", 1, &din) || !GetInt(info, 1, "dint", 1, &dint) ||
        !GetInt(info, 2, "dout", 1, &dout))
      return;
    trainer_ = std::make_unique<MlpTrainer>(static_cast<int>(din), static_cast<int>(dint),
                                            static_cast<int>(dout));
  }

  MlpTrainer* trainer() { return trainer_.get(); }
  bool busy = false;

 private:
  bool Ready(Napi::Env env) {
    if (!trainer_) return Fail(env, "MlpTrainer: not constructed");
    if (busy) return Fail(env, "MlpTrainer: an asynchronous call is still running on it");
    return true;
  }

  Napi::Value GetParam(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsString()) {
      Fail(env, "getParam: name must be a string");
      return env.Undefined();
    }
    std::string name = info[0].As<Napi::String>();
    std::vector<float>* p = trainer_->param(name);
    if (!p) {
      Fail(env, "getParam: unknown parameter '" + name + "'", true);
      return env.Undefined();
    }
    Napi::Float32Array out = Napi::Float32Array::New(env, p->size());
    std::copy(p->begin(), p->end(), out.Data());
    return out;
  }

  Napi::Value SetParam(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsString()) {
      Fail(env, "setParam: name must be a string");
      return env.Undefined();
    }
    std::string name = info[0].As<Napi::String>();
    Napi::Float32Array v;
    if (!GetF32(info, 1, "value", &v)) return env.Undefined();
    std::vector<float>* p = trainer_->param(name);
    if (!p) {
      Fail(env, "setParam: unknown parameter '" + name + "'", true);
      return env.Undefined();
    }
    if (v.ElementLength() != p->size()) {
      Fail(env, "setParam: value for '" + name + "' must hold " + std::to_string(p->size()) +
                    " values, got " + std::to_string(v.ElementLength()),
           true);
      return env.Undefined();
    }
    std::copy(v.Data(), v.Data() + v.ElementLength(), p->begin());
    return env.Undefined();
  }

  Napi::Value GetNbt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    Napi::Array a = Napi::Array::New(env, 2);
    a.Set(0u, static_cast<double>(trainer_->num_batches_tracked[0]));
    a.Set(1u, static_cast<double>(trainer_->num_batches_tracked[1]));
    return a;
  }

  Napi::Value SetNbt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    int64_t a, b;
    if (!GetInt(info, 0, "first", 0, &a) || !GetInt(info, 1, "second", 0, &b))
      return env.Undefined();
    trainer_->num_batches_tracked[0] = a;
    trainer_->num_batches_tracked[1] = b;
    return env.Undefined();
  }

  Napi::Value ResetMomentum(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    trainer_->reset_momentum();
    return env.Undefined();
  }

  // Checks x (rows of din) and the three index arrays of equal length.
  bool GetBatchArgs(const Napi::CallbackInfo& info, Napi::Float32Array* x, Napi::Int32Array* a,
                    Napi::Int32Array* p, Napi::Int32Array* n) {
    Napi::Env env = info.Env();
    if (!GetF32(info, 0, "x", x) || !GetI32(info, 1, "anchors", a) ||
        !GetI32(info, 2, "positives", p) || !GetI32(info, 3, "negatives", n))
      return false;
    size_t din = trainer_->din();
    if (x->ElementLength() % din != 0)
      return Fail(env, "x must hold rows of din = " + std::to_string(din) + " values", true);
    size_t rows = x->ElementLength() / din;
    if (p->ElementLength() != a->ElementLength() || n->ElementLength() != a->ElementLength())
      return Fail(env, "anchors, positives and negatives must have the same length", true);
    for (const auto* arr : {a, p, n}) {
      const int32_t* d = arr->Data();
      for (size_t i = 0; i < arr->ElementLength(); i++)
        if (d[i] < 0 || static_cast<size_t>(d[i]) >= rows)
          return Fail(env,
                      std::string(arr == a ? "anchors" : arr == p ? "positives" : "negatives") +
                          " holds row " + std::to_string(d[i]) + " outside [0, " +
                          std::to_string(rows) + ")",
                      true);
    }
    return true;
  }

  // step(x, anchors, positives, negatives, lr, momentum, lambda) → stats (one batch)
  Napi::Value Step(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    Napi::Float32Array x;
    Napi::Int32Array a, p, n;
    double lr, mom, lambda;
    if (!GetBatchArgs(info, &x, &a, &p, &n) || !GetNum(info, 4, "lr", &lr) ||
        !GetNum(info, 5, "momentum", &mom) || !GetNum(info, 6, "lambda", &lambda))
      return env.Undefined();
    if (a.ElementLength() < 2) {
      Fail(env, "step: a batch needs at least 2 anchors", true);
      return env.Undefined();
    }
    MlpStepStats st = trainer_->step(x.Data(), a.Data(), p.Data(), n.Data(),
                                     static_cast<int>(a.ElementLength()), static_cast<float>(lr),
                                     static_cast<float>(mom), static_cast<float>(lambda));
    return StatsObject(env, st);
  }

  // trainBatches(x, anchors, positives, negatives, batchSize, lr, momentum, lambda)
  //   → Promise<{loss, triplet, uniform (sums of batch means), offending, batches}>
  Napi::Value TrainBatches(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    Napi::Float32Array x;
    Napi::Int32Array a, p, n;
    int64_t batch;
    double lr, mom, lambda;
    if (!GetBatchArgs(info, &x, &a, &p, &n) || !GetInt(info, 4, "batchSize", 2, &batch) ||
        !GetNum(info, 5, "lr", &lr) || !GetNum(info, 6, "momentum", &mom) ||
        !GetNum(info, 7, "lambda", &lambda))
      return env.Undefined();
    auto* w = new TrainWorker(env, this, Value(), x, a, p, n, static_cast<int>(batch),
                              static_cast<float>(lr), static_cast<float>(mom),
                              static_cast<float>(lambda));
    busy = true;
    Napi::Promise pr = w->promise();
    w->Queue();
    return pr;
  }

  bool GetEvalArgs(const Napi::CallbackInfo& info, Napi::Float32Array* x, int64_t* threads) {
    if (!GetF32(info, 0, "x", x)) return false;
    if (x->ElementLength() % trainer_->din() != 0)
      return Fail(info.Env(), "x must hold rows of din = " + std::to_string(trainer_->din()) +
                                  " values",
                  true);
    *threads = default_threads();
    if (info.Length() > 1 && !info[1].IsUndefined() && !GetInt(info, 1, "threads", 1, threads))
      return false;
    return true;
  }

  // forwardEval(x[, threads]) → Promise<Float32Array rows×dout>
  Napi::Value ForwardEval(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    Napi::Float32Array x;
    int64_t threads;
    if (!GetEvalArgs(info, &x, &threads)) return env.Undefined();
    auto* w = new EvalWorker(env, this, Value(), x, x.ElementLength() / trainer_->din(),
                             static_cast<int>(threads));
    busy = true;
    Napi::Promise pr = w->promise();
    w->Queue();
    return pr;
  }

  Napi::Value ForwardEvalSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env)) return env.Undefined();
    Napi::Float32Array x;
    int64_t threads;
    if (!GetEvalArgs(info, &x, &threads)) return env.Undefined();
    int64_t rows = x.ElementLength() / trainer_->din();
    Napi::Float32Array out = Napi::Float32Array::New(env, rows * trainer_->dout());
    trainer_->forward_eval(x.Data(), rows, out.Data(), static_cast<int>(threads));
    return out;
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
      x_(Napi::Persistent(static_cast<Napi::Object>(x))),
      a_(Napi::Persistent(static_cast<Napi::Object>(a))),
      p_(Napi::Persistent(static_cast<Napi::Object>(p))),
      n_(Napi::Persistent(static_cast<Napi::Object>(n))),
      xd_(x.Data()),
      ad_(a.Data()),
      pd_(p.Data()),
      nd_(n.Data()),
      len_(a.ElementLength()),
      batch_(batch),
      lr_(lr),
      momentum_(momentum),
      lambda_(lambda) {}

void TrainWorker::Execute() {
  MlpTrainer* t = owner_->trainer();
  for (size_t i0 = 0; i0 < len_; i0 += batch_) {
    int n = static_cast<int>(std::min<size_t>(batch_, len_ - i0));
    if (n < 2) break;  // KoLeo needs two anchors; a lone leftover row is skipped
    MlpStepStats st = t->step(xd_, ad_ + i0, pd_ + i0, nd_ + i0, n, lr_, momentum_, lambda_);
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
      x_(Napi::Persistent(static_cast<Napi::Object>(x))),
      xd_(x.Data()),
      rows_(rows),
      threads_(threads) {}

void EvalWorker::Execute() {
  out_.resize(static_cast<size_t>(rows_) * owner_->trainer()->dout());
  owner_->trainer()->forward_eval(xd_, rows_, out_.data(), threads_);
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
