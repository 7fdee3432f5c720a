// Argument checks shared by the N-API glue files (*_binding.cc). A failed check
// throws ArgError (a plain C++ exception, so that a parser can stop at the first bad
// argument without threading a bool through every call); the binding catches it at
// its entry point and turns it into a JS TypeError or RangeError with ThrowJs.
// Messages read "<fn>: <name> must be ...", so that they name the function and the
// argument; an empty fn leaves the prefix out.
#pragma once
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

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

// The one meaning of a `threads` argument, in every binding: the number of native
// threads the kernel may use. Absent, undefined or 0: default_threads()
// (SPREADVEC_THREADS, else the core count); 1 to 1024: that many; anything else is a
// RangeError "threads must be an integer in [0, 1024]".
int ThreadsArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn);

// info[i] as a number; TypeError "<name> must be a number" when absent or not one.
double NumberArg(const Napi::CallbackInfo& info, size_t i, const std::string& fn, const char* name);

// True when the typed array's memory belongs to a SharedArrayBuffer (N-API reports
// a SharedArrayBuffer as "not an ArrayBuffer").
bool InSharedBuffer(Napi::Env env, const Napi::TypedArray& a);

// The elements of a typed-array argument as a kernel reads them, possibly on a worker
// thread after the call has returned to JS. A reference alone does not protect such a
// read: the caller may detach a plain ArrayBuffer (transfer it with structuredClone or
// postMessage) and its new owner free the memory while the worker reads it.
//  - Borrow: the array's own memory, for synchronous calls (JS cannot run meanwhile).
//  - Hold: for asynchronous calls. The elements are copied now, unless they live in a
//    SharedArrayBuffer, which cannot be detached and whose memory the reference keeps
//    alive; its contents may still change under the kernel (another thread), so the
//    kernels reading held arrays must stay in bounds whatever the values.
//  - Copy: always a private copy (index arrays that a kernel trusts after validating).
// `count` (default: all) limits the elements read, and so copied. Destroy on the JS
// thread (it may hold a reference): AsyncWorker members and captures are.
template <class T>
class InputView {
 public:
  InputView() = default;

  static InputView Borrow(const Napi::TypedArrayOf<T>& a, size_t count = SIZE_MAX) {
    InputView v;
    v.size_ = std::min(count, a.ElementLength());
    v.data_ = v.size_ ? a.Data() : nullptr;
    return v;
  }

  static InputView Hold(Napi::Env env, const Napi::TypedArrayOf<T>& a, size_t count = SIZE_MAX) {
    if (!InSharedBuffer(env, a)) return Copy(a, count);
    InputView v = Borrow(a, count);
    v.ref_ = Napi::Persistent(static_cast<Napi::Value>(a));
    return v;
  }

  static InputView Copy(const Napi::TypedArrayOf<T>& a, size_t count = SIZE_MAX) {
    InputView v;
    v.size_ = std::min(count, a.ElementLength());
    if (v.size_) {
      v.copy_.resize(v.size_);
      std::memcpy(v.copy_.data(), a.Data(), v.size_ * sizeof(T));
      v.data_ = v.copy_.data();
    }
    return v;
  }

  const T* data() const { return data_; }
  size_t size() const { return size_; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  std::vector<T> copy_;  // (moving a vector keeps its buffer, so data_ stays valid)
  Napi::Reference<Napi::Value> ref_;
  const T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace spreadvec
