#include "cpu_features.h"

#include <atomic>
#include <cstdlib>

namespace spreadvec {

namespace {

Isa probe() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
  return Isa::Scalar;
#elif defined(__aarch64__)
  return Isa::Neon;  // NEON is part of the arm64 baseline.
#else
  return Isa::Scalar;
#endif
}

std::atomic<int> forced{-1};

int initial_forced() {
  const char* env = std::getenv("SPREADVEC_ISA");
  Isa isa;
  if (env && parse_isa(env, &isa)) return static_cast<int>(isa);
  return -1;
}

}  // namespace

Isa detected_isa() {
  static const Isa isa = probe();
  return isa;
}

Isa active_isa() {
  static const int from_env = initial_forced();
  int f = forced.load(std::memory_order_relaxed);
  if (f < 0) f = from_env;
  Isa best = detected_isa();
  if (f < 0 || f > static_cast<int>(best)) return best;
  // Neon and the x86 levels are different families: a forced x86 level on arm64
  // (or the reverse) falls back to scalar.
  Isa want = static_cast<Isa>(f);
  if ((want == Isa::Neon) != (best == Isa::Neon) && want != Isa::Scalar) return Isa::Scalar;
  return want;
}

bool set_active_isa(Isa isa) {
  Isa best = detected_isa();
  bool ok = isa == Isa::Scalar || isa == best ||
            (best != Isa::Neon && isa != Isa::Neon && static_cast<int>(isa) <= static_cast<int>(best));
  if (!ok) return false;
  forced.store(static_cast<int>(isa));
  return true;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    case Isa::Neon: return "neon";
    default: return "scalar";
  }
}

bool parse_isa(const std::string& name, Isa* out) {
  if (name == "scalar") *out = Isa::Scalar;
  else if (name == "neon") *out = Isa::Neon;
  else if (name == "avx2") *out = Isa::Avx2;
  else if (name == "avx512") *out = Isa::Avx512;
  else return false;
  return true;
}

}  // namespace spreadvec
