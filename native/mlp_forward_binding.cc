// Glue for the catalyzer's forward pass (mlp_forward.h): class NativeMlp.
//   new NativeMlp(layers: {din, dout, w: Float32Array din×dout, b: Float32Array dout, relu}[])
//   run(x: Float32Array | Uint8Array, threads?) → Promise<Float32Array n×dout>  (AsyncWorker)
//   runSync(x, threads?) → Float32Array
// The packed weights belong to the object; a run in flight holds a reference to it
// and to its output, and reads x as an InputView (napi_args.h: a copy, or shared
// memory in place), so none of them can be collected or freed before it ends.
#include <napi.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "async_job.h"
#include "bindings.h"
#include "mlp_forward.h"
#include "napi_args.h"
#include "parallel.h"

namespace spreadvec {

namespace {

const std::string kFn = "NativeMlp";

struct RunArgs {
  Napi::TypedArray x;
  bool u8;
  int64_t rows;
  int threads;
};

class NativeMlpWrap : public Napi::ObjectWrap<NativeMlpWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeMlp",
                       {InstanceMethod("run", &NativeMlpWrap::Run), InstanceMethod("runSync", &NativeMlpWrap::RunSync),
                        InstanceAccessor("din", &NativeMlpWrap::Din, nullptr),
                        InstanceAccessor("dout", &NativeMlpWrap::Dout, nullptr)});
  }

  explicit NativeMlpWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeMlpWrap>(info) {
    Napi::Env env = info.Env();
    try {
      if (info.Length() < 1 || !info[0].IsArray()) TypeFail(kFn, "layers must be an array");
      Napi::Array arr = info[0].As<Napi::Array>();
      std::vector<DenseLayerSpec> layers(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); i++) {
        const std::string at = "layers[" + std::to_string(i) + "]";
        Napi::Value v = arr.Get(i);
        if (!v.IsObject()) TypeFail(kFn, at + " must be an object");
        Napi::Object o = v.As<Napi::Object>();
        auto intField = [&](const char* name) {
          Napi::Value f = o.Get(name);
          if (!f.IsNumber()) TypeFail(kFn, at + "." + name + " must be an integer");
          double d = f.As<Napi::Number>().DoubleValue();
          if (d != static_cast<double>(static_cast<int64_t>(d)) || d < 1 || d > (1 << 24))
            RangeFail(kFn, at + "." + name + " must be an integer in [1, 2^24]");
          return static_cast<int>(d);
        };
        auto floatField = [&](const char* name, size_t len) {
          Napi::Value f = o.Get(name);
          if (!IsTypedArrayOf(f, napi_float32_array)) TypeFail(kFn, at + "." + name + " must be a Float32Array");
          Napi::Float32Array a = f.As<Napi::Float32Array>();
          if (a.ElementLength() != len)
            RangeFail(kFn, at + "." + name + " must hold " + std::to_string(len) + " values, got " +
                               std::to_string(a.ElementLength()));
          return std::vector<float>(a.Data(), a.Data() + len);
        };
        DenseLayerSpec& l = layers[i];
        l.din = intField("din");
        l.dout = intField("dout");
        l.w = floatField("w", static_cast<size_t>(l.din) * l.dout);
        l.b = floatField("b", static_cast<size_t>(l.dout));
        l.relu = o.Get("relu").ToBoolean();
      }
      try {
        mlp_ = std::make_unique<PackedMlp>(std::move(layers));
      } catch (const std::invalid_argument& e) {
        RangeFail(kFn, e.what());
      }
    } catch (const ArgError& e) {
      ThrowJs(env, e);
    }
  }

  const PackedMlp& mlp() const { return *mlp_; }

 private:
  Napi::Value Din(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), mlp_->din()); }
  Napi::Value Dout(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), mlp_->dout()); }

  RunArgs Args(const Napi::CallbackInfo& info, const std::string& fn) {
    if (info.Length() < 1 || !(IsTypedArrayOf(info[0], napi_float32_array) || IsTypedArrayOf(info[0], napi_uint8_array)))
      TypeFail(fn, "x must be a Float32Array or a Uint8Array");
    RunArgs a{info[0].As<Napi::TypedArray>(), IsTypedArrayOf(info[0], napi_uint8_array), 0, 1};
    const size_t len = a.x.ElementLength();
    if (len % mlp_->din() != 0)
      RangeFail(fn, "x has " + std::to_string(len) + " values, not a multiple of din = " + std::to_string(mlp_->din()));
    a.rows = static_cast<int64_t>(len / mlp_->din());
    a.threads = ThreadsArg(info, 1, fn);
    return a;
  }

  // A forward pass as a job (async_job.h): x viewed as its own element type (Hold
  // when async: a copy, or shared memory in place), the output allocated on the main
  // thread and held, and the object itself held so that its weights outlive the job.
  struct ForwardJob {
    const PackedMlp* mlp = nullptr;
    Napi::ObjectReference self, out;
    InputView<float> xf;
    InputView<uint8_t> xu;
    RunArgs args;
    float* od = nullptr;

    void run() {
      if (args.u8) mlp->forward(xu.data(), args.rows, od, args.threads);
      else mlp->forward(xf.data(), args.rows, od, args.threads);
    }
    Napi::Value result(Napi::Env) const { return out.Value(); }
  };

  Napi::Value RunAny(const Napi::CallbackInfo& info, bool async) {
    const std::string fn = async ? "NativeMlp.run" : "NativeMlp.runSync";
    Napi::Env env = info.Env();
    return Guarded(env, [&] {
      RunArgs a = Args(info, fn);
      Napi::Float32Array out = Napi::Float32Array::New(env, static_cast<size_t>(a.rows) * mlp_->dout());
      ForwardJob job;
      job.mlp = mlp_.get();
      job.self = Napi::Persistent(Value());
      if (a.u8) {
        auto x = a.x.As<Napi::Uint8Array>();
        job.xu = async ? InputView<uint8_t>::Hold(env, x) : InputView<uint8_t>::Borrow(x);
      } else {
        auto x = a.x.As<Napi::Float32Array>();
        job.xf = async ? InputView<float>::Hold(env, x) : InputView<float>::Borrow(x);
      }
      job.args = a;
      job.args.x = Napi::TypedArray();  // the view above replaces the JS array
      job.od = out.Data();
      job.out = Napi::Persistent(static_cast<Napi::Object>(out));
      return RunJob(env, fn, async, std::move(job));
    });
  }

  // run(x, threads?) → Promise<Float32Array>
  Napi::Value Run(const Napi::CallbackInfo& info) { return RunAny(info, true); }

  // runSync(x, threads?) → Float32Array
  Napi::Value RunSync(const Napi::CallbackInfo& info) { return RunAny(info, false); }

  std::unique_ptr<PackedMlp> mlp_;
};

}  // namespace

void InitMlpForwardBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeMlp", NativeMlpWrap::Define(env));
}

}  // namespace spreadvec
