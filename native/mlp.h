// The catalyzer MLP of the paper (Linear→BatchNorm1d→ReLU→Linear→BatchNorm1d→ReLU→
// Linear→L2-normalize) with a hand-written training step: three forwards (anchor,
// positive, negative; BatchNorm in train mode with each group's own batch
// statistics), triplet + λ·KoLeo loss, backward, SGD with momentum — the paper's
// train.py inner loop. Plain C++ (no N-API); matrix products go through sgemm.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spreadvec {

class ZnSphereCodec;

// Loss terms of one batch (means over its n anchors) and the number of triplets
// with a positive loss ("offending" in the paper's log line).
struct MlpStepStats {
  double loss = 0, triplet = 0, uniform = 0;
  int64_t offending = 0;
};

// Triplet + KoLeo loss on L2-normalized outputs and its gradient.
// f: 3n×d rows (n anchors, then n positives, then n negatives). Writes df (3n×d)
// = d(loss)/d(f) for loss = triplet + lambda·uniform. Distances are PyTorch's
// PairwiseDistance: |x - y + 1e-6|.
MlpStepStats triplet_koleo_loss(const float* f, int n, int d, float lambda, float* df);

class MlpTrainer {
 public:
  static constexpr float kBnEps = 1e-5f;
  static constexpr float kBnMomentum = 0.1f;

  // Weights start at zero, BatchNorm at identity (weight 1, running_var 1): the
  // caller initializes them (src/train/state.ts initState, shared with the tfjs path).
  MlpTrainer(int din, int dint, int dout);

  int din() const { return din_; }
  int dint() const { return dint_; }
  int dout() const { return dout_; }

  // The PyTorch state_dict keys, in nn.Sequential order ("0.weight", …, "6.bias";
  // num_batches_tracked is separate because it is an integer).
  static const std::vector<std::string>& param_names();
  // The tensor for a state_dict key (nullptr if unknown).
  std::vector<float>* param(const std::string& name);
  int64_t num_batches_tracked[2] = {0, 0};  // "1.num_batches_tracked", "4.num_batches_tracked"

  // One SGD step on the batch whose rows are gathered from x (rows of din floats):
  // anchors[i], positives[i], negatives[i] for i < n.
  MlpStepStats step(const float* x, const int32_t* anchors, const int32_t* positives,
                    const int32_t* negatives, int n, float lr, float momentum, float lambda);

  // Eval-mode forward (BatchNorm with running statistics) of n rows; out is n×dout.
  void forward_eval(const float* x, int64_t n, float* out, int threads) const;

  // Threads of step(): its matrix products and column-wise passes are split over
  // them (the result is bit for bit the same for any count). 0: default_threads().
  void set_threads(int threads);
  int threads() const { return threads_; }

  // Sets the BatchNorm running statistics to the average of the batch statistics
  // of a pass over rows order[0..len) of x in batches of `batch` (PyTorch's
  // swa_utils.update_bn: after averaging weights, the old statistics no longer fit
  // them). Weights and num_batches_tracked are unchanged.
  void recompute_batchnorm(const float* x, const int32_t* order, int64_t len, int batch);

  // Forgets the momentum buffers (a fresh optimizer).
  void reset_momentum();

  // Straight-through lattice quantizer (the paper's --quantizer_train zn_<r2>): from
  // now on step() computes the loss with the positives and negatives replaced by
  // their nearest points z/|z| of the sphere |z|^2 = r2 in Z^dout, and passes the
  // loss gradient at those points back unchanged to the unquantized outputs (the
  // paper's `q(x) + x - x.detach()`). r2 = 0 turns it off. Throws
  // std::invalid_argument when the sphere has no codec (see ZnSphereCodec).
  void set_straight_through(int r2);
  int straight_through() const { return ste_r2_; }

 private:
  // Copies the step's rows into x_ and sizes the activations for 3n rows.
  void gather(const float* x, const int32_t* anchors, const int32_t* positives, const int32_t* negatives, int n);
  void forward_train(int n);
  void backward(int n);

  int din_, dint_, dout_;
  int threads_ = 1;
  // Batches averaged so far by recompute_batchnorm(); -1 outside it (momentum 0.1).
  int64_t bn_batches_ = -1;
  // Parameters (PyTorch layouts: weight out×in).
  std::vector<float> w1_, b1_, g1_, be1_, rm1_, rv1_;
  std::vector<float> w2_, b2_, g2_, be2_, rm2_, rv2_;
  std::vector<float> w3_, b3_;
  // Gradients and momentum buffers, same order as trainable().
  std::vector<std::vector<float>> grad_, mom_;
  bool has_momentum_ = false;
  // Straight-through quantizer (nullptr: off), its r2, and the quantized outputs.
  const ZnSphereCodec* ste_ = nullptr;
  int ste_r2_ = 0;
  std::vector<float> fq_;
  std::vector<int32_t> zq_;
  // Activations of the current step (rows = 3n).
  std::vector<float> x_, xhat1_, a1_, xhat2_, a2_, o_, f_, df_, istd1_, istd2_;
  std::vector<float> d1_, d2_;  // backward scratch (rows×dint)
  std::vector<std::vector<float>*> trainable();
};

}  // namespace spreadvec
