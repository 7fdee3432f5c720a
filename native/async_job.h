// The one shape of every binding that runs a kernel, sync or async: validated
// arguments → a plain C++ job → a result converter.
//
// A job is a movable struct with
//   void run();                           // the kernel: plain C++, any thread, no N-API
//   Napi::Value result(Napi::Env) const;  // JS thread: the value the call returns / resolves
//                                         // (may throw KernelError too)
// and optionally `void settled()` (JS thread, after success or failure: e.g. to free
// the object the job worked on). Its inputs are InputViews (napi_args.h): Borrow for a
// sync call, Hold for an async one (copies, or shared memory in place), which is what
// keeps a detached or reused input from reaching freed memory; outputs are either its
// own vectors (copied out in result()) or arrays allocated before it runs and held by
// reference (JS sees them only once the promise resolves).
//
// Kernels report errors by throwing KernelError; JsErrorOf() is the one place that
// turns one into a JS error, for sync and async calls alike.
#pragma once
#include <napi.h>

#include "napi_args.h"

#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace spreadvec {

// The one exception type of the kernels and jobs. `range`: the input's values are out
// of the kernel's domain (a JS RangeError); otherwise a plain Error.
class KernelError : public std::runtime_error {
 public:
  explicit KernelError(const std::string& message, bool range = true) : std::runtime_error(message), range_(range) {}
  bool range() const { return range_; }

 private:
  bool range_;
};

// "<fn>: <message>" as a RangeError or an Error.
inline Napi::Error JsErrorOf(Napi::Env env, const std::string& fn, const KernelError& e) {
  const std::string message = fn + ": " + e.what();
  if (e.range()) return Napi::RangeError::New(env, message);
  return Napi::Error::New(env, message);
}

namespace job_detail {

template <class Job, class = void>
struct HasSettled : std::false_type {};
template <class Job>
struct HasSettled<Job, std::void_t<decltype(std::declval<Job&>().settled())>> : std::true_type {};

template <class Job>
void Settle(Job& job) {
  if constexpr (HasSettled<Job>::value) job.settled();
}

// Runs job.run(); any exception becomes a KernelError (a foreign one as a plain Error).
template <class Job>
bool RunCaught(Job& job, KernelError* error) {
  try {
    job.run();
    return true;
  } catch (const KernelError& e) {
    *error = e;
  } catch (const std::bad_alloc&) {
    *error = KernelError("out of memory", false);
  } catch (const std::exception& e) {
    *error = KernelError(e.what(), false);
  }
  return false;
}

// job.result(env) into *value; a KernelError it throws into *error.
template <class Job>
bool ResultCaught(const Job& job, Napi::Env env, Napi::Value* value, KernelError* error) {
  try {
    *value = job.result(env);
    return true;
  } catch (const KernelError& e) {
    *error = e;
    return false;
  }
}

template <class Job>
class JobWorker : public Napi::AsyncWorker {
 public:
  JobWorker(Napi::Env env, const std::string& fn, Job job)
      : Napi::AsyncWorker(env, fn.c_str()), fn_(fn), job_(std::move(job)),
        deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override { ok_ = RunCaught(job_, &error_); }
  void OnOK() override {
    Settle(job_);
    Napi::Value value;
    if (ok_) ok_ = ResultCaught(job_, Env(), &value, &error_);
    if (ok_) {
      deferred_.Resolve(value);
    } else {
      deferred_.Reject(JsErrorOf(Env(), fn_, error_).Value());
    }
  }
  void OnError(const Napi::Error& e) override {  // (not reached: Execute never calls SetError)
    Settle(job_);
    deferred_.Reject(e.Value());
  }

 private:
  std::string fn_;
  Job job_;  // holds its inputs (copies or shared memory) until the worker is gone
  Napi::Promise::Deferred deferred_;
  bool ok_ = false;
  KernelError error_{""};
};

}  // namespace job_detail

// Runs `job` on a libuv worker; returns the Promise of job.result().
template <class Job>
Napi::Value QueueJob(Napi::Env env, const std::string& fn, Job job) {
  auto* w = new job_detail::JobWorker<Job>(env, fn, std::move(job));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// Runs `job` on the calling thread; returns job.result(), or undefined with the JS
// error pending.
template <class Job>
Napi::Value RunJobSync(Napi::Env env, const std::string& fn, Job& job) {
  KernelError error("");
  bool ok = job_detail::RunCaught(job, &error);
  job_detail::Settle(job);
  Napi::Value value;
  if (ok) ok = job_detail::ResultCaught(job, env, &value, &error);
  if (!ok) {
    JsErrorOf(env, fn, error).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return value;
}

// A sync or async twin: RunJobSync or QueueJob.
template <class Job>
Napi::Value RunJob(Napi::Env env, const std::string& fn, bool async, Job job) {
  if (async) return QueueJob(env, fn, std::move(job));
  return RunJobSync(env, fn, job);
}

// The body of a binding with a sync and an async twin: `fn` is the name it was called
// by, `async` whether it was the async one.
using TwinBody = Napi::Value (*)(const Napi::CallbackInfo& info, const std::string& fn, bool async);

// Exports `body` under both names; an ArgError it throws becomes the pending JS
// TypeError / RangeError (Guarded, napi_args.h).
inline void ExportTwins(Napi::Env env, Napi::Object exports, const char* sync_name, const char* async_name,
                        TwinBody body) {
  for (const bool async : {false, true}) {
    const std::string fn = async ? async_name : sync_name;
    exports.Set(fn, Napi::Function::New(env, [body, fn, async](const Napi::CallbackInfo& info) {
                  return Guarded(info.Env(), [&] { return body(info, fn, async); });
                }));
  }
}

}  // namespace spreadvec
