// Internal to the Zn codec: the codec's tables (ZnSphereCodec::Impl) and the rank
// arithmetic shared by zn_codec.cc and the ISA-specific decoders
// (zn_codec_avx512.cc). Not part of the public interface.
// The small inline helpers here have internal linkage (static) so that the copies
// compiled with AVX-512 flags never replace the portable ones at link time.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "zn_codec.h"

namespace spreadvec {

using u128 = unsigned __int128;

namespace zn_detail {

// Rank arithmetic of one width (uint64 fast path or u128).
template <class R>
struct RankTables {
  int stride = 0;          // dim + 1
  std::vector<R> binom_t;  // binom_t[k * stride + q] = C(q, k), saturating, k <= kmax, q <= dim
  std::vector<R> offsets;  // natom + 1 cumulative atom sizes (offsets[natom] = nv)
  std::vector<R> radix;    // per explicit level C(n_level, count_level)
  std::vector<uint64_t> magic;  // per level floor((2^64 - 1) / radix) (uint64 path)
  R nv = 0;

  const R* row(int k) const { return binom_t.data() + static_cast<size_t>(k) * stride; }
};

// n / d and n % d. The uint64 path multiplies by a precomputed reciprocal
// m = floor((2^64 - 1) / d): the estimate is at most one below the quotient.
template <class R>
static inline R div_mod(R n, R d, uint64_t, R* rem) {
  R q = n / d;
  *rem = n - q * d;
  return q;
}

template <>
inline uint64_t div_mod<uint64_t>(uint64_t n, uint64_t d, uint64_t m, uint64_t* rem) {
  uint64_t q = static_cast<uint64_t>((static_cast<u128>(n) * m) >> 64);
  uint64_t r = n - q * d;
  const bool fix = r >= d;
  q += fix;
  r -= fix ? d : 0;
  *rem = r;
  return q;
}

template <class R>
static inline R load_rank(const uint8_t* code, int bytes) {
  R r = 0;
  for (int b = bytes - 1; b >= 0; b--) r = (r << 8) | code[b];
  return r;
}

template <>
inline uint64_t load_rank<uint64_t>(const uint8_t* code, int bytes) {
  uint64_t r = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::memcpy(&r, code, bytes);
#else
  for (int b = bytes - 1; b >= 0; b--) r = (r << 8) | code[b];
#endif
  return r;
}

template <class R>
static inline void store_rank(R r, uint8_t* code, int bytes) {
  for (int b = 0; b < bytes; b++) {
    code[b] = static_cast<uint8_t>(r & 0xff);
    r >>= 8;
  }
}

}  // namespace zn_detail

struct ZnSphereCodec::Impl {
  int dim = 0, r2 = 0, nbit = 0, code_bytes = 0, natom = 0;
  int max_nnz = 0;    // largest nnz of an atom (rows of the quantize table)
  int kmax = 0;       // largest count of an explicit level (rows of the binomials)
  bool wide = false;  // ranks need the u128 path
  u128 nv = 0;
  std::vector<int32_t> patterns;  // natom x dim
  // Per atom: nonzeros, its explicit levels [lev_begin, lev_end), the value that
  // fills the rest (the most frequent one, ties to the smaller value).
  std::vector<int> nnz, lev_begin, lev_end, implicit_value;
  // Per explicit level: value, count, free positions before it.
  std::vector<int> lev_value, lev_count, lev_n;
  std::vector<uint16_t> identity;  // 0, 1, ..., dim - 1
  zn_detail::RankTables<uint64_t> t64;
  zn_detail::RankTables<u128> t128;
  int npad = 0;                    // natom rounded up to 64
  std::vector<double> atom_t;      // max_nnz x npad transposed atoms (quantize scores)
  std::vector<int32_t> int_value;  // value v -> v (decode to integers)
  std::vector<float> unit_value;   // value v -> float(v / sqrt(r2))
  std::vector<int8_t> int8_value;  // value v -> v when v <= 127 (else 0: never used)
  float int8_unit[256];            // int8 coordinate (as uint8 byte) -> its unit float, 0 off the sphere

  void build(int d, int r);
  template <class R>
  void fill_tables(zn_detail::RankTables<R>* t) const;
  int find_pattern(const int32_t* sorted_abs) const;

  template <class R>
  R encode_atom(const zn_detail::RankTables<R>& t, const int32_t* z, int a) const;
  int quantize_to(const float* x, int32_t* z) const;  // returns the atom
};

}  // namespace spreadvec
