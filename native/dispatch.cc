// The built-in dispatch tables and the active one (see dispatch.h).
#include "dispatch.h"

#include <atomic>

namespace spreadvec {

namespace {

constexpr KernelTable kScalarKernels{
    Isa::Scalar,
    knn_detail::scan_below_scalar,
    pq_group_distances_scalar,
    score_block_scalar,
    zn_detail::best_atom_scalar,
    &zn_portable::kDecoders,
    sgemm_portable,
};

#if defined(__x86_64__) || defined(_M_X64)
constexpr KernelTable kAvx2Kernels{
    Isa::Avx2,
    knn_detail::scan_below_avx2,
    pq_group_distances_avx2,
    score_block_avx2,
    zn_detail::best_atom_avx2,
    &zn_portable::kDecoders,  // there is no AVX2 build of the decoder
    sgemm_avx2,
};

constexpr KernelTable kAvx512Kernels{
    Isa::Avx512,
    knn_detail::scan_below_avx512,
    pq_group_distances_avx512,
    score_block_avx512,
    zn_detail::best_atom_avx512,
    &zn_avx512::kDecoders,
    sgemm_avx512,
};
#endif

const KernelTable* table_of(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: return &kAvx512Kernels;
    case Isa::Avx2: return &kAvx2Kernels;
#endif
    default: return &kScalarKernels;
  }
}

// Function-local so that it is initialized on first use, whatever the order in
// which the addon's static constructors run.
std::atomic<const KernelTable*>& active_table() {
  static std::atomic<const KernelTable*> table{table_of(start_up_isa())};
  return table;
}

}  // namespace

const KernelTable& kernels() { return *active_table().load(std::memory_order_acquire); }

void select_kernels(Isa isa) { active_table().store(table_of(isa), std::memory_order_release); }

}  // namespace spreadvec
