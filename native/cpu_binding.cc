// Glue: which SIMD instruction set the kernels use, and a way to force a lower one.
#include <napi.h>

#include "bindings.h"
#include "cpu_features.h"
#include "napi_args.h"

namespace spreadvec {

namespace {

Napi::Value ActiveIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(active_isa()));
}

Napi::Value DetectedIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(detected_isa()));
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsString()) TypeFail("setIsa", "isa must be a string");
    std::string name = info[0].As<Napi::String>().Utf8Value();
    Isa isa;
    if (!parse_isa(name, &isa)) RangeFail("setIsa", "unknown isa '" + name + "' (scalar, neon, avx2, avx512)");
    return Napi::Boolean::New(env, set_active_isa(isa));
  });
}

}  // namespace

void InitCpuBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("activeIsa", Napi::Function::New(env, ActiveIsa));
  exports.Set("detectedIsa", Napi::Function::New(env, DetectedIsa));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
}

}  // namespace spreadvec
