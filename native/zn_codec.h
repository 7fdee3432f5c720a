// Spherical Zn lattice codec: the integer points z of Z^d with |z|^2 = r2, each
// coded by its exact rank in [0, nv) (no gaps). Plain C++ (no N-API): the codec
// glue (zn_codec_binding.cc) and the decode-and-scan kernels both call it.
//
// Rank layout (docs/lattice.md has the long form):
//   rank   = offset[atom] + within,   within = (perm << nnz) | signs
// where `atom` is the sorted non-negative pattern of |z| (atoms in lexicographically
// decreasing order), `perm` the mixed-radix rank of where the atom's values go
// (every distinct value but the most frequent one, largest first, picks its
// positions among those still free: colex rank; the most frequent value fills the
// rest), and `signs` one bit per nonzero coordinate (set = negative) in that
// placement order, each value's positions by decreasing position. Codes are stored little-endian in code_bytes() = ceil(nbit / 8)
// bytes. Ranks below 2^64 take a uint64 fast path; wider ones (up to 128 bits) are
// exact too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace spreadvec {

class ZnSphereCodec {
 public:
  // Throws std::invalid_argument when dim or r2 is < 1, when the sphere is empty
  // (e.g. dim=1, r2=2), when dim > kMaxDim, or when ranks would need > 128 bits.
  ZnSphereCodec(int dim, int r2);
  ~ZnSphereCodec();
  ZnSphereCodec(const ZnSphereCodec&) = delete;
  ZnSphereCodec& operator=(const ZnSphereCodec&) = delete;

  static constexpr int kMaxDim = 4096;
  static constexpr int kMaxBits = 128;

  int dim() const;
  int r2() const;
  int nbit() const;        // ceil(log2 nv)
  int code_bytes() const;  // ceil(nbit / 8)
  int natom() const;       // number of atoms (sorted non-negative patterns)
  std::string nv_string() const;  // nv in decimal

  // Nearest point of the sphere to x (max <x, z>; ties: see docs/lattice.md),
  // written as its rank. x holds dim() finite floats.
  void quantize_encode(const float* x, uint8_t* code) const;
  // Nearest point itself (dim() integers).
  void quantize(const float* x, int32_t* z) const;
  // Rank of z; returns false (code untouched) when z is not on the sphere.
  bool encode(const int32_t* z, uint8_t* code) const;
  // z of a rank. A code with rank >= nv gives an unspecified (but memory-safe)
  // output: check code_in_range() first where codes are untrusted.
  void decode(const uint8_t* code, int32_t* z) const;
  void decode_unit(const uint8_t* code, float* out) const;  // z / sqrt(r2)
  // z as int8 (throws std::invalid_argument unless r2 <= 127^2).
  void decode_int8(const uint8_t* code, int8_t* z) const;
  // n codes (n * code_bytes() bytes) to n * dim() floats z / sqrt(r2).
  void decode_unit_batch(const uint8_t* codes, size_t n, float* out) const;
  bool code_in_range(const uint8_t* code) const;  // rank < nv
  // out[i] for the n int8 coordinates z[i] (as decode_int8 writes them): the float
  // decode_unit gives for that coordinate, bit for bit, so that a scan of decoded
  // int8 rows equals the scan of the codes. A byte no point of the sphere has (|z|
  // above the largest coordinate) gives 0.
  void unit_of_int8(const int8_t* z, size_t n, float* out) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The codec for (dim, r2), built once and cached (thread-safe). Throws like the
// constructor.
const ZnSphereCodec& zn_codec(int dim, int r2);

}  // namespace spreadvec
