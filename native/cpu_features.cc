#include "cpu_features.h"

#include <cstdlib>

#include "dispatch.h"

namespace spreadvec {

namespace {

Isa probe() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  // The AVX-512 table also holds the Zn decoder built with BMI2 (pdep) and popcnt:
  // every AVX-512 CPU has them, but they are checked all the same.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
  return Isa::Scalar;
#else
  // arm64 has NEON in its baseline, but no kernel has a NEON variant: what runs is
  // the scalar table, so that is what is reported.
  return Isa::Scalar;
#endif
}

bool is_x86_level(Isa isa) { return isa == Isa::Avx2 || isa == Isa::Avx512; }

}  // namespace

Isa detected_isa() {
  static const Isa isa = probe();
  return isa;
}

bool isa_runs_here(Isa isa) {
  const Isa best = detected_isa();
  return isa == Isa::Scalar || isa == best ||
         (is_x86_level(isa) && is_x86_level(best) && static_cast<int>(isa) <= static_cast<int>(best));
}

Isa start_up_isa() {
  const Isa best = detected_isa();
  const char* env = std::getenv("SPREADVEC_ISA");
  Isa want;
  if (!env || !parse_isa(env, &want)) return best;
  if (isa_runs_here(want)) return want;
  // An x86 level above what the CPU runs is capped at the best one; a level of the
  // other family (neon on x86-64, avx2 on arm64) falls back to scalar.
  return is_x86_level(want) && is_x86_level(best) ? best : Isa::Scalar;
}

Isa active_isa() { return kernels().isa; }

bool set_active_isa(Isa isa) {
  if (!isa_runs_here(isa)) return false;
  select_kernels(isa);
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
