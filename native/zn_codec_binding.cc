// N-API glue of the spherical Zn codec (kernels in zn_codec.cc): validates the
// arguments, naming the bad one, and runs batch kernels over native threads as jobs
// (async_job.h): on the calling thread (sync) or on a libuv worker (async, a Promise).
#include <napi.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "async_job.h"
#include "bindings.h"
#include "napi_args.h"
#include "parallel.h"
#include "zn_codec.h"

namespace spreadvec {

namespace {

constexpr size_t kGrain = 1024;  // vectors per parallel chunk

// The codec of arguments 0 and 1 (dim, r2). A fraction is a TypeError here, with
// the value, and the bounds are the codec's own (RangeError with its reason).
const ZnSphereCodec& CodecArg(const Napi::CallbackInfo& info, const std::string& fn) {
  const char* names[2] = {"dim", "r2"};
  int values[2];
  for (int i = 0; i < 2; i++) {
    if (info.Length() <= static_cast<size_t>(i) || !info[i].IsNumber()) {
      TypeFail(fn, std::string(names[i]) + " must be an integer");
    }
    double v = info[i].As<Napi::Number>().DoubleValue();
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 2147483647.0) {
      TypeFail(fn, std::string(names[i]) + " must be an integer, got " + std::to_string(v));
    }
    values[i] = static_cast<int>(v);
  }
  try {
    return zn_codec(values[0], values[1]);
  } catch (const std::exception& e) {
    RangeFail(fn, e.what());
  }
}

// Rows of `width` values in an array of `length`.
size_t RowsArg(const std::string& fn, const char* name, size_t length, size_t width, const char* unit) {
  if (length % width != 0) {
    RangeFail(fn, std::string(name) + " has " + std::to_string(length) + " values, not a multiple of " + unit + "=" +
                      std::to_string(width));
  }
  return length / width;
}

// ---- batch kernels (plain C++, run on any thread); throw KernelError ----

void QuantizeEncodeKernel(const ZnSphereCodec& codec, const float* x, size_t n, uint8_t* codes, int threads) {
  const size_t d = codec.dim(), cb = codec.code_bytes();
  for (size_t i = 0; i < n * d; i++) {
    if (!std::isfinite(x[i])) {
      throw KernelError("x holds a non-finite value (" + std::string(std::isnan(x[i]) ? "NaN" : "Infinity") +
                        ") at index " + std::to_string(i));
    }
  }
  // Each row is quantized from a private copy that is checked again: x may live in a
  // SharedArrayBuffer that another thread changes meanwhile, and the quantizer is
  // only defined on finite values.
  std::atomic<bool> changed{false};
  parallel_for(n, kGrain, threads, [&](size_t b, size_t e, int) {
    std::vector<float> row(d);
    for (size_t i = b; i < e; i++) {
      std::memcpy(row.data(), x + i * d, d * sizeof(float));
      bool finite = true;
      for (size_t j = 0; j < d; j++) finite = finite && std::isfinite(row[j]);
      if (!finite) {
        changed = true;
        std::memset(codes + i * cb, 0, cb);
        continue;
      }
      codec.quantize_encode(row.data(), codes + i * cb);
    }
  });
  if (changed) throw KernelError("x changed to hold a non-finite value while it was being quantized");
}

void RangeCheck(const ZnSphereCodec& codec, const uint8_t* codes, size_t n, int threads) {
  const size_t cb = codec.code_bytes();
  std::atomic<size_t> first_bad{n};
  parallel_for(n, kGrain * 16, threads, [&](size_t b, size_t e, int) {
    for (size_t i = b; i < e; i++) {
      if (!codec.code_in_range(codes + i * cb)) {
        size_t cur = first_bad.load();
        while (i < cur && !first_bad.compare_exchange_weak(cur, i)) {
        }
        return;
      }
    }
  });
  if (first_bad.load() < n) {
    throw KernelError("codes row " + std::to_string(first_bad.load()) + " holds a rank >= nv=" + codec.nv_string());
  }
}

void DecodeKernel(const ZnSphereCodec& codec, const uint8_t* codes, size_t n, bool as_float, void* out,
                  int threads) {
  RangeCheck(codec, codes, n, threads);
  const size_t d = codec.dim(), cb = codec.code_bytes();
  if (as_float) {
    float* f = static_cast<float*>(out);
    parallel_for(n, kGrain, threads, [&](size_t b, size_t e, int) { codec.decode_unit_batch(codes + b * cb, e - b, f + b * d); });
  } else {
    int8_t* o = static_cast<int8_t*>(out);
    parallel_for(n, kGrain, threads, [&](size_t b, size_t e, int) {
      for (size_t i = b; i < e; i++) codec.decode_int8(codes + i * cb, o + i * d);
    });
  }
}

// ---- glue ----

Napi::Value Info(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    const ZnSphereCodec& codec = CodecArg(info, "znInfo");
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("nv", codec.nv_string());
    o.Set("nbit", codec.nbit());
    o.Set("codeBytes", codec.code_bytes());
    o.Set("natom", codec.natom());
    return o;
  });
}

struct QuantizeArgs {
  const ZnSphereCodec* codec = nullptr;
  Napi::Float32Array x;
  size_t n = 0;
  int threads = 1;
};

// Throws ArgError on a bad argument.
void ParseQuantize(const Napi::CallbackInfo& info, const std::string& fn, QuantizeArgs* a) {
  a->codec = &CodecArg(info, fn);
  a->x = TypedArrayArg<Napi::Float32Array>(info, 2, fn, "x");
  a->n = RowsArg(fn, "x", a->x.ElementLength(), a->codec->dim(), "dim");
  a->threads = ThreadsArg(info, 3, fn);
}

// Quantize + rank as a job (async_job.h): x viewed (Hold when async), the codes
// written into a new array that JS sees only once the job is done.
struct QuantizeEncodeJob {
  const ZnSphereCodec* codec = nullptr;
  InputView<float> x;
  size_t n = 0;
  int threads = 1;
  Napi::Reference<Napi::Uint8Array> out;
  uint8_t* codes = nullptr;  // out's memory, taken on the main thread

  void run() { QuantizeEncodeKernel(*codec, x.data(), n, codes, threads); }
  Napi::Value result(Napi::Env) const { return out.Value(); }
};

Napi::Value QuantizeEncode(const Napi::CallbackInfo& info, const std::string& fn, bool async) {
  Napi::Env env = info.Env();
  QuantizeArgs a;
  ParseQuantize(info, fn, &a);
  Napi::Uint8Array out = Napi::Uint8Array::New(env, a.n * a.codec->code_bytes());
  QuantizeEncodeJob job;
  job.codec = a.codec;
  job.x = async ? InputView<float>::Hold(env, a.x) : InputView<float>::Borrow(a.x);
  job.n = a.n;
  job.threads = a.threads;
  job.codes = out.Data();
  job.out = Napi::Persistent(out);
  return RunJob(env, fn, async, std::move(job));
}

// znQuantize and znEncode are sync only and quick: their value checks are argument
// checks (ArgError, a RangeError naming the row or index).
Napi::Value Quantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    const char* fn = "znQuantize";
    QuantizeArgs a;
    ParseQuantize(info, fn, &a);
    const size_t d = a.codec->dim();
    const float* x = a.x.Data();
    for (size_t i = 0; i < a.n * d; i++) {
      if (!std::isfinite(x[i])) RangeFail(fn, "x holds a non-finite value at index " + std::to_string(i));
    }
    Napi::Int32Array out = Napi::Int32Array::New(env, a.n * d);
    for (size_t i = 0; i < a.n; i++) a.codec->quantize(x + i * d, out.Data() + i * d);
    return out;
  });
}

Napi::Value Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    const char* fn = "znEncode";
    const ZnSphereCodec& codec = CodecArg(info, fn);
    Napi::Int32Array z = TypedArrayArg<Napi::Int32Array>(info, 2, fn, "z");
    const size_t n = RowsArg(fn, "z", z.ElementLength(), codec.dim(), "dim");
    const size_t d = codec.dim(), cb = codec.code_bytes();
    Napi::Uint8Array out = Napi::Uint8Array::New(env, n * cb);
    for (size_t i = 0; i < n; i++) {
      if (!codec.encode(z.Data() + i * d, out.Data() + i * cb)) {
        RangeFail(fn, "z row " + std::to_string(i) + " is not a point of the sphere (squared norm must be r2=" +
                          std::to_string(codec.r2()) + ")");
      }
    }
    return out;
  });
}

struct DecodeArgs {
  const ZnSphereCodec* codec = nullptr;
  Napi::Value out;  // optional caller-supplied output array (undefined: allocate)
  Napi::Uint8Array codes;
  size_t n = 0;
  bool as_float = true;
  int threads = 1;
};

// Throws ArgError on a bad argument.
void ParseDecode(const Napi::CallbackInfo& info, const std::string& fn, DecodeArgs* a) {
  Napi::Env env = info.Env();
  a->codec = &CodecArg(info, fn);
  a->codes = TypedArrayArg<Napi::Uint8Array>(info, 2, fn, "codes");
  a->n = RowsArg(fn, "codes", a->codes.ElementLength(), a->codec->code_bytes(), "codeBytes");
  std::string as = info.Length() > 3 && info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "";
  if (as != "int8" && as != "float32") TypeFail(fn, "as must be 'int8' or 'float32'");
  a->as_float = as == "float32";
  if (!a->as_float && a->codec->r2() > 127 * 127) {
    RangeFail(fn, "as='int8' needs r2 <= 16129 (coordinates up to 127), got r2=" + std::to_string(a->codec->r2()));
  }
  a->threads = ThreadsArg(info, 4, fn);
  a->out = info.Length() > 5 ? info[5] : env.Undefined();
  if (!a->out.IsUndefined()) {
    const napi_typedarray_type want = a->as_float ? napi_float32_array : napi_int8_array;
    const size_t len = a->n * a->codec->dim();
    if (!IsTypedArrayOf(a->out, want) || a->out.As<Napi::TypedArray>().ElementLength() != len) {
      TypeFail(fn, std::string("out must be a") + (a->as_float ? " Float32Array" : "n Int8Array") + " of " +
                       std::to_string(len) + " elements");
    }
  }
}

Napi::Value NewDecodeOutput(Napi::Env env, const DecodeArgs& a, void** data) {
  if (!a.out.IsUndefined()) {
    *data = a.as_float ? static_cast<void*>(a.out.As<Napi::Float32Array>().Data())
                       : static_cast<void*>(a.out.As<Napi::Int8Array>().Data());
    return a.out;
  }
  size_t len = a.n * a.codec->dim();
  if (a.as_float) {
    Napi::Float32Array f = Napi::Float32Array::New(env, len);
    *data = f.Data();
    return f;
  }
  Napi::Int8Array i = Napi::Int8Array::New(env, len);
  *data = i.Data();
  return i;
}

// Decoding as a job (async_job.h). A caller's `out` in a plain ArrayBuffer could be
// detached while an async job writes: the job decodes into private memory (`stage`)
// then, and result() copies it into `out` on the JS thread at the end.
struct DecodeJob {
  const ZnSphereCodec* codec = nullptr;
  InputView<uint8_t> codes;
  size_t n = 0;
  bool as_float = true;
  int threads = 1;
  Napi::Reference<Napi::Value> out;
  void* data = nullptr;          // where run() writes: out's memory, or stage
  bool staged = false;
  std::vector<uint8_t> stage;    // (moving a vector keeps its buffer, so data stays valid)

  void run() { DecodeKernel(*codec, codes.data(), n, as_float, data, threads); }
  Napi::Value result(Napi::Env) const {
    Napi::Value v = out.Value();
    if (!staged) return v;
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    if (t.ByteLength() != stage.size()) throw KernelError("out was detached or resized while the call ran");
    if (!stage.empty()) std::memcpy(static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset(), stage.data(), stage.size());
    return v;
  }
};

Napi::Value Decode(const Napi::CallbackInfo& info, const std::string& fn, bool async) {
  Napi::Env env = info.Env();
  DecodeArgs a;
  ParseDecode(info, fn, &a);
  DecodeJob job;
  job.codec = a.codec;
  job.codes = async ? InputView<uint8_t>::Hold(env, a.codes) : InputView<uint8_t>::Borrow(a.codes);
  job.n = a.n;
  job.as_float = a.as_float;
  job.threads = a.threads;
  const bool staged = async && !a.out.IsUndefined() && !InSharedBuffer(env, a.out.As<Napi::TypedArray>());
  Napi::Value out;
  if (staged) {
    out = a.out;
    job.staged = true;
    job.stage.resize(a.n * a.codec->dim() * (a.as_float ? sizeof(float) : 1));
    job.data = job.stage.data();
  } else {
    out = NewDecodeOutput(env, a, &job.data);  // new, the caller's (sync), or shared memory
  }
  job.out = Napi::Persistent(out);
  return RunJob(env, fn, async, std::move(job));
}

}  // namespace

void InitCodecBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("znInfo", Napi::Function::New(env, Info));
  ExportTwins(env, exports, "znQuantizeEncode", "znQuantizeEncodeAsync", QuantizeEncode);
  exports.Set("znQuantize", Napi::Function::New(env, Quantize));
  exports.Set("znEncode", Napi::Function::New(env, Encode));
  ExportTwins(env, exports, "znDecode", "znDecodeAsync", Decode);
}

}  // namespace spreadvec
