// Internal to the Zn codec: the atom-scoring kernel of quantize, one variant per
// instruction set (zn_codec.cc scalar, zn_codec_avx2.cc, zn_codec_avx512.cc).
#pragma once
#include <cstdint>

namespace spreadvec {
namespace zn_detail {

// Scores score[a] = sum_{i < nrow} atom_t[i * npad + a] * xs[i], summed in double in
// order i = 0, 1, ... (products are exact: small integers times float32 values),
// and returns the first atom a < natom with the largest score. atom_t is the
// transposed atom table, padded with zero columns up to npad (a multiple of 64).
int best_atom_scalar(const double* atom_t, int npad, int natom, int nrow, const double* xs);
int best_atom_avx2(const double* atom_t, int npad, int natom, int nrow, const double* xs);
int best_atom_avx512(const double* atom_t, int npad, int natom, int nrow, const double* xs);

}  // namespace zn_detail
}  // namespace spreadvec
