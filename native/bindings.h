// One registration function per module's N-API glue (see addon.cc).
#pragma once
#include <napi.h>

namespace spreadvec {

void InitCpuBinding(Napi::Env env, Napi::Object exports);    // cpu_binding.cc
void InitCodecBinding(Napi::Env env, Napi::Object exports);  // zn_codec_binding.cc
void InitScanBinding(Napi::Env env, Napi::Object exports);   // scan_binding.cc
void InitMlpBinding(Napi::Env env, Napi::Object exports);    // mlp_binding.cc
void InitPqBinding(Napi::Env env, Napi::Object exports);     // pq_binding.cc
void InitKnnBinding(Napi::Env env, Napi::Object exports);    // knn_binding.cc
void InitMlpForwardBinding(Napi::Env env, Napi::Object exports);  // mlp_forward_binding.cc
void InitFlatScanBinding(Napi::Env env, Napi::Object exports);    // flat_scan_binding.cc

}  // namespace spreadvec
