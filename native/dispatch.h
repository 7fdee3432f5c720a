// The dispatch table: for each kernel with per-ISA variants, the variant that runs.
// One table per instruction set is built in (dispatch.cc); the active one is chosen
// at start-up (the best the CPU runs, capped by SPREADVEC_ISA) and again whenever
// set_active_isa() changes the ISA. Kernels read it once per call through kernels(),
// so a kernel needs no ISA switch of its own, and active_isa() is the table's ISA: the
// one that runs.
#pragma once
#include "cpu_features.h"
#include "decode_scan_kernels.h"
#include "gemm_kernels.h"
#include "knn_kernels.h"
#include "pq.h"
#include "zn_codec_kernels.h"

namespace spreadvec {

struct KernelTable {
  Isa isa;
  knn_detail::ScanBelowFn knn_scan_below;           // knn.cc: top-k candidate scan
  PqGroupDistancesFn pq_group_distances;            // pq.cc: batched ADC distances
  ScoreBlockFn decode_scan_score_block;             // decode_scan.cc: block × queries
  zn_detail::BestAtomFn zn_best_atom;               // zn_codec.cc: quantize
  const zn_detail::Decoders* zn_decoders;           // zn_codec.cc: decode
  SgemmFn sgemm;                                    // gemm.cc: packed SGEMM
};

// The table of the active ISA (thread-safe; a kernel reads it once per call, so a
// set_active_isa() during a call takes effect at the next one).
const KernelTable& kernels();

// Makes the table of `isa` the active one; `isa` must run here (isa_runs_here).
void select_kernels(Isa isa);

}  // namespace spreadvec
