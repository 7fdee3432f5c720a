// The forward pass's driver, shared by the ISA variants (mlp_forward.cc,
// mlp_forward_avx2.cc, mlp_forward_avx512.cc). Each variant includes this header
// with its own micro-kernel type, so every instantiation lives in an anonymous
// namespace of a TU compiled with that ISA's flags (no ODR mixing).
//
// A micro-kernel type K provides
//   MR, NR, KC                      tile rows, panel width, depth of a K block
//   tile(kc, Ap, Bp, C, ldc, bias, mode)   C[MR×NR] (=|+=) Ap·Bp, epilogue by mode
//   row(kc, x, Bp, y, bias, mode)          y[NR]   (=|+=) x·Bp,  epilogue by mode
// mode: kAccumulate set → add to C, else C = product + bias; kRelu → max(·, 0) after.
//
// Packed weights of a layer (din = K, dout = N, npad = N rounded up to NR): for each
// K block [p0, p0+kc) and each NR-column panel jp, a kc×NR row-major block at
// w[p0·npad + jp·kc·NR], zero past column N. The micro-kernel then streams one
// contiguous panel, and the weights are packed once per model, not per call.
#pragma once
#include <algorithm>
#include <cstring>
#include <vector>

#include "mlp_forward.h"

namespace {

using spreadvec::DenseLayerSpec;
using spreadvec::kMaxChunkRows;
using spreadvec::PackedLayer;

constexpr int kAccumulate = 1;
constexpr int kRelu = 2;

// Rows handled one by one (GEMV: each streams the weights once) rather than as one
// zero-padded MR-row tile.
constexpr int kMaxGemvRows = 2;

// Depth of the K blocks of a layer with k inputs: at most KC, and equal blocks
// (784 = 4 × 196 rather than 3 × 256 + 16: a thin last block would cost a full pass
// of loads and stores of the output tiles for little work).
template <int KC>
int block_depth(int k) {
  const int blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

template <class K>
void pack_layer(const DenseLayerSpec& s, PackedLayer* out) {
  constexpr int NR = K::NR;
  const int n = s.dout, k = s.din, panels = (n + NR - 1) / NR, npad = panels * NR;
  const int KC = block_depth<K::KC>(k);
  out->din = k;
  out->dout = n;
  out->npad = npad;
  out->relu = s.relu;
  out->w.assign(static_cast<size_t>(k) * npad, 0.f);
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = std::min(KC, k - p0);
    for (int jp = 0; jp < panels; jp++) {
      float* dst = out->w.data() + static_cast<size_t>(p0) * npad + static_cast<size_t>(jp) * kc * NR;
      const int cols = std::min(NR, n - jp * NR);
      for (int p = 0; p < kc; p++)
        std::memcpy(dst + static_cast<size_t>(p) * NR, s.w.data() + static_cast<size_t>(p0 + p) * n + jp * NR,
                    sizeof(float) * cols);
    }
  }
  out->b.assign(npad, 0.f);
  std::copy(s.b.begin(), s.b.end(), out->b.begin());
}

// Rows [0, rows) × depth [p0, p0+kc) of X into MR-row panels (panel r: for each p,
// MR consecutive values), zero rows from `rows` up to rows_pad.
template <int MR>
void pack_rows(const float* X, int ldx, int rows, int rows_pad, int p0, int kc, float* out) {
  for (int r = 0; r < rows_pad; r += MR) {
    float* dst = out + static_cast<size_t>(r) * kc;
    for (int i = 0; i < MR; i++) {
      if (r + i < rows) {
        const float* src = X + static_cast<size_t>(r + i) * ldx + p0;
        for (int p = 0; p < kc; p++) dst[p * MR + i] = src[p];
      } else {
        for (int p = 0; p < kc; p++) dst[p * MR + i] = 0.f;
      }
    }
  }
}

// One layer on a chunk: Y (rows_pad × npad, row stride npad) = act(X·W + b).
template <class K>
void layer_gemm(const PackedLayer& L, const float* X, int ldx, int rows, float* Y, std::vector<float>& abuf) {
  constexpr int MR = K::MR, NR = K::NR;
  const int rows_pad = (rows + MR - 1) / MR * MR, panels = L.npad / NR;
  const int KC = block_depth<K::KC>(L.din);
  if (abuf.size() < static_cast<size_t>(rows_pad) * KC) abuf.resize(static_cast<size_t>(rows_pad) * KC);
  for (int p0 = 0; p0 < L.din; p0 += KC) {
    const int kc = std::min(KC, L.din - p0);
    pack_rows<MR>(X, ldx, rows, rows_pad, p0, kc, abuf.data());
    const int mode = (p0 > 0 ? kAccumulate : 0) | (p0 + kc >= L.din && L.relu ? kRelu : 0);
    for (int jp = 0; jp < panels; jp++) {
      // One kc×NR weight panel stays in L1 while every MR-row tile of the chunk uses it.
      const float* bp = L.w.data() + static_cast<size_t>(p0) * L.npad + static_cast<size_t>(jp) * kc * NR;
      const float* bias = L.b.data() + jp * NR;
      for (int ir = 0; ir < rows_pad; ir += MR)
        K::tile(kc, abuf.data() + static_cast<size_t>(ir) * kc, bp, Y + static_cast<size_t>(ir) * L.npad + jp * NR,
                L.npad, bias, mode);
    }
  }
}

// One layer on one row: y (npad values) = act(x·W + b). K blocks outermost, so that
// the packed weights are read in memory order (one sequential stream: the row is
// bound by their bandwidth); y stays in L1 between blocks.
template <class K>
void layer_gemv(const PackedLayer& L, const float* x, float* y) {
  constexpr int NR = K::NR;
  const int panels = L.npad / NR;
  const int KC = block_depth<K::KC>(L.din);
  for (int p0 = 0; p0 < L.din; p0 += KC) {
    const int kc = std::min(KC, L.din - p0);
    const int mode = (p0 > 0 ? kAccumulate : 0) | (p0 + kc >= L.din && L.relu ? kRelu : 0);
    const float* w = L.w.data() + static_cast<size_t>(p0) * L.npad;
    for (int jp = 0; jp < panels; jp++)
      K::row(kc, x + p0, w + static_cast<size_t>(jp) * kc * NR, y + jp * NR, L.b.data() + jp * NR, mode);
  }
}

// rows ≤ kMaxChunkRows of X through every layer; out: rows × dout (last layer, before normalization).
template <class K>
void forward_rows(const std::vector<PackedLayer>& layers, const float* X, int ldx, int rows, float* out) {
  constexpr int MR = K::MR;
  thread_local std::vector<float> ping, pong, abuf;
  size_t widest = 0;
  for (const auto& l : layers) widest = std::max(widest, static_cast<size_t>(l.npad));
  const size_t need = static_cast<size_t>((rows + MR - 1) / MR * MR) * widest;
  if (ping.size() < need) ping.resize(need);
  if (pong.size() < need) pong.resize(need);
  const float* in = X;
  int ld = ldx;
  float* bufs[2] = {ping.data(), pong.data()};
  for (size_t l = 0; l < layers.size(); l++) {
    float* y = bufs[l & 1];
    if (rows <= kMaxGemvRows) {
      for (int r = 0; r < rows; r++)
        layer_gemv<K>(layers[l], in + static_cast<size_t>(r) * ld, y + static_cast<size_t>(r) * layers[l].npad);
    } else {
      layer_gemm<K>(layers[l], in, ld, rows, y, abuf);
    }
    in = y;
    ld = layers[l].npad;
  }
  const int dout = layers.back().dout;
  for (int r = 0; r < rows; r++)
    std::memcpy(out + static_cast<size_t>(r) * dout, in + static_cast<size_t>(r) * ld, sizeof(float) * dout);
}

}  // namespace
