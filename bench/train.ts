/**
 * Training-step benchmark: the native C++ step (packed AVX-512/AVX2 sgemm,
 * hand-written gradients) against the TensorFlow.js step (autograd) in the same
 * run, and the sgemm against sgemm_reference on the step's matrix shapes.
 * PyTorch CPU (one thread) runs the same step in the same run when a Python with
 * torch is found (`--python`, default /usr/bin/python3; `apt-get install
 * python3-torch`); otherwise the figure (62 steps/s) is quoted.
 *
 *   npx tsx bench/train.ts [--steps 200] [--tfjs-steps 10] [--backend wasm|cpu] [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { activeIsa } from '../src/kernels/addon';
import { NativeMlpTrainer, sgemm, sgemmReference } from '../src/kernels/mlp-native';
import { Rng } from '../src/random';
import { initState, loadStateIntoTrainer } from '../src/train/state';
import { TfjsMlpTrainer } from '../src/train/tfjs-trainer';

const PYTORCH_STEPS_PER_S = 62;
const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const steps = Number(arg('steps', '200'));
const tfjsSteps = Number(arg('tfjs-steps', '10'));
const backend = arg('backend', 'wasm');

const din = 128, dint = 1024, dout = 24, batch = 64;
// FLOPs of one step: three forwards of `batch` rows, and the backward (weight
// gradients and input gradients of layers 2 and 3; layer 1's input gradient is not needed).
const rows = 3 * batch;
const fwd = 2 * rows * (din * dint + dint * dint + dint * dout);
const bwd = 2 * rows * (din * dint + dint * dint + dint * dout) + 2 * rows * (dint * dint + dint * dout);
const stepFlops = fwd + bwd;

function time(fn: () => void, minSeconds = 1): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  do {
    fn();
    n++;
  } while (performance.now() - t0 < minSeconds * 1000);
  return (performance.now() - t0) / 1000 / n;
}

async function main() {
  console.log(`isa=${activeIsa()}  step: batch ${batch}, din ${din}, dint ${dint}, dout ${dout} (${(stepFlops / 1e9).toFixed(2)} GFLOP/step)`);

  // 1. sgemm vs sgemm_reference on the step's shapes.
  console.log('\nsgemm (packed, dispatched) vs sgemm_reference, GFLOP/s');
  const rng = new Rng(1);
  const shapes: [string, boolean, boolean, number, number, number][] = [
    ['layer 2 forward  X·W2ᵀ', false, true, rows, dint, dint],
    ['layer 2 dW       dZᵀ·A', true, false, dint, dint, rows],
    ['layer 2 dX       dZ·W2', false, false, rows, dint, dint],
    ['layer 1 forward  X·W1ᵀ', false, true, rows, dint, din],
  ];
  for (const [label, ta, tb, m, n, k] of shapes) {
    const a = Float32Array.from({ length: m * k }, () => rng.uniform(-1, 1));
    const b = Float32Array.from({ length: k * n }, () => rng.uniform(-1, 1));
    const c = new Float32Array(m * n);
    const lda = ta ? m : k, ldb = tb ? k : n;
    const fast = time(() => sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n));
    const ref = time(() => sgemmReference(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n), 0.5);
    const gf = (s: number) => (2 * m * n * k) / s / 1e9;
    console.log(`  ${label} ${m}×${n}×${k}: ${gf(fast).toFixed(1)} vs ${gf(ref).toFixed(1)}  (×${(ref / fast).toFixed(1)})`);
  }

  // 2. Training steps on SIFT-like inputs.
  const nrows = 20000;
  const x = Float32Array.from({ length: nrows * din }, () => Math.floor(rng.uniform(0, 1) ** 3 * 160));
  const init = initState({ din, dint, dout }, 1234);
  const pick = () => Int32Array.from({ length: batch }, () => rng.int(nrows));
  const native = new NativeMlpTrainer(din, dint, dout);
  loadStateIntoTrainer(native, init);
  for (let i = 0; i < 5; i++) native.step(x, pick(), pick(), pick(), 0.01, 0.9, 0.01);
  const batches = Array.from({ length: steps }, () => [pick(), pick(), pick()]);
  let t0 = performance.now();
  for (const [a, p, n] of batches) native.step(x, a, p, n, 0.01, 0.9, 0.01);
  const nativeRate = steps / ((performance.now() - t0) / 1000);
  // The same steps split over every core (what `spreadvec train` and Index.train() use).
  const cores = availableParallelism();
  const parallel = new NativeMlpTrainer(din, dint, dout);
  loadStateIntoTrainer(parallel, init);
  parallel.setThreads(cores);
  for (let i = 0; i < 5; i++) parallel.step(x, batches[i][0], batches[i][1], batches[i][2], 0.01, 0.9, 0.01);
  t0 = performance.now();
  for (const [a, p, n] of batches) parallel.step(x, a, p, n, 0.01, 0.9, 0.01);
  const parallelRate = steps / ((performance.now() - t0) / 1000);

  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  const tfjs = new TfjsMlpTrainer(init);
  tfjs.step(x, pick(), pick(), pick(), 0.01, 0.9, 0.01);
  t0 = performance.now();
  for (let i = 0; i < tfjsSteps; i++) tfjs.step(x, pick(), pick(), pick(), 0.01, 0.9, 0.01);
  const tfjsRate = tfjsSteps / ((performance.now() - t0) / 1000);
  tfjs.dispose();

  const gflops = (r: number) => ((r * stepFlops) / 1e9).toFixed(1);
  console.log('\ntraining step (one thread), steps/s and GFLOP/s');
  console.log(`  native C++ (${activeIsa()}): ${nativeRate.toFixed(1)} steps/s  ${gflops(nativeRate)} GFLOP/s`);
  console.log(`  tfjs ${tf.getBackend()}:         ${tfjsRate.toFixed(2)} steps/s  ${gflops(tfjsRate)} GFLOP/s`);
  console.log(`  native / tfjs = ×${(nativeRate / tfjsRate).toFixed(1)}`);
  console.log(`  native C++ on ${cores} threads: ${parallelRate.toFixed(1)} steps/s  ${gflops(parallelRate)} GFLOP/s (×${(parallelRate / nativeRate).toFixed(2)} one thread)`);
  const torchRate = pytorchSteps(arg('python', '/usr/bin/python3'), Math.max(20, Math.round(steps / 2)));
  if (torchRate !== undefined) {
    console.log(`  PyTorch CPU, 1 thread (same run): ${torchRate.toFixed(1)} steps/s  ${gflops(torchRate)} GFLOP/s`);
    console.log(`  native / PyTorch = ×${(nativeRate / torchRate).toFixed(2)}`);
  } else {
    console.log(`  native / PyTorch 1.13 (62 steps/s, quoted from issue #5; no torch found) = ${(nativeRate / PYTORCH_STEPS_PER_S).toFixed(2)}`);
  }
}

// The paper's inner loop (train.py) in PyTorch, one thread, same sizes.
const TORCH_STEP = `
import sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1); torch.manual_seed(0)
din, dint, dout, bs, steps = ${din}, ${dint}, ${dout}, ${batch}, int(sys.argv[1])
class Normalize(nn.Module):
    def forward(self, x): return F.normalize(x, p=2, dim=1)
net = nn.Sequential(nn.Linear(din, dint), nn.BatchNorm1d(dint), nn.ReLU(), nn.Linear(dint, dint),
                    nn.BatchNorm1d(dint), nn.ReLU(), nn.Linear(dint, dout), Normalize())
opt = torch.optim.SGD(net.parameters(), 0.01, momentum=0.9)
pdist = nn.PairwiseDistance(2)
x = (torch.rand(20000, din) ** 3 * 160).floor()
def step():
    idx = [torch.randint(0, 20000, (bs,)) for _ in range(3)]
    ins, pos, neg = (net(x[i]) for i in idx)
    loss_t = F.relu(pdist(ins, pos) - pdist(ins, neg)).mean()
    with torch.no_grad():
        d = ins @ ins.t(); d.view(-1)[::bs + 1].fill_(-1); I = d.max(1)[1]
    loss_u = -torch.log(bs * pdist(ins, ins[I])).mean()
    loss = loss_t + 0.01 * loss_u
    opt.zero_grad(); loss.backward(); opt.step()
for _ in range(5): step()
t0 = time.time()
for _ in range(steps): step()
print(steps / (time.time() - t0))
`;

function pytorchSteps(python: string, n: number): number | undefined {
  const r = spawnSync(python, ['-c', TORCH_STEP, String(n)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return undefined;
  const v = Number(r.stdout.trim().split('\n').pop());
  return Number.isFinite(v) ? v : undefined;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
