// Argument checks shared by the N-API glue files (*_binding.cc). A failed check
// throws ArgError (a plain C++ exception, so that a parser can stop at the first bad
// argument without threading a bool through every call); the binding catches it at
// its entry point and turns it into a JS TypeError or RangeError with ThrowJs.
// Messages read "<fn>: <name> must be ...", so that they name the function and the
// argument; an empty fn leaves the prefix out.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

namespace spreadvec {

struct ArgError {
  bool range;  // RangeError (a value out of bounds) rather than TypeError (wrong kind)
  std::string message;
};

[[noreturn]] void TypeFail(const std::string& fn, const std::string& msg);
[[noreturn]] void RangeFail(const std::string& fn, const std::string& msg);

// Sets e as the pending JS exception; returns undefined for the binding to return.
Napi::Value ThrowJs(Napi::Env env, const ArgError& e);

// body() for a binding's entry point, an ArgError thrown by it becoming the pending
// JS exception (and undefined).
template <class F>
Napi::Value Guarded(Napi::Env env, F&& body) {
  try {
    return body();
  } catch (const ArgError& e) {
    return ThrowJs(env, e);
  }
}

template <class T>
struct TypedArrayName;  // the JS class name, with its article, for each typed array
template <>
struct TypedArrayName<Napi::Float32Array> {
  static constexpr napi_typedarray_type type = napi_float32_array;
  static constexpr const char* text = "a Float32Array";
};
template <>
struct TypedArrayName<Napi::Int32Array> {
  static constexpr napi_typedarray_type type = napi_int32_array;
  static constexpr const char* text = "an Int32Array";
};
template <>
struct TypedArrayName<Napi::Uint8Array> {
  static constexpr napi_typedarray_type type = napi_uint8_array;
  static constexpr const char* text = "a Uint8Array";
};

bool IsTypedArrayOf(const Napi::Value& v, napi_typedarray_type type);

// info[i] as a typed array T (Napi::Float32Array, Napi::Int32Array, Napi::Uint8Array);
// TypeError "<name> must be a Float32Array" when absent or of another kind.
template <class T>
T TypedArrayArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name) {
  if (i >= info.Length() || !IsTypedArrayOf(info[i], TypedArrayName<T>::type)) {
    TypeFail(fn, std::string(name) + " must be " + TypedArrayName<T>::text);
  }
  return info[i].As<T>();
}

// How an integer argument out of its bounds is reported. The bindings grew two
// phrasings whose error classes differ, and tests match both, so both are kept.
enum class IntBounds {
  // TypeError "must be an integer" for a non-integer; RangeError
  // "must be in [min, max], got n" for one out of bounds.
  kInRange,
  // RangeError "must be an integer in [min, max]" for a non-integer or one out of bounds.
  kIntegerIn,
};

// info[i] as an integer in [min, max]; TypeError "<name> must be an integer" when it is
// absent or not a number. max_text, if given, replaces max in the message (e.g. "2^20").
int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name, int64_t min,
               int64_t max, IntBounds bounds = IntBounds::kInRange, const char* max_text = nullptr);

// info[i] as an integer >= min; RangeError "<name> must be >= min" below it.
int64_t IntAtLeastArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name,
                      int64_t min);

// Optional trailing thread count: default_threads() when absent or undefined. With
// zero_is_default, 0 also means default_threads() and the bounds are [0, 1024]
// (phrased IntBounds::kIntegerIn); otherwise they are [1, 1024] (IntBounds::kInRange).
int ThreadsArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, bool zero_is_default = false);

// info[i] as a number; TypeError "<name> must be a number" when absent or not one.
double NumberArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name);

}  // namespace spreadvec
