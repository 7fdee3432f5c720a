/**
 * The catalyzer's layers as plain arrays, built from a PyTorch state dict of the
 * paper's `nn.Sequential(Linear, BatchNorm1d, ReLU, …, Linear, Normalize)`.
 * Eval-mode BatchNorm is folded into the preceding Linear, and weights are stored
 * transposed (in × out, row-major) so that the forward pass is `x · W + b` with a
 * plain matMul: tfjs's transposed matMul is many times slower on wasm.
 */
import type { TorchTensor } from '../pth/tensor';
import { toFloat32 } from '../pth/tensor';

/** BatchNorm1d's default epsilon. */
export const BN_EPS = 1e-5;

/** One folded layer: y = x · w + b, then ReLU unless it is the last. */
export interface DenseLayer {
  din: number;
  dout: number;
  /** din × dout, row-major (the transpose of PyTorch's weight). */
  w: Float32Array;
  b: Float32Array;
  relu: boolean;
}

/** Thrown for a state dict that does not describe a catalyzer. */
export class NetworkShapeError extends Error {
  constructor(message: string) {
    super(`not a catalyzer state dict: ${message}`);
    this.name = 'NetworkShapeError';
  }
}

interface Module {
  index: number;
  params: Map<string, TorchTensor>;
}

function groupModules(stateDict: Record<string, TorchTensor>): Module[] {
  const byIndex = new Map<number, Map<string, TorchTensor>>();
  for (const [key, t] of Object.entries(stateDict)) {
    const m = /^(\d+)\.(\w+)$/.exec(key);
    if (!m) throw new NetworkShapeError(`unexpected key '${key}' (expected '<layer>.<param>')`);
    const idx = Number(m[1]);
    if (!byIndex.has(idx)) byIndex.set(idx, new Map());
    byIndex.get(idx)!.set(m[2], t);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index, params]) => ({ index, params }));
}

function param(mod: Module, name: string, shape: number[]): Float64Array {
  const t = mod.params.get(name);
  if (!t) throw new NetworkShapeError(`layer ${mod.index} has no ${name}`);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new NetworkShapeError(`${mod.index}.${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return Float64Array.from(toFloat32(t));
}

/** Builds the folded layers. Any number of hidden layers, any sizes. */
export function buildLayers(stateDict: Record<string, TorchTensor>): DenseLayer[] {
  const modules = groupModules(stateDict);
  const layers: DenseLayer[] = [];
  for (let i = 0; i < modules.length; i++) {
    const lin = modules[i];
    const wt = lin.params.get('weight');
    if (!wt || wt.shape.length !== 2 || lin.params.has('running_mean')) {
      throw new NetworkShapeError(`layer ${lin.index} should be a Linear with a 2-D weight`);
    }
    const [dout, din] = wt.shape;
    if (layers.length && layers[layers.length - 1].dout !== din) {
      throw new NetworkShapeError(`layer ${lin.index} takes ${din} inputs but the previous layer gives ${layers[layers.length - 1].dout}`);
    }
    const w = param(lin, 'weight', [dout, din]);
    const b = lin.params.has('bias') ? param(lin, 'bias', [dout]) : new Float64Array(dout);
    const next = modules[i + 1];
    if (next && next.params.has('running_mean')) {
      if (next.index !== lin.index + 1) throw new NetworkShapeError(`BatchNorm ${next.index} does not follow Linear ${lin.index}`);
      const gamma = next.params.has('weight') ? param(next, 'weight', [dout]) : new Float64Array(dout).fill(1);
      const beta = next.params.has('bias') ? param(next, 'bias', [dout]) : new Float64Array(dout);
      const mean = param(next, 'running_mean', [dout]);
      const variance = param(next, 'running_var', [dout]);
      for (let o = 0; o < dout; o++) {
        const s = gamma[o] / Math.sqrt(variance[o] + BN_EPS);
        for (let k = 0; k < din; k++) w[o * din + k] *= s;
        b[o] = (b[o] - mean[o]) * s + beta[o];
      }
      i++;
    }
    const wT = new Float32Array(din * dout);
    for (let o = 0; o < dout; o++) for (let k = 0; k < din; k++) wT[k * dout + o] = w[o * din + k];
    layers.push({ din, dout, w: wT, b: Float32Array.from(b), relu: true });
  }
  if (!layers.length) throw new NetworkShapeError('no Linear layer');
  layers[layers.length - 1].relu = false;
  return layers;
}

/** Normalizes each row of an n×d matrix in place, like torch.nn.functional.normalize (eps 1e-12). */
export function normalizeRows(x: Float32Array, d: number): Float32Array {
  for (let r = 0; r < x.length; r += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r + j] * x[r + j];
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) x[r + j] *= inv;
  }
  return x;
}

/**
 * Packs layers into one SharedArrayBuffer (header of dims + weights), so that worker
 * threads share the weights instead of receiving a copy with every task.
 */
export function packLayers(layers: DenseLayer[]): SharedArrayBuffer {
  let floats = 0;
  for (const l of layers) floats += l.w.length + l.b.length;
  const headerInts = 1 + 3 * layers.length;
  const sab = new SharedArrayBuffer(4 * (headerInts + floats));
  const head = new Int32Array(sab, 0, headerInts);
  const body = new Float32Array(sab, 4 * headerInts, floats);
  head[0] = layers.length;
  let at = 0;
  layers.forEach((l, i) => {
    head.set([l.din, l.dout, l.relu ? 1 : 0], 1 + 3 * i);
    body.set(l.w, at);
    body.set(l.b, at + l.w.length);
    at += l.w.length + l.b.length;
  });
  return sab;
}

/** The inverse of packLayers (views into the shared memory, no copy). */
export function unpackLayers(sab: SharedArrayBuffer): DenseLayer[] {
  const count = new Int32Array(sab, 0, 1)[0];
  const head = new Int32Array(sab, 0, 1 + 3 * count);
  let at = 4 * (1 + 3 * count);
  const layers: DenseLayer[] = [];
  for (let i = 0; i < count; i++) {
    const [din, dout, relu] = head.subarray(1 + 3 * i, 4 + 3 * i);
    const w = new Float32Array(sab, at, din * dout);
    at += 4 * din * dout;
    const b = new Float32Array(sab, at, dout);
    at += 4 * dout;
    layers.push({ din, dout, w, b, relu: relu === 1 });
  }
  return layers;
}
