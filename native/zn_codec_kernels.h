// Internal to the Zn codec: the atom-scoring kernel of quantize, one variant per
// instruction set (zn_codec.cc scalar, zn_codec_avx2.cc, zn_codec_avx512.cc), and
// the decoders (zn_codec.cc portable, zn_codec_avx512.cc). The dispatch table
// (dispatch.h) holds the ones that run.
#pragma once
#include <cstddef>
#include <cstdint>

#include "zn_codec.h"

namespace spreadvec {
namespace zn_detail {

// Scores score[a] = sum_{i < nrow} atom_t[i * npad + a] * xs[i], summed in double in
// order i = 0, 1, ... (products are exact: small integers times float32 values),
// and returns the first atom a < natom with the largest score. atom_t is the
// transposed atom table, padded with zero columns up to npad (a multiple of 64).
using BestAtomFn = int (*)(const double* atom_t, int npad, int natom, int nrow, const double* xs);
int best_atom_scalar(const double* atom_t, int npad, int natom, int nrow, const double* xs);
int best_atom_avx2(const double* atom_t, int npad, int natom, int nrow, const double* xs);
int best_atom_avx512(const double* atom_t, int npad, int natom, int nrow, const double* xs);

// Reduces the per-lane bests of the SIMD best_atom kernels to one atom: the largest
// score, ties to the smaller atom (the scalar order); lanes of padding columns
// (atom >= natom) are skipped.
template <typename AtomIndex>
inline int best_of_lanes(const double* score, const AtomIndex* atom, int lanes, int natom) {
  int winner = -1;
  double top = -1.0;
  for (int j = 0; j < lanes; j++) {
    const int a = static_cast<int>(atom[j]);
    if (a >= natom) continue;
    if (score[j] > top || (score[j] == top && a < winner)) {
      top = score[j];
      winner = a;
    }
  }
  return winner < 0 ? 0 : winner;
}

// The decoders of one build of zn_codec_decode.inc: a code to z mapped through
// `values` (value v -> values[v]: floats z/sqrt(r2), int32 or int8), or n codes to
// floats. Two builds: portable (zn_codec.cc) and AVX-512 + BMI2 (zn_codec_avx512.cc).
template <typename Out>
using DecodeFn = void (*)(const ZnSphereCodec::Impl& m, const uint8_t* code, const Out* values, Out* out);
struct Decoders {
  DecodeFn<float> unit;
  DecodeFn<int32_t> integer;
  DecodeFn<int8_t> int8;
  void (*unit_batch)(const ZnSphereCodec::Impl& m, const uint8_t* codes, size_t n, const float* values,
                     float* out);
};

}  // namespace zn_detail

// Defined by zn_codec_decode.inc in the namespace of each build.
namespace zn_portable {
extern const zn_detail::Decoders kDecoders;
}
namespace zn_avx512 {
extern const zn_detail::Decoders kDecoders;
}

}  // namespace spreadvec
