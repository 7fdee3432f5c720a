#include "mlp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "gemm.h"
#include "parallel.h"
#include "zn_codec.h"

namespace spreadvec {

namespace {

constexpr float kPdistEps = 1e-6f;     // torch.nn.PairwiseDistance default
constexpr float kNormalizeEps = 1e-12f; // torch.nn.functional.normalize default

// The column-wise passes below work on the columns [c0, c1) of row-major
// rows×c matrices: every column's arithmetic is the same whichever range holds it,
// so splitting columns over threads changes no bit.

// y[r×c] += bias (broadcast over rows)
void add_bias(float* y, int64_t rows, int c, const float* bias, int c0, int c1) {
  for (int64_t i = 0; i < rows; i++) {
    float* row = y + i * c;
    for (int j = c0; j < c1; j++) row[j] += bias[j];
  }
}

// Column sums of x[rows×c] added into out[c].
void add_column_sums(const float* x, int64_t rows, int c, float* out, int c0, int c1) {
  for (int64_t i = 0; i < rows; i++) {
    const float* row = x + i * c;
    for (int j = c0; j < c1; j++) out[j] += row[j];
  }
}

// BatchNorm1d (train mode) + ReLU on one group of n rows, in place: z becomes
// xhat, a receives relu(gamma·xhat + beta). Updates the running statistics as
// PyTorch does (unbiased variance, weight `momentum` for this batch: 0.1 in
// training). istd receives 1/sqrt(var+eps).
void bn_relu_train(float* z, float* a, int n, int c, const float* gamma, const float* beta,
                   float* rmean, float* rvar, float* istd, float momentum, int c0, int c1) {
  std::vector<float> tmp(2 * static_cast<size_t>(c), 0.f);
  float* mean = tmp.data();
  float* var = mean + c;
  add_column_sums(z, n, c, mean, c0, c1);
  for (int j = c0; j < c1; j++) mean[j] /= n;
  for (int i = 0; i < n; i++) {
    const float* row = z + static_cast<size_t>(i) * c;
    for (int j = c0; j < c1; j++) {
      float d = row[j] - mean[j];
      var[j] += d * d;
    }
  }
  for (int j = c0; j < c1; j++) {
    float v = var[j] / n;
    istd[j] = 1.f / std::sqrt(v + MlpTrainer::kBnEps);
    float unbiased = n > 1 ? var[j] / (n - 1) : v;
    rmean[j] = (1 - momentum) * rmean[j] + momentum * mean[j];
    rvar[j] = (1 - momentum) * rvar[j] + momentum * unbiased;
  }
  for (int i = 0; i < n; i++) {
    float* row = z + static_cast<size_t>(i) * c;
    float* out = a + static_cast<size_t>(i) * c;
    for (int j = c0; j < c1; j++) {
      float xh = (row[j] - mean[j]) * istd[j];
      row[j] = xh;
      float y = gamma[j] * xh + beta[j];
      out[j] = y > 0.f ? y : 0.f;
    }
  }
}

// Backward of ReLU∘BatchNorm1d(train) for one group, in place: on entry da holds
// d(loss)/d(relu output), a the relu output, xhat the normalized input; on exit da
// holds d(loss)/d(BN input). Adds into dgamma, dbeta.
void bn_relu_backward(float* da, const float* a, const float* xhat, int n, int c,
                      const float* gamma, const float* istd, float* dgamma, float* dbeta,
                      int c0, int c1) {
  std::vector<float> tmp(2 * static_cast<size_t>(c), 0.f);
  float* sdy = tmp.data();
  float* sdyx = sdy + c;
  for (int i = 0; i < n; i++) {
    float* dy = da + static_cast<size_t>(i) * c;
    const float* ar = a + static_cast<size_t>(i) * c;
    const float* xr = xhat + static_cast<size_t>(i) * c;
    for (int j = c0; j < c1; j++) {
      float g = ar[j] > 0.f ? dy[j] : 0.f;
      dy[j] = g;
      sdy[j] += g;
      sdyx[j] += g * xr[j];
    }
  }
  for (int j = c0; j < c1; j++) {
    dgamma[j] += sdyx[j];
    dbeta[j] += sdy[j];
  }
  const float inv_n = 1.f / n;
  for (int i = 0; i < n; i++) {
    float* dy = da + static_cast<size_t>(i) * c;
    const float* xr = xhat + static_cast<size_t>(i) * c;
    for (int j = c0; j < c1; j++) {
      float k = gamma[j] * istd[j];
      dy[j] = k * (dy[j] - inv_n * sdy[j] - inv_n * xr[j] * sdyx[j]);
    }
  }
}

// fn(c0, c1) over column ranges covering [0, cols), on up to `threads` threads.
template <typename Fn>
void for_columns(int cols, int threads, Fn fn) {
  constexpr size_t kGrain = 64;  // a cache line of 16 floats in each of a few rows
  parallel_for(static_cast<size_t>(cols), kGrain, threads,
               [&](size_t b, size_t e, int) { fn(static_cast<int>(b), static_cast<int>(e)); });
}

// |x - y + eps| and writes the difference (x - y + eps) to diff.
float pdist(const float* x, const float* y, int d, float* diff) {
  double s = 0;
  for (int k = 0; k < d; k++) {
    diff[k] = x[k] - y[k] + kPdistEps;
    s += static_cast<double>(diff[k]) * diff[k];
  }
  return static_cast<float>(std::sqrt(s));
}

}  // namespace

MlpStepStats triplet_koleo_loss(const float* f, int n, int d, float lambda, float* df) {
  MlpStepStats st;
  const float* fa = f;
  const float* fp = f + static_cast<size_t>(n) * d;
  const float* fn = f + 2 * static_cast<size_t>(n) * d;
  float* ga = df;
  float* gp = df + static_cast<size_t>(n) * d;
  float* gn = df + 2 * static_cast<size_t>(n) * d;
  std::fill(df, df + 3 * static_cast<size_t>(n) * d, 0.f);
  std::vector<float> dp(d), dn(d);
  const float inv_n = 1.f / n;
  double trip = 0;
  for (int i = 0; i < n; i++) {
    const float* a = fa + static_cast<size_t>(i) * d;
    float lp = pdist(a, fp + static_cast<size_t>(i) * d, d, dp.data());
    float ln = pdist(a, fn + static_cast<size_t>(i) * d, d, dn.data());
    float l = lp - ln;
    if (l > 0.f) {
      trip += l;
      st.offending++;
      float sp = inv_n / std::max(lp, 1e-30f), sn = inv_n / std::max(ln, 1e-30f);
      for (int k = 0; k < d; k++) {
        ga[i * d + k] += sp * dp[k] - sn * dn[k];
        gp[i * d + k] -= sp * dp[k];
        gn[i * d + k] += sn * dn[k];
      }
    }
  }
  st.triplet = trip / n;

  // KoLeo: nearest other anchor by inner product (a constant index, as in the
  // paper's code, which computes it on detached data).
  double uni = 0;
  std::vector<float> dots(static_cast<size_t>(n) * n);
  if (n > 1) sgemm(false, true, n, n, d, 1.f, fa, d, fa, d, 0.f, dots.data(), n);
  for (int i = 0; i < n; i++) {
    int best = -1;
    float bv = -std::numeric_limits<float>::infinity();
    for (int j = 0; j < n; j++) {
      float v = j == i ? -1.f : dots[static_cast<size_t>(i) * n + j];
      if (v > bv) bv = v, best = j;
    }
    const float* a = fa + static_cast<size_t>(i) * d;
    const float* b = fa + static_cast<size_t>(best) * d;
    float dist = pdist(a, b, d, dp.data());
    uni -= std::log(n * static_cast<double>(dist));
    // d(-log(n·dist))/d a = -diff / dist²; the neighbour gets the opposite.
    float s = lambda * inv_n / std::max(dist * dist, 1e-30f);
    for (int k = 0; k < d; k++) {
      ga[i * d + k] -= s * dp[k];
      ga[best * d + k] += s * dp[k];
    }
  }
  st.uniform = uni / n;
  st.loss = st.triplet + lambda * st.uniform;
  return st;
}

MlpTrainer::MlpTrainer(int din, int dint, int dout) : din_(din), dint_(dint), dout_(dout) {
  w1_.assign(static_cast<size_t>(dint) * din, 0.f);
  b1_.assign(dint, 0.f);
  g1_.assign(dint, 1.f);
  be1_.assign(dint, 0.f);
  rm1_.assign(dint, 0.f);
  rv1_.assign(dint, 1.f);
  w2_.assign(static_cast<size_t>(dint) * dint, 0.f);
  b2_.assign(dint, 0.f);
  g2_.assign(dint, 1.f);
  be2_.assign(dint, 0.f);
  rm2_.assign(dint, 0.f);
  rv2_.assign(dint, 1.f);
  w3_.assign(static_cast<size_t>(dout) * dint, 0.f);
  b3_.assign(dout, 0.f);
  for (auto* p : trainable()) {
    grad_.emplace_back(p->size(), 0.f);
    mom_.emplace_back(p->size(), 0.f);
  }
}

std::vector<std::vector<float>*> MlpTrainer::trainable() {
  return {&w1_, &b1_, &g1_, &be1_, &w2_, &b2_, &g2_, &be2_, &w3_, &b3_};
}

const std::vector<std::string>& MlpTrainer::param_names() {
  static const std::vector<std::string> names = {
      "0.weight", "0.bias",         "1.weight",      "1.bias", "1.running_mean", "1.running_var",
      "3.weight", "3.bias",         "4.weight",      "4.bias", "4.running_mean", "4.running_var",
      "6.weight", "6.bias"};
  return names;
}

std::vector<float>* MlpTrainer::param(const std::string& name) {
  std::vector<float>* all[] = {&w1_, &b1_, &g1_, &be1_, &rm1_, &rv1_, &w2_,
                               &b2_, &g2_, &be2_, &rm2_, &rv2_, &w3_, &b3_};
  const auto& names = param_names();
  for (size_t i = 0; i < names.size(); i++)
    if (names[i] == name) return all[i];
  return nullptr;
}

void MlpTrainer::set_threads(int threads) { threads_ = threads >= 1 ? threads : default_threads(); }

void MlpTrainer::reset_momentum() {
  for (auto& m : mom_) std::fill(m.begin(), m.end(), 0.f);
  has_momentum_ = false;
}

void MlpTrainer::set_straight_through(int r2) {
  if (r2 == 0) {
    ste_ = nullptr;
    ste_r2_ = 0;
    return;
  }
  ste_ = &zn_codec(dout_, r2);  // throws std::invalid_argument for an unserved sphere
  ste_r2_ = r2;
}

void MlpTrainer::forward_train(int n) {
  const int rows = 3 * n;
  // Linear + bias, then BatchNorm+ReLU per group (anchor / positive / negative each
  // get their own batch statistics, as three separate net() calls would).
  auto hidden = [&](const float* in, int din, const std::vector<float>& w, const std::vector<float>& b,
                    const std::vector<float>& gamma, const std::vector<float>& beta, std::vector<float>& rm,
                    std::vector<float>& rv, std::vector<float>& xhat, std::vector<float>& act,
                    std::vector<float>& istd) {
    // The running statistics' weight for each group's batch: PyTorch's 0.1, or, while
    // recompute_batchnorm() runs, 1/(batches so far) (its cumulative average).
    float momentum[3];
    for (int g = 0; g < 3; g++) momentum[g] = bn_batches_ < 0 ? kBnMomentum : 1.f / static_cast<float>(bn_batches_ + g + 1);
    sgemm_threads(threads_, false, true, rows, dint_, din, 1.f, in, din, w.data(), din, 0.f, xhat.data(), dint_);
    for_columns(dint_, threads_, [&](int c0, int c1) {
      add_bias(xhat.data(), rows, dint_, b.data(), c0, c1);
      for (int g = 0; g < 3; g++) {
        size_t off = static_cast<size_t>(g) * n * dint_;
        bn_relu_train(xhat.data() + off, act.data() + off, n, dint_, gamma.data(), beta.data(), rm.data(),
                      rv.data(), istd.data() + static_cast<size_t>(g) * dint_, momentum[g], c0, c1);
      }
    });
  };
  hidden(x_.data(), din_, w1_, b1_, g1_, be1_, rm1_, rv1_, xhat1_, a1_, istd1_);
  num_batches_tracked[0] += 3;
  hidden(a1_.data(), dint_, w2_, b2_, g2_, be2_, rm2_, rv2_, xhat2_, a2_, istd2_);
  num_batches_tracked[1] += 3;
  // Layer 3 and L2 normalization.
  sgemm_threads(threads_, false, true, rows, dout_, dint_, 1.f, a2_.data(), dint_, w3_.data(), dint_, 0.f,
                o_.data(), dout_);
  add_bias(o_.data(), rows, dout_, b3_.data(), 0, dout_);
  for (int i = 0; i < rows; i++) {
    const float* o = o_.data() + static_cast<size_t>(i) * dout_;
    float* f = f_.data() + static_cast<size_t>(i) * dout_;
    double s = 0;
    for (int k = 0; k < dout_; k++) s += static_cast<double>(o[k]) * o[k];
    float r = std::max(static_cast<float>(std::sqrt(s)), kNormalizeEps);
    for (int k = 0; k < dout_; k++) f[k] = o[k] / r;
  }
}

void MlpTrainer::backward(int n) {
  const int rows = 3 * n;
  // The weight gradients (0, 4, 8) are written whole by their products (beta 0);
  // only the sums below start from zero.
  for (size_t t : {1, 2, 3, 5, 6, 7, 9}) std::fill(grad_[t].begin(), grad_[t].end(), 0.f);
  // Through the L2 normalization: dO = (dF - F·<F, dF>) / |O|.
  std::vector<float> dO(static_cast<size_t>(rows) * dout_);
  for (int i = 0; i < rows; i++) {
    const float* o = o_.data() + static_cast<size_t>(i) * dout_;
    const float* f = f_.data() + static_cast<size_t>(i) * dout_;
    const float* df = df_.data() + static_cast<size_t>(i) * dout_;
    float* g = dO.data() + static_cast<size_t>(i) * dout_;
    double s = 0, dot = 0;
    for (int k = 0; k < dout_; k++) {
      s += static_cast<double>(o[k]) * o[k];
      dot += static_cast<double>(f[k]) * df[k];
    }
    float r = static_cast<float>(std::sqrt(s));
    if (r > kNormalizeEps) {
      for (int k = 0; k < dout_; k++) g[k] = (df[k] - f[k] * static_cast<float>(dot)) / r;
    } else {
      for (int k = 0; k < dout_; k++) g[k] = df[k] / kNormalizeEps;
    }
  }
  // Through ReLU∘BatchNorm of a hidden layer, per group, then the bias gradient
  // (Σ dZ over all rows).
  auto hidden_backward = [&](std::vector<float>& dz, const std::vector<float>& act, const std::vector<float>& xhat,
                             const std::vector<float>& gamma, const std::vector<float>& istd, int layer) {
    for_columns(dint_, threads_, [&](int c0, int c1) {
      for (int g = 0; g < 3; g++) {
        size_t off = static_cast<size_t>(g) * n * dint_;
        bn_relu_backward(dz.data() + off, act.data() + off, xhat.data() + off, n, dint_, gamma.data(),
                         istd.data() + static_cast<size_t>(g) * dint_, grad_[4 * layer + 2].data(),
                         grad_[4 * layer + 3].data(), c0, c1);
      }
      add_column_sums(dz.data(), rows, dint_, grad_[4 * layer + 1].data(), c0, c1);
    });
  };
  // Layer 3: dW3 = dOᵀ·A2, db3 = Σ dO, dA2 = dO·W3.
  sgemm_threads(threads_, true, false, dout_, dint_, rows, 1.f, dO.data(), dout_, a2_.data(), dint_, 0.f,
                grad_[8].data(), dint_);
  add_column_sums(dO.data(), rows, dout_, grad_[9].data(), 0, dout_);
  sgemm_threads(threads_, false, false, rows, dint_, dout_, 1.f, dO.data(), dout_, w3_.data(), dint_, 0.f,
                d2_.data(), dint_);
  // Layer 2: dZ2, then dW2 = dZ2ᵀ·A1, db2 = Σ dZ2, dA1 = dZ2·W2.
  hidden_backward(d2_, a2_, xhat2_, g2_, istd2_, 1);
  sgemm_threads(threads_, true, false, dint_, dint_, rows, 1.f, d2_.data(), dint_, a1_.data(), dint_, 0.f,
                grad_[4].data(), dint_);
  sgemm_threads(threads_, false, false, rows, dint_, dint_, 1.f, d2_.data(), dint_, w2_.data(), dint_, 0.f,
                d1_.data(), dint_);
  // Layer 1: dZ1, then dW1 = dZ1ᵀ·X, db1 = Σ dZ1 (≈ 0: BatchNorm removes the bias).
  hidden_backward(d1_, a1_, xhat1_, g1_, istd1_, 0);
  sgemm_threads(threads_, true, false, dint_, din_, rows, 1.f, d1_.data(), dint_, x_.data(), din_, 0.f,
                grad_[0].data(), din_);
}

void MlpTrainer::gather(const float* x, const int32_t* anchors, const int32_t* positives,
                        const int32_t* negatives, int n) {
  const size_t rows = 3 * static_cast<size_t>(n);
  x_.resize(rows * din_);
  for (const int32_t* idx : {anchors, positives, negatives}) {
    size_t base = (idx == anchors ? 0 : idx == positives ? 1 : 2) * static_cast<size_t>(n);
    for (int i = 0; i < n; i++)
      std::memcpy(x_.data() + (base + i) * din_, x + static_cast<size_t>(idx[i]) * din_,
                  sizeof(float) * din_);
  }
  for (auto* v : {&xhat1_, &a1_, &xhat2_, &a2_, &d1_, &d2_}) v->resize(rows * dint_);
  for (auto* v : {&o_, &f_, &df_}) v->resize(rows * dout_);
  istd1_.resize(3 * static_cast<size_t>(dint_));
  istd2_.resize(3 * static_cast<size_t>(dint_));
}

void MlpTrainer::recompute_batchnorm(const float* x, const int32_t* order, int64_t len, int batch) {
  // Three consecutive batches per forward pass (its three groups); a shorter tail,
  // split in three, ends the pass (a group needs two rows for a variance).
  std::fill(rm1_.begin(), rm1_.end(), 0.f);
  std::fill(rm2_.begin(), rm2_.end(), 0.f);
  std::fill(rv1_.begin(), rv1_.end(), 1.f);
  std::fill(rv2_.begin(), rv2_.end(), 1.f);
  const int64_t saved[2] = {num_batches_tracked[0], num_batches_tracked[1]};
  bn_batches_ = 0;
  for (int64_t i0 = 0; i0 < len;) {
    int64_t left = len - i0;
    int m = static_cast<int>(left >= 3 * static_cast<int64_t>(batch) ? batch : left / 3);
    if (m < 2) break;
    gather(x, order + i0, order + i0 + m, order + i0 + 2 * m, m);
    forward_train(m);
    bn_batches_ += 3;
    i0 += 3 * static_cast<int64_t>(m);
  }
  bn_batches_ = -1;
  num_batches_tracked[0] = saved[0];
  num_batches_tracked[1] = saved[1];
}

MlpStepStats MlpTrainer::step(const float* x, const int32_t* anchors, const int32_t* positives,
                              const int32_t* negatives, int n, float lr, float momentum,
                              float lambda) {
  const size_t rows = 3 * static_cast<size_t>(n);
  gather(x, anchors, positives, negatives, n);
  forward_train(n);
  const float* f_loss = f_.data();
  if (ste_) {
    // Anchors stay continuous (the queries of an asymmetric search); positives and
    // negatives take their lattice points, as the database vectors will. backward()
    // reads the continuous f_ and receives df_ at the lattice points unchanged:
    // that identity Jacobian is the straight-through estimator.
    fq_.assign(f_.begin(), f_.end());
    zq_.resize(dout_);
    const float inv_r = 1.f / std::sqrt(static_cast<float>(ste_r2_));
    for (size_t i = static_cast<size_t>(n); i < rows; i++) {
      float* q = fq_.data() + i * dout_;
      ste_->quantize(q, zq_.data());  // max <x, z>: the scale of x does not matter
      for (int k = 0; k < dout_; k++) q[k] = static_cast<float>(zq_[k]) * inv_r;
    }
    f_loss = fq_.data();
  }
  MlpStepStats st = triplet_koleo_loss(f_loss, n, dout_, lambda, df_.data());
  backward(n);

  // SGD with momentum, PyTorch's formulation: buf = m·buf + g; p -= lr·buf.
  auto params = trainable();
  for (size_t t = 0; t < params.size(); t++) {
    float* p = params[t]->data();
    float* buf = mom_[t].data();
    const float* g = grad_[t].data();
    const bool fresh = !has_momentum_;
    parallel_for(params[t]->size(), size_t{1} << 14, threads_, [&](size_t b, size_t e, int) {
      for (size_t i = b; i < e; i++) {
        buf[i] = fresh ? g[i] : momentum * buf[i] + g[i];
        p[i] -= lr * buf[i];
      }
    });
  }
  has_momentum_ = true;
  return st;
}

void MlpTrainer::forward_eval(const float* x, int64_t n, float* out, int threads) const {
  // Fold each BatchNorm (running statistics) into a per-column scale and shift.
  auto fold = [&](const std::vector<float>& b, const std::vector<float>& g,
                  const std::vector<float>& be, const std::vector<float>& rm,
                  const std::vector<float>& rv, std::vector<float>& scale,
                  std::vector<float>& shift) {
    scale.resize(dint_);
    shift.resize(dint_);
    for (int j = 0; j < dint_; j++) {
      scale[j] = g[j] / std::sqrt(rv[j] + kBnEps);
      shift[j] = (b[j] - rm[j]) * scale[j] + be[j];
    }
  };
  std::vector<float> s1, t1, s2, t2;
  fold(b1_, g1_, be1_, rm1_, rv1_, s1, t1);
  fold(b2_, g2_, be2_, rm2_, rv2_, s2, t2);
  constexpr int64_t kChunk = 256;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  parallel_for(static_cast<size_t>(chunks), 1, threads, [&](size_t cb, size_t ce, int) {
    std::vector<float> h1(kChunk * dint_), h2(kChunk * dint_);
    auto affine_relu = [&](float* h, int rows, const std::vector<float>& s,
                           const std::vector<float>& t) {
      for (int i = 0; i < rows; i++) {
        float* r = h + static_cast<size_t>(i) * dint_;
        for (int j = 0; j < dint_; j++) r[j] = std::max(r[j] * s[j] + t[j], 0.f);
      }
    };
    for (size_t c = cb; c < ce; c++) {
      int64_t r0 = static_cast<int64_t>(c) * kChunk;
      int rows = static_cast<int>(std::min(kChunk, n - r0));
      const float* xin = x + r0 * din_;
      float* o = out + r0 * dout_;
      sgemm(false, true, rows, dint_, din_, 1.f, xin, din_, w1_.data(), din_, 0.f, h1.data(),
            dint_);
      affine_relu(h1.data(), rows, s1, t1);
      sgemm(false, true, rows, dint_, dint_, 1.f, h1.data(), dint_, w2_.data(), dint_, 0.f,
            h2.data(), dint_);
      affine_relu(h2.data(), rows, s2, t2);
      sgemm(false, true, rows, dout_, dint_, 1.f, h2.data(), dint_, w3_.data(), dint_, 0.f, o,
            dout_);
      for (int i = 0; i < rows; i++) {
        float* f = o + static_cast<size_t>(i) * dout_;
        double s = 0;
        for (int k = 0; k < dout_; k++) {
          f[k] += b3_[k];
          s += static_cast<double>(f[k]) * f[k];
        }
        float r = std::max(static_cast<float>(std::sqrt(s)), kNormalizeEps);
        for (int k = 0; k < dout_; k++) f[k] /= r;
      }
    }
  });
}

}  // namespace spreadvec
