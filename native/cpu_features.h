// Run-time choice of the SIMD instruction set. Kernels are compiled once per ISA
// (files *_avx2.cc, *_avx512.cc); the dispatch table (dispatch.h) holds the variants
// of the active ISA: the best one the CPU supports and this build contains, never
// higher than a forced choice (SPREADVEC_ISA or setIsa()).
#pragma once
#include <string>

namespace spreadvec {

enum class Isa { Scalar = 0, Neon = 1, Avx2 = 2, Avx512 = 3 };

// Best ISA this CPU supports and this build has kernels for. On arm64 that is
// scalar: no kernel has a NEON variant yet, so "neon" is never reported or run.
Isa detected_isa();
// True when this build has kernels for `isa` and the CPU runs them.
bool isa_runs_here(Isa isa);
// The ISA the kernels run at start-up: detected_isa(), capped by SPREADVEC_ISA.
Isa start_up_isa();
// The ISA of the active dispatch table: the kernels that run now.
Isa active_isa();
// Force another ISA (tests compare every variant with the reference).
// Returns false (and changes nothing) if the CPU or build cannot run `isa`.
bool set_active_isa(Isa isa);
const char* isa_name(Isa isa);
// Parses "scalar", "neon", "avx2", "avx512"; returns false when unknown.
bool parse_isa(const std::string& name, Isa* out);

}  // namespace spreadvec
