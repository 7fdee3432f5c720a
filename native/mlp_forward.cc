#include "mlp_forward.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "mlp_forward_impl.h"
#include "parallel.h"

namespace spreadvec {

namespace {

// Portable micro-kernel (4×8): plain loops over a register-sized tile that the
// compiler vectorizes with the baseline ISA (SSE2 on x86-64, NEON on arm64).
struct PortableKernel {
  static constexpr int MR = 4, NR = 8, KC = 256;

  static void epilogue(const float* acc, float* c, const float* bias, int mode) {
    for (int j = 0; j < NR; j++) {
      float v = acc[j] + ((mode & kAccumulate) ? c[j] : bias[j]);
      c[j] = (mode & kRelu) && v < 0.f ? 0.f : v;
    }
  }

  static void tile(int kc, const float* Ap, const float* Bp, float* C, int ldc, const float* bias, int mode) {
    float acc[MR][NR] = {};
    for (int p = 0; p < kc; p++) {
      for (int i = 0; i < MR; i++) {
        const float a = Ap[i];
        for (int j = 0; j < NR; j++) acc[i][j] += a * Bp[j];
      }
      Ap += MR;
      Bp += NR;
    }
    for (int i = 0; i < MR; i++) epilogue(acc[i], C + static_cast<size_t>(i) * ldc, bias, mode);
  }

  static void row(int kc, const float* x, const float* Bp, float* y, const float* bias, int mode) {
    float acc[NR] = {};
    for (int p = 0; p < kc; p++) {
      const float a = x[p];
      for (int j = 0; j < NR; j++) acc[j] += a * Bp[p * NR + j];
    }
    epilogue(acc, y, bias, mode);
  }
};

constexpr float kNormalizeEps = 1e-12f;  // torch.nn.functional.normalize default

}  // namespace

#if defined(__x86_64__) || defined(_M_X64)
const ForwardKernels& forward_kernels_avx2();    // mlp_forward_avx2.cc
const ForwardKernels& forward_kernels_avx512();  // mlp_forward_avx512.cc
#endif

namespace {

const ForwardKernels& portable_kernels() {
  static const ForwardKernels k{pack_layer<PortableKernel>, forward_rows<PortableKernel>};
  return k;
}

const ForwardKernels& kernels_for(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::Avx512) return forward_kernels_avx512();
  if (isa == Isa::Avx2) return forward_kernels_avx2();
#endif
  (void)isa;
  return portable_kernels();
}

}  // namespace

PackedMlp::PackedMlp(std::vector<DenseLayerSpec> layers) : layers_(std::move(layers)) {
  if (layers_.empty()) throw std::invalid_argument("layers must not be empty");
  for (size_t i = 0; i < layers_.size(); i++) {
    const auto& l = layers_[i];
    if (l.din < 1 || l.dout < 1) throw std::invalid_argument("layer " + std::to_string(i) + ": din and dout must be ≥ 1");
    if (l.w.size() != static_cast<size_t>(l.din) * l.dout || l.b.size() != static_cast<size_t>(l.dout))
      throw std::invalid_argument("layer " + std::to_string(i) + ": w must hold din·dout values and b dout values");
    if (i > 0 && l.din != layers_[i - 1].dout)
      throw std::invalid_argument("layer " + std::to_string(i) + " takes " + std::to_string(l.din) +
                                  " inputs but the previous layer gives " + std::to_string(layers_[i - 1].dout));
  }
}

const std::vector<PackedLayer>& PackedMlp::packed(Isa isa, const ForwardKernels& k) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = packed_[static_cast<int>(isa)];
  if (!slot) {
    auto p = std::make_unique<std::vector<PackedLayer>>(layers_.size());
    for (size_t i = 0; i < layers_.size(); i++) k.pack(layers_[i], &(*p)[i]);
    slot = std::move(p);
  }
  return *slot;
}

template <class T>
void PackedMlp::run(const T* x, int64_t n, float* out, int threads) const {
  const Isa isa = active_isa();
  const ForwardKernels& k = kernels_for(isa);
  const std::vector<PackedLayer>& layers = packed(isa, k);
  const int din = this->din(), dout = this->dout();
  const int64_t chunks = (n + kMaxChunkRows - 1) / kMaxChunkRows;
  parallel_for(static_cast<size_t>(chunks), 1, threads, [&](size_t cb, size_t ce, int) {
    thread_local std::vector<float> converted;
    for (size_t c = cb; c < ce; c++) {
      const int64_t r0 = static_cast<int64_t>(c) * kMaxChunkRows;
      const int rows = static_cast<int>(std::min<int64_t>(kMaxChunkRows, n - r0));
      const float* in;
      if constexpr (std::is_same_v<T, float>) {
        in = x + r0 * din;
      } else {
        converted.resize(static_cast<size_t>(rows) * din);
        const T* src = x + r0 * din;
        for (size_t i = 0; i < converted.size(); i++) converted[i] = static_cast<float>(src[i]);
        in = converted.data();
      }
      float* o = out + r0 * dout;
      k.rows(layers, in, din, rows, o);
      for (int r = 0; r < rows; r++) {
        float* f = o + static_cast<size_t>(r) * dout;
        double s = 0;
        for (int j = 0; j < dout; j++) s += static_cast<double>(f[j]) * f[j];
        const float inv = 1.f / std::max(static_cast<float>(std::sqrt(s)), kNormalizeEps);
        for (int j = 0; j < dout; j++) f[j] *= inv;
      }
    }
  });
}

void PackedMlp::forward(const float* x, int64_t n, float* out, int threads) const { run(x, n, out, threads); }
void PackedMlp::forward(const uint8_t* x, int64_t n, float* out, int threads) const { run(x, n, out, threads); }

}  // namespace spreadvec
