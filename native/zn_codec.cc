// Spherical Zn lattice codec: exact ranks of the points of {z in Z^d : |z|^2 = r2}.
// The rank layout and the tie rules of quantize are those of the TS reference
// (src/lattice/zn-codec.ts) and docs/lattice.md; tests check byte equality.
#include "zn_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cpu_features.h"
#include "zn_codec_kernels.h"

namespace spreadvec {

using u128 = unsigned __int128;

namespace {

constexpr int kMaxR2 = 1 << 20;       // keeps atom values ≤ 1024 (exact scores)
constexpr size_t kMaxAtoms = 1 << 20;  // enumeration guard

std::string to_decimal(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

int bits_for(u128 n) {  // ceil(log2 n), 0 for n <= 1
  if (n <= 1) return 0;
  u128 m = n - 1;
  int b = 0;
  while (m > 0) {
    b++;
    m >>= 1;
  }
  return b;
}

int isqrt(int n) {
  int s = static_cast<int>(std::sqrt(static_cast<double>(n)));
  while (s * s > n) s--;
  while ((s + 1) * (s + 1) <= n) s++;
  return s;
}

// Rank arithmetic of one width (uint64 fast path or u128).
template <class R>
struct RankTables {
  int stride = 0;          // kmax + 1
  std::vector<R> binom;    // binom[n * stride + k] = C(n, k), saturating, n <= dim
  std::vector<R> offsets;  // natom + 1 cumulative atom sizes (offsets[natom] = nv)
  std::vector<R> cdn;      // per atom C(dim, nnz)
  std::vector<R> radix;    // per level C(n_level, count_level)
  R nv = 0;

  R C(int n, int k) const { return binom[static_cast<size_t>(n) * stride + k]; }
};

template <class R>
R load_rank(const uint8_t* code, int bytes) {
  R r = 0;
  for (int b = bytes - 1; b >= 0; b--) r = (r << 8) | code[b];
  return r;
}

template <>
uint64_t load_rank<uint64_t>(const uint8_t* code, int bytes) {
  uint64_t r = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::memcpy(&r, code, bytes);
#else
  for (int b = bytes - 1; b >= 0; b--) r = (r << 8) | code[b];
#endif
  return r;
}

template <class R>
void store_rank(R r, uint8_t* code, int bytes) {
  for (int b = 0; b < bytes; b++) {
    code[b] = static_cast<uint8_t>(r & 0xff);
    r >>= 8;
  }
}

}  // namespace

struct ZnSphereCodec::Impl {
  int dim = 0, r2 = 0, nbit = 0, code_bytes = 0, natom = 0;
  int kmax = 0;     // largest nnz of an atom
  bool wide = false;  // ranks need the u128 path
  u128 nv = 0;
  std::vector<int32_t> patterns;  // natom x dim
  std::vector<int> nnz, lev_begin, lev_end, last_value;  // per atom
  std::vector<int> lev_value, lev_count;                 // per explicit level
  RankTables<uint64_t> t64;
  RankTables<u128> t128;
  int npad = 0;                  // natom rounded up to 64
  std::vector<double> atom_t;    // kmax x npad transposed atoms (quantize scores)
  std::vector<int32_t> int_value;  // value v -> v (decode to integers)
  std::vector<float> unit_value;   // value v -> float(v / sqrt(r2))

  void build(int d, int r);
  template <class R>
  void fill_tables(RankTables<R>* t) const;
  int find_pattern(const int32_t* sorted_abs) const;

  template <class R, class Out>
  void decode_rank(const RankTables<R>& t, R rank, const Out* values, Out* out) const;
  template <class R>
  R encode_atom(const RankTables<R>& t, const int32_t* z, int a) const;
  int quantize_to(const float* x, int32_t* z) const;  // returns the atom
};

void ZnSphereCodec::Impl::build(int d, int r) {
  if (d < 1) throw std::invalid_argument("dim must be >= 1, got " + std::to_string(d));
  if (r < 1) throw std::invalid_argument("r2 must be >= 1, got " + std::to_string(r));
  if (d > kMaxDim) {
    throw std::invalid_argument("dim=" + std::to_string(d) + " exceeds the native limit " + std::to_string(kMaxDim));
  }
  if (r > kMaxR2) {
    throw std::invalid_argument("r2=" + std::to_string(r) + " exceeds the native limit " + std::to_string(kMaxR2));
  }
  dim = d;
  r2 = r;
  // Atoms in lexicographically decreasing order (same recursion as atoms.ts).
  std::vector<int32_t> cur(d, 0);
  auto fill = [&](auto&& self, int i, int rest, int max_value) -> void {
    if (rest == 0) {
      if (patterns.size() / d >= kMaxAtoms) {
        throw std::invalid_argument("r2=" + std::to_string(r) + " has too many atoms at dim=" + std::to_string(d));
      }
      patterns.insert(patterns.end(), cur.begin(), cur.end());
      return;
    }
    if (i == d) return;
    const long left = d - i;
    for (int v = std::min(max_value, isqrt(rest)); v >= 1; v--) {
      if (left * v * v < rest) break;
      cur[i] = v;
      self(self, i + 1, rest - v * v, v);
      cur[i] = 0;
    }
  };
  fill(fill, 0, r, isqrt(r));
  natom = static_cast<int>(patterns.size() / d);
  if (natom == 0) {
    throw std::invalid_argument("r2=" + std::to_string(r) + " gives an empty sphere at dim=" + std::to_string(d) +
                                ": no integer vector has squared norm " + std::to_string(r));
  }
  // Per-atom structure: nonzeros and levels (distinct values, decreasing).
  nnz.resize(natom);
  lev_begin.resize(natom);
  lev_end.resize(natom);
  last_value.resize(natom);
  for (int a = 0; a < natom; a++) {
    const int32_t* p = &patterns[static_cast<size_t>(a) * d];
    int k = 0;
    while (k < d && p[k] != 0) k++;
    nnz[a] = k;
    kmax = std::max(kmax, k);
    lev_begin[a] = static_cast<int>(lev_value.size());
    int i = 0;
    while (i < k) {
      int j = i;
      while (j < k && p[j] == p[i]) j++;
      if (j < k) {  // not the last value: an explicit level
        lev_value.push_back(p[i]);
        lev_count.push_back(j - i);
      } else {
        last_value[a] = p[i];
      }
      i = j;
    }
    lev_end[a] = static_cast<int>(lev_value.size());
  }
  // Exact sizes in u128 (saturating binomials; overflow of nv means > 128 bits).
  fill_tables(&t128);
  bool overflow = false;
  u128 total = 0;
  t128.offsets.assign(1, 0);
  for (int a = 0; a < natom; a++) {
    u128 size = t128.cdn[a];
    for (int l = lev_begin[a]; l < lev_end[a]; l++) overflow |= __builtin_mul_overflow(size, t128.radix[l], &size);
    if (nnz[a] >= 128) overflow = true;
    else overflow |= __builtin_mul_overflow(size, u128(1) << nnz[a], &size);
    overflow |= __builtin_add_overflow(total, size, &total);
    if (overflow) break;
    t128.offsets.push_back(total);
  }
  // A saturated binomial (only possible beyond 128 bits) shows up as an overflow.
  if (overflow || total == ~u128(0)) {
    throw std::invalid_argument("dim=" + std::to_string(d) + ", r2=" + std::to_string(r) +
                                " needs codes wider than " + std::to_string(kMaxBits) + " bits");
  }
  nv = total;
  t128.nv = total;
  nbit = bits_for(nv);
  code_bytes = (nbit + 7) / 8;
  wide = nv >= (u128(1) << 64) || kmax >= 64;  // fast path: every rank and binomial < 2^64 - 1
  if (!wide) {
    fill_tables(&t64);
    t64.offsets.resize(t128.offsets.size());
    for (size_t i = 0; i < t128.offsets.size(); i++) t64.offsets[i] = static_cast<uint64_t>(t128.offsets[i]);
    t64.nv = static_cast<uint64_t>(nv);
  }
  // Quantize: transposed atoms as doubles, zero-padded.
  npad = (natom + 63) / 64 * 64;
  atom_t.assign(static_cast<size_t>(std::max(kmax, 1)) * npad, 0.0);
  for (int a = 0; a < natom; a++)
    for (int i = 0; i < nnz[a]; i++) atom_t[static_cast<size_t>(i) * npad + a] = patterns[static_cast<size_t>(a) * d + i];
  const int vmax = isqrt(r);
  const double root = std::sqrt(static_cast<double>(r));
  for (int v = 0; v <= vmax; v++) {
    int_value.push_back(v);
    unit_value.push_back(static_cast<float>(v / root));
  }
}

template <class R>
void ZnSphereCodec::Impl::fill_tables(RankTables<R>* t) const {
  const R sat = ~R(0);
  t->stride = kmax + 1;
  t->binom.assign(static_cast<size_t>(dim + 1) * t->stride, 0);
  for (int n = 0; n <= dim; n++) {
    t->binom[static_cast<size_t>(n) * t->stride] = 1;
    for (int k = 1; k <= std::min(n, kmax); k++) {
      R a = t->C(n - 1, k - 1), b = k <= n - 1 ? t->C(n - 1, k) : 0, s;
      if (__builtin_add_overflow(a, b, &s)) s = sat;
      t->binom[static_cast<size_t>(n) * t->stride + k] = s;
    }
  }
  t->cdn.resize(natom);
  t->radix.resize(lev_value.size());
  for (int a = 0; a < natom; a++) {
    t->cdn[a] = t->C(dim, nnz[a]);
    int n = nnz[a];
    for (int l = lev_begin[a]; l < lev_end[a]; l++) {
      t->radix[l] = t->C(n, lev_count[l]);
      n -= lev_count[l];
    }
  }
}

int ZnSphereCodec::Impl::find_pattern(const int32_t* sorted_abs) const {
  // Atoms are sorted lexicographically decreasing: binary search.
  int lo = 0, hi = natom - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    const int32_t* p = &patterns[static_cast<size_t>(mid) * dim];
    int c = 0;
    for (int i = 0; i < dim && c == 0; i++) c = p[i] > sorted_abs[i] ? -1 : p[i] < sorted_abs[i] ? 1 : 0;
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;  // pattern is larger: the target comes later
    else hi = mid - 1;
  }
  return -1;
}

// Decodes `rank` into out[0..dim) with values[v] the output of value v (negated for
// negative coordinates). Branch-light: the subset walks select with comparisons.
template <class R, class Out>
void ZnSphereCodec::Impl::decode_rank(const RankTables<R>& t, R rank, const Out* values, Out* out) const {
  // Last atom whose offset is <= rank (branchless binary search).
  const R* off = t.offsets.data();
  int a = 0;
  for (int len = natom; len > 1;) {
    int half = len / 2;
    a = off[a + half] <= rank ? a + half : a;
    len -= half;
  }
  R w = rank - off[a];
  const int k_nz = nnz[a];
  const R signs = w & ((R(1) << k_nz) - 1);
  w >>= k_nz;
  const R cdn = t.cdn[a];
  R perm = w / cdn;
  R sub = w - perm * cdn;

  // Values of the support slots, level by level over the free slots.
  int slot_value[kMaxDim > 256 ? 256 : kMaxDim];
  // Two free-slot lists; index -1 of each is a scratch cell for the branchless
  // writes of selected slots.
  int free_a[257], free_b[257];
  int* freel = free_a + 1;
  int* next = free_b + 1;
  int nfree = k_nz;
  for (int q = 0; q < k_nz; q++) {
    freel[q] = q;
    slot_value[q] = last_value[a];
  }
  for (int l = lev_begin[a]; l < lev_end[a]; l++) {
    R tl;
    if (l + 1 < lev_end[a]) {
      R quo = perm / t.radix[l];
      tl = perm - quo * t.radix[l];
      perm = quo;
    } else {
      tl = perm;
    }
    const int value = lev_value[l];
    int kk = lev_count[l];
    int wpos = nfree - kk - 1;
    int q = nfree - 1;
    for (; kk > 0; q--) {
      const R c = t.C(q, kk);
      const bool sel = tl >= c;
      const int f = freel[q];
      tl -= sel ? c : R(0);
      slot_value[f] = sel ? value : slot_value[f];
      next[wpos] = f;  // overwritten later when f was selected
      wpos -= !sel;
      kk -= sel;
    }
    for (; q >= 0; q--) next[q] = freel[q];  // the rest keep their order
    nfree -= lev_count[l];
    std::swap(freel, next);
  }
  // Support positions: walk p downward, slot k-1 sits at the k-th selected position.
  int k = k_nz;
  int p = dim - 1;
  for (; k > 0; p--) {
    const R c = t.C(p, k);
    const bool sel = sub >= c;
    sub -= sel ? c : R(0);
    const int slot = k - 1;
    const Out v = values[slot_value[slot]];
    const Out sv = ((signs >> slot) & 1) ? static_cast<Out>(-v) : v;
    out[p] = sel ? sv : Out(0);
    k -= sel;
  }
  for (; p >= 0; p--) out[p] = Out(0);
}

template <class R>
R ZnSphereCodec::Impl::encode_atom(const RankTables<R>& t, const int32_t* z, int a) const {
  int slots[256];
  R sub = 0, signs = 0;
  int k = 0;
  for (int p = 0; p < dim; p++) {
    const int32_t v = z[p];
    if (v == 0) continue;
    sub += t.C(p, k + 1);
    if (v < 0) signs |= R(1) << k;
    slots[k++] = v < 0 ? -v : v;
  }
  R perm = 0, mult = 1;
  int nfree = k;
  for (int l = lev_begin[a]; l < lev_end[a]; l++) {
    const int value = lev_value[l];
    R tl = 0;
    int cnt = 0, kept = 0;
    for (int q = 0; q < nfree; q++) {
      if (slots[q] == value) tl += t.C(q, ++cnt);
      else slots[kept++] = slots[q];
    }
    perm += tl * mult;
    if (l + 1 < lev_end[a]) mult *= t.radix[l];
    nfree = kept;
  }
  const R within = ((perm * t.cdn[a] + sub) << k) | signs;
  return t.offsets[a] + within;
}

int ZnSphereCodec::Impl::quantize_to(const float* x, int32_t* z) const {
  // Order coordinates by |x| decreasing, equal |x| by index: one sort of 64-bit
  // keys (|x| bits above, inverted index below; the bits of non-negative floats
  // order like the floats).
  uint64_t keys[kMaxDim];
  for (int i = 0; i < dim; i++) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], 4);
    bits &= 0x7fffffffu;
    keys[i] = (static_cast<uint64_t>(bits) << 32) | (0xffffffffu - static_cast<uint32_t>(i));
  }
  std::sort(keys, keys + dim, [](uint64_t u, uint64_t v) { return u > v; });
  double xs[kMaxDim];
  const int nrow = std::max(kmax, 1);
  for (int i = 0; i < nrow; i++) {
    uint32_t bits = static_cast<uint32_t>(keys[i] >> 32);
    float f;
    std::memcpy(&f, &bits, 4);
    xs[i] = f;
  }
  int a;
  switch (active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: a = zn_detail::best_atom_avx512(atom_t.data(), npad, natom, nrow, xs); break;
    case Isa::Avx2: a = zn_detail::best_atom_avx2(atom_t.data(), npad, natom, nrow, xs); break;
#endif
    default: a = zn_detail::best_atom_scalar(atom_t.data(), npad, natom, nrow, xs); break;
  }
  const int32_t* pat = &patterns[static_cast<size_t>(a) * dim];
  for (int i = 0; i < dim; i++) {
    const int p = static_cast<int>(0xffffffffu - static_cast<uint32_t>(keys[i]));
    z[p] = x[p] < 0.0f ? -pat[i] : pat[i];
  }
  return a;
}

namespace zn_detail {

int best_atom_scalar(const double* atom_t, int npad, int natom, int nrow, const double* xs) {
  thread_local std::vector<double> score;
  score.assign(npad, 0.0);
  double* s = score.data();
  for (int i = 0; i < nrow; i++) {
    const double xi = xs[i];
    const double* row = atom_t + static_cast<size_t>(i) * npad;
    for (int a = 0; a < npad; a++) s[a] += row[a] * xi;
  }
  int best = 0;
  for (int a = 1; a < natom; a++)
    if (s[a] > s[best]) best = a;
  return best;
}

}  // namespace zn_detail

ZnSphereCodec::ZnSphereCodec(int dim, int r2) : impl_(new Impl) { impl_->build(dim, r2); }
ZnSphereCodec::~ZnSphereCodec() = default;

int ZnSphereCodec::dim() const { return impl_->dim; }
int ZnSphereCodec::r2() const { return impl_->r2; }
int ZnSphereCodec::nbit() const { return impl_->nbit; }
int ZnSphereCodec::code_bytes() const { return impl_->code_bytes; }
int ZnSphereCodec::natom() const { return impl_->natom; }
std::string ZnSphereCodec::nv_string() const { return to_decimal(impl_->nv); }

void ZnSphereCodec::quantize(const float* x, int32_t* z) const { impl_->quantize_to(x, z); }

void ZnSphereCodec::quantize_encode(const float* x, uint8_t* code) const {
  const Impl& m = *impl_;
  int32_t z[kMaxDim];
  const int a = m.quantize_to(x, z);
  if (m.wide) store_rank(m.encode_atom(m.t128, z, a), code, m.code_bytes);
  else store_rank(m.encode_atom(m.t64, z, a), code, m.code_bytes);
}

bool ZnSphereCodec::encode(const int32_t* z, uint8_t* code) const {
  const Impl& m = *impl_;
  const int vmax = static_cast<int>(m.int_value.size()) - 1;
  int32_t sorted_abs[kMaxDim];
  long long norm = 0;
  for (int i = 0; i < m.dim; i++) {
    if (z[i] > vmax || z[i] < -vmax) return false;
    sorted_abs[i] = z[i] < 0 ? -z[i] : z[i];
    norm += static_cast<long long>(z[i]) * z[i];
  }
  if (norm != m.r2) return false;
  std::sort(sorted_abs, sorted_abs + m.dim, [](int32_t u, int32_t v) { return u > v; });
  const int a = m.find_pattern(sorted_abs);
  if (a < 0) return false;
  if (m.wide) store_rank(m.encode_atom(m.t128, z, a), code, m.code_bytes);
  else store_rank(m.encode_atom(m.t64, z, a), code, m.code_bytes);
  return true;
}

void ZnSphereCodec::decode(const uint8_t* code, int32_t* z) const {
  const Impl& m = *impl_;
  if (m.wide) m.decode_rank(m.t128, load_rank<u128>(code, m.code_bytes), m.int_value.data(), z);
  else m.decode_rank(m.t64, load_rank<uint64_t>(code, m.code_bytes), m.int_value.data(), z);
}

void ZnSphereCodec::decode_unit(const uint8_t* code, float* out) const {
  const Impl& m = *impl_;
  if (m.wide) m.decode_rank(m.t128, load_rank<u128>(code, m.code_bytes), m.unit_value.data(), out);
  else m.decode_rank(m.t64, load_rank<uint64_t>(code, m.code_bytes), m.unit_value.data(), out);
}

void ZnSphereCodec::decode_unit_batch(const uint8_t* codes, size_t n, float* out) const {
  const Impl& m = *impl_;
  const size_t cb = m.code_bytes, d = m.dim;
  if (m.wide) {
    for (size_t i = 0; i < n; i++)
      m.decode_rank(m.t128, load_rank<u128>(codes + i * cb, m.code_bytes), m.unit_value.data(), out + i * d);
  } else {
    for (size_t i = 0; i < n; i++)
      m.decode_rank(m.t64, load_rank<uint64_t>(codes + i * cb, m.code_bytes), m.unit_value.data(), out + i * d);
  }
}

bool ZnSphereCodec::code_in_range(const uint8_t* code) const {
  const Impl& m = *impl_;
  return load_rank<u128>(code, m.code_bytes) < m.nv;
}

const ZnSphereCodec& zn_codec(int dim, int r2) {
  static std::mutex mutex;
  static std::map<std::pair<int, int>, std::unique_ptr<ZnSphereCodec>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[{dim, r2}];
  if (!slot) {
    try {
      slot.reset(new ZnSphereCodec(dim, r2));
    } catch (...) {
      cache.erase({dim, r2});
      throw;
    }
  }
  return *slot;
}

}  // namespace spreadvec
