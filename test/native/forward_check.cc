// Stand-alone check of the forward pass (native/mlp_forward.cc) against a double
// precision loop, without Node: for builds that cannot be loaded here, such as the
// linux-arm64 prebuild cross-compiled on x86-64 (native/check-arm64.sh runs it
// under qemu-aarch64). Prints the ISA and the largest difference; exits 1 above 2e-5.
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <vector>

#include "../../native/cpu_features.h"
#include "../../native/mlp_forward.h"

using namespace spreadvec;

static uint32_t state = 12345;
static float uniform() {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return static_cast<float>(state) / 4294967296.f * 2.f - 1.f;
}

int main() {
  double worst = 0;
  const int shapes[][4] = {{128, 1024, 1024, 24}, {784, 1024, 1024, 24}, {5, 37, 70, 3}};
  for (const auto& dims : shapes) {
    std::vector<DenseLayerSpec> layers(3);
    for (int l = 0; l < 3; l++) {
      DenseLayerSpec& s = layers[l];
      s.din = dims[l];
      s.dout = dims[l + 1];
      s.relu = l < 2;
      s.w.resize(static_cast<size_t>(s.din) * s.dout);
      s.b.resize(s.dout);
      for (auto& v : s.w) v = uniform() / std::sqrt(static_cast<float>(s.din));
      for (auto& v : s.b) v = uniform() * 0.3f;
    }
    PackedMlp mlp(layers);
    for (int n : {1, 2, 3, 13, 200}) {
      std::vector<float> x(static_cast<size_t>(n) * dims[0]), out(static_cast<size_t>(n) * dims[3]);
      for (auto& v : x) v = (uniform() + 1.f) * 100.f;
      mlp.forward(x.data(), n, out.data(), 2);
      for (int r = 0; r < n; r++) {
        std::vector<double> h(x.begin() + static_cast<size_t>(r) * dims[0], x.begin() + static_cast<size_t>(r + 1) * dims[0]);
        for (const auto& s : layers) {
          std::vector<double> y(s.b.begin(), s.b.end());
          for (int k = 0; k < s.din; k++)
            for (int j = 0; j < s.dout; j++) y[j] += h[k] * s.w[static_cast<size_t>(k) * s.dout + j];
          if (s.relu)
            for (auto& v : y) v = v < 0 ? 0 : v;
          h = y;
        }
        double norm = 0;
        for (double v : h) norm += v * v;
        norm = std::sqrt(norm);
        for (int j = 0; j < dims[3]; j++)
          worst = std::fmax(worst, std::fabs(h[j] / norm - out[static_cast<size_t>(r) * dims[3] + j]));
      }
    }
  }
  std::printf("forward_check: isa=%s max diff %.3g\n", isa_name(active_isa()), worst);
  return worst <= 2e-5 ? 0 : 1;
}
