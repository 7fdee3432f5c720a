// The addon's entry point: only registers the glue of each module. Kernels live in
// plain C++ files that know nothing of N-API; each *_binding.cc adapts one module.
#include <napi.h>

#include "bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  spreadvec::InitCpuBinding(env, exports);
  spreadvec::InitCodecBinding(env, exports);
  spreadvec::InitScanBinding(env, exports);
  spreadvec::InitMlpBinding(env, exports);
  spreadvec::InitPqBinding(env, exports);
  spreadvec::InitKnnBinding(env, exports);
  spreadvec::InitMlpForwardBinding(env, exports);
  spreadvec::InitFlatScanBinding(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(spreadvec, Init)
