#include "napi_args.h"

#include <cmath>

#include "parallel.h"

namespace spreadvec {

namespace {

std::string Prefixed(const std::string& fn, const std::string& msg) { return fn.empty() ? msg : fn + ": " + msg; }

// A number that converts to int64_t exactly (NaN, ±Infinity, fractions and values
// beyond ±2^63 do not).
bool IsInt64(double v) { return std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9223372036854775808.0; }

// The argument as a double; TypeError "<name> must be an integer" unless it is a number.
double IntegerNumber(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) TypeFail(fn, std::string(name) + " must be an integer");
  return info[i].As<Napi::Number>().DoubleValue();
}

}  // namespace

void TypeFail(const std::string& fn, const std::string& msg) { throw ArgError{false, Prefixed(fn, msg)}; }
void RangeFail(const std::string& fn, const std::string& msg) { throw ArgError{true, Prefixed(fn, msg)}; }

Napi::Value ThrowJs(Napi::Env env, const ArgError& e) {
  if (e.range) {
    Napi::RangeError::New(env, e.message).ThrowAsJavaScriptException();
  } else {
    Napi::TypeError::New(env, e.message).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

bool IsTypedArrayOf(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name, int64_t min,
               int64_t max, IntBounds bounds, const char* max_text) {
  double v = IntegerNumber(info, i, fn, name);
  const std::string hi = max_text ? std::string(max_text) : std::to_string(max);
  if (bounds == IntBounds::kIntegerIn) {
    if (!IsInt64(v) || v < double(min) || v > double(max)) {
      RangeFail(fn, std::string(name) + " must be an integer in [" + std::to_string(min) + ", " + hi + "]");
    }
    return static_cast<int64_t>(v);
  }
  if (!IsInt64(v)) TypeFail(fn, std::string(name) + " must be an integer");
  int64_t n = static_cast<int64_t>(v);
  if (n < min || n > max) {
    RangeFail(fn, std::string(name) + " must be in [" + std::to_string(min) + ", " + hi + "], got " +
                      std::to_string(n));
  }
  return n;
}

int64_t IntAtLeastArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name,
                      int64_t min) {
  double v = IntegerNumber(info, i, fn, name);
  if (!IsInt64(v)) TypeFail(fn, std::string(name) + " must be an integer");
  int64_t n = static_cast<int64_t>(v);
  if (n < min) RangeFail(fn, std::string(name) + " must be >= " + std::to_string(min));
  return n;
}

int ThreadsArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn) {
  if (i >= info.Length() || info[i].IsUndefined()) return default_threads();
  const int t = static_cast<int>(IntArg(info, i, fn, "threads", 0, 1024, IntBounds::kIntegerIn));
  return t == 0 ? default_threads() : t;
}

bool InSharedBuffer(Napi::Env env, const Napi::TypedArray& a) {
  bool plain = true;
  napi_status st = napi_is_arraybuffer(env, a.ArrayBuffer(), &plain);
  return st == napi_ok && !plain;
}

double NumberArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) TypeFail(fn, std::string(name) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  // A NaN learning rate or scale would silently poison every weight it touches.
  if (!std::isfinite(v)) RangeFail(fn, std::string(name) + " must be finite, got " + std::to_string(v));
  return v;
}

}  // namespace spreadvec
