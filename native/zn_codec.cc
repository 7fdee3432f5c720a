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

#include "dispatch.h"
#include "zn_codec_impl.h"
#include "zn_codec_kernels.h"

namespace spreadvec {

using zn_detail::load_rank;
using zn_detail::RankTables;
using zn_detail::store_rank;

namespace zn_portable {
#include "zn_codec_decode.inc"
}  // namespace zn_portable

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

}  // namespace

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
  // Per-atom structure: symbols (distinct values, 0 included) in decreasing order;
  // the most frequent one (ties to the smaller value) is implicit, the others are
  // explicit levels placed in that order.
  nnz.resize(natom);
  lev_begin.resize(natom);
  lev_end.resize(natom);
  implicit_value.resize(natom);
  for (int a = 0; a < natom; a++) {
    const int32_t* p = &patterns[static_cast<size_t>(a) * d];
    std::vector<std::pair<int, int>> symbols;  // (value, count)
    int k = 0;
    for (int i = 0; i < d; i++) {
      k += p[i] != 0;
      if (!symbols.empty() && symbols.back().first == p[i]) symbols.back().second++;
      else symbols.emplace_back(p[i], 1);
    }
    nnz[a] = k;
    max_nnz = std::max(max_nnz, k);
    size_t implicit = 0;
    for (size_t i = 1; i < symbols.size(); i++)
      if (symbols[i].second >= symbols[implicit].second) implicit = i;
    implicit_value[a] = symbols[implicit].first;
    lev_begin[a] = static_cast<int>(lev_value.size());
    int free = d;
    for (size_t i = 0; i < symbols.size(); i++) {
      if (i == implicit) continue;
      lev_value.push_back(symbols[i].first);
      lev_count.push_back(symbols[i].second);
      lev_n.push_back(free);
      kmax = std::max(kmax, symbols[i].second);
      free -= symbols[i].second;
    }
    lev_end[a] = static_cast<int>(lev_value.size());
  }
  identity.resize(d);
  for (int i = 0; i < d; i++) identity[i] = static_cast<uint16_t>(i);
  // Exact sizes in u128 (saturating binomials; overflow of nv means > 128 bits).
  fill_tables(&t128);
  bool overflow = false;
  u128 total = 0;
  t128.offsets.assign(1, 0);
  for (int a = 0; a < natom; a++) {
    u128 size = 1;
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
  wide = nv >= (u128(1) << 64);  // fast path: every rank and binomial < 2^64 - 1
  if (!wide) {
    fill_tables(&t64);
    t64.offsets.resize(t128.offsets.size());
    for (size_t i = 0; i < t128.offsets.size(); i++) t64.offsets[i] = static_cast<uint64_t>(t128.offsets[i]);
    t64.nv = static_cast<uint64_t>(nv);
  }
  // Quantize: transposed atoms as doubles, zero-padded.
  npad = (natom + 63) / 64 * 64;
  atom_t.assign(static_cast<size_t>(max_nnz) * npad, 0.0);
  for (int a = 0; a < natom; a++)
    for (int i = 0; i < nnz[a]; i++) atom_t[static_cast<size_t>(i) * npad + a] = patterns[static_cast<size_t>(a) * d + i];
  const int vmax = isqrt(r);
  const double root = std::sqrt(static_cast<double>(r));
  for (int v = 0; v <= vmax; v++) {
    int_value.push_back(v);
    unit_value.push_back(static_cast<float>(v / root));
    int8_value.push_back(static_cast<int8_t>(v <= 127 ? v : 0));
  }
  // Negative coordinates decode to the negated float (decode_rank), so -unit_value.
  for (int b = 0; b < 256; b++) {
    const int v = static_cast<int8_t>(b), a = v < 0 ? -v : v;
    int8_unit[b] = a > vmax ? 0.f : (v < 0 ? -unit_value[a] : unit_value[a]);
  }
}

template <class R>
void ZnSphereCodec::Impl::fill_tables(RankTables<R>* t) const {
  const R sat = ~R(0);
  t->stride = dim + 1;
  t->binom_t.assign(static_cast<size_t>(kmax + 1) * t->stride, 0);
  R* b = t->binom_t.data();
  for (int q = 0; q <= dim; q++) b[q] = 1;  // C(q, 0)
  for (int k = 1; k <= kmax; k++) {
    R* row = b + static_cast<size_t>(k) * t->stride;
    const R* up = row - t->stride;
    for (int q = k; q <= dim; q++) {  // C(q, k) = C(q - 1, k - 1) + C(q - 1, k)
      R s;
      if (__builtin_add_overflow(up[q - 1], row[q - 1], &s)) s = sat;
      row[q] = s;
    }
  }
  t->radix.resize(lev_value.size());
  t->magic.resize(lev_value.size());
  for (size_t l = 0; l < lev_value.size(); l++) {
    t->radix[l] = t->row(lev_count[l])[lev_n[l]];
    const R rd = t->radix[l];
    t->magic[l] = (rd == 0 || rd > R(~uint64_t(0))) ? 0 : ~uint64_t(0) / static_cast<uint64_t>(rd);
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

template <class R>
R ZnSphereCodec::Impl::encode_atom(const RankTables<R>& t, const int32_t* z, int a) const {
  uint16_t buf[2][kMaxDim];
  uint16_t chosen[kMaxDim];
  const uint16_t* list = identity.data();
  int n = dim;
  R perm = 0, mult = 1, signs = 0;
  int k = 0;  // next sign bit
  const int lb = lev_begin[a], le = lev_end[a];
  for (int l = lb; l < le; l++) {
    const int value = lev_value[l];
    uint16_t* next = buf[(l - lb) & 1];
    R tl = 0;
    int cnt = 0, j = 0;
    for (int q = 0; q < n; q++) {
      const int p = list[q];
      const int v = z[p] < 0 ? -z[p] : z[p];
      if (v == value) {
        tl += t.row(cnt + 1)[q];
        chosen[cnt++] = static_cast<uint16_t>(p);
      } else {
        next[j++] = static_cast<uint16_t>(p);
      }
    }
    if (value != 0) {  // signs in placement order: decreasing position
      for (int i = cnt - 1; i >= 0; i--, k++)
        if (z[chosen[i]] < 0) signs |= R(1) << k;
    }
    perm += tl * mult;
    if (l + 1 < le) mult *= t.radix[l];
    list = next;
    n = j;
  }
  if (implicit_value[a] != 0) {
    for (int i = n - 1; i >= 0; i--, k++)
      if (z[list[i]] < 0) signs |= R(1) << k;
  }
  return t.offsets[a] + ((perm << nnz[a]) | signs);
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
  const int nrow = max_nnz;
  for (int i = 0; i < nrow; i++) {
    uint32_t bits = static_cast<uint32_t>(keys[i] >> 32);
    float f;
    std::memcpy(&f, &bits, 4);
    xs[i] = f;
  }
  const int a = kernels().zn_best_atom(atom_t.data(), npad, natom, nrow, xs);
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
  kernels().zn_decoders->integer(*impl_, code, impl_->int_value.data(), z);
}

void ZnSphereCodec::decode_int8(const uint8_t* code, int8_t* z) const {
  if (impl_->r2 > 127 * 127) throw std::invalid_argument("decode_int8 needs r2 <= 16129");
  kernels().zn_decoders->int8(*impl_, code, impl_->int8_value.data(), z);
}

void ZnSphereCodec::decode_unit(const uint8_t* code, float* out) const {
  kernels().zn_decoders->unit(*impl_, code, impl_->unit_value.data(), out);
}

void ZnSphereCodec::decode_unit_batch(const uint8_t* codes, size_t n, float* out) const {
  kernels().zn_decoders->unit_batch(*impl_, codes, n, impl_->unit_value.data(), out);
}

void ZnSphereCodec::unit_of_int8(const int8_t* z, size_t n, float* out) const {
  const float* t = impl_->int8_unit;
  for (size_t i = 0; i < n; i++) out[i] = t[static_cast<uint8_t>(z[i])];
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
