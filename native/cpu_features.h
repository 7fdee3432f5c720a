// Run-time choice of the SIMD instruction set. Kernels are compiled once per ISA
// (files *_avx2.cc, *_avx512.cc) and the dispatcher calls the best one the CPU
// supports, never higher than a forced choice (SPREADVEC_ISA or setIsa()).
#pragma once
#include <string>

namespace spreadvec {

enum class Isa { Scalar = 0, Neon = 1, Avx2 = 2, Avx512 = 3 };

// Best ISA this CPU supports and this build contains.
Isa detected_isa();
// The ISA kernels use now: detected_isa() capped by the forced choice.
Isa active_isa();
// Force a lower ISA (tests compare every variant with the reference).
// Returns false if the CPU or build cannot run `isa`.
bool set_active_isa(Isa isa);
const char* isa_name(Isa isa);
// Parses "scalar", "neon", "avx2", "avx512"; returns false when unknown.
bool parse_isa(const std::string& name, Isa* out);

}  // namespace spreadvec
