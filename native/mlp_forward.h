// The catalyzer's inference pass: dense layers y = act(x·W + b), then L2
// normalization of the last layer's rows (torch.nn.functional.normalize). The
// weights are packed once, per instruction set, into the panels the GEMM
// micro-kernel reads; bias and ReLU are applied in the kernel's epilogue; each
// chunk of rows goes through every layer while its activations are in cache; one
// row at a time takes a GEMV path. Plain C++ (no N-API): mlp_forward_binding.cc
// is the glue.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "cpu_features.h"

namespace spreadvec {

// One layer as the caller gives it: w is din×dout row-major (x·W), b has dout values.
struct DenseLayerSpec {
  int din = 0, dout = 0;
  std::vector<float> w, b;
  bool relu = false;
};

// One layer packed for one ISA's micro-kernel (see mlp_forward_impl.h for the layout).
struct PackedLayer {
  int din = 0, dout = 0, npad = 0;  // npad: dout rounded up to the kernel's panel width
  bool relu = false;
  std::vector<float> w, b;  // packed weights; bias padded to npad with zeros
};

// The per-ISA entry points (mlp_forward.cc, _avx2.cc, _avx512.cc).
struct ForwardKernels {
  // Packs one layer.
  void (*pack)(const DenseLayerSpec& spec, PackedLayer* out);
  // rows (≤ kMaxChunkRows) of x (row stride ldx) through every layer; out: rows×dout
  // (the last layer's outputs, not yet normalized).
  void (*rows)(const std::vector<PackedLayer>& layers, const float* x, int ldx, int rows, float* out);
};
constexpr int kMaxChunkRows = 192;

class PackedMlp {
 public:
  // Throws std::invalid_argument when the layers do not chain (din of one ≠ dout of the previous).
  explicit PackedMlp(std::vector<DenseLayerSpec> layers);

  int din() const { return layers_.front().din; }
  int dout() const { return layers_.back().dout; }

  // n rows of din values → n×dout unit rows, on up to `threads` threads.
  void forward(const float* x, int64_t n, float* out, int threads) const;
  void forward(const uint8_t* x, int64_t n, float* out, int threads) const;

 private:
  template <class T>
  void run(const T* x, int64_t n, float* out, int threads) const;
  const std::vector<PackedLayer>& packed(Isa isa, const ForwardKernels& k) const;

  std::vector<DenseLayerSpec> layers_;
  mutable std::mutex mu_;
  mutable std::array<std::unique_ptr<std::vector<PackedLayer>>, 4> packed_;  // by Isa
};

}  // namespace spreadvec
