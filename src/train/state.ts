/**
 * The catalyzer's parameters as a PyTorch state_dict (the keys of the paper's
 * nn.Sequential: 0 Linear, 1 BatchNorm1d, 3 Linear, 4 BatchNorm1d, 6 Linear), the
 * PyTorch default initialization, and transfers to and from the native trainer.
 * Tensors have the `{dtype, shape, data}` shape of src/pth/tensor.ts.
 */
import type { NativeMlpTrainer } from '../kernels/mlp-native';
import { Rng } from '../random';

/** One tensor of a state_dict (a structural subset of pth/tensor.ts's TorchTensor). */
export interface StateTensor {
  dtype: 'float32' | 'int64';
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** A catalyzer's state_dict, keyed as in PyTorch. */
export type CatalyzerState = Record<string, StateTensor>;

/** Sizes of the MLP: input, hidden and output dimension. */
export interface MlpDims {
  din: number;
  dint: number;
  dout: number;
}

/** The float tensors, in the native trainer's order. */
export const FLOAT_PARAMS = [
  '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var',
  '3.weight', '3.bias', '4.weight', '4.bias', '4.running_mean', '4.running_var',
  '6.weight', '6.bias',
] as const;

/** The keys in PyTorch's order (the integer counters after each BatchNorm's stats). */
export const STATE_KEYS = [
  '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
  '3.weight', '3.bias', '4.weight', '4.bias', '4.running_mean', '4.running_var', '4.num_batches_tracked',
  '6.weight', '6.bias',
] as const;

/** Shape of each float tensor. */
export function paramShapes({ din, dint, dout }: MlpDims): Record<(typeof FLOAT_PARAMS)[number], number[]> {
  return {
    '0.weight': [dint, din], '0.bias': [dint],
    '1.weight': [dint], '1.bias': [dint], '1.running_mean': [dint], '1.running_var': [dint],
    '3.weight': [dint, dint], '3.bias': [dint],
    '4.weight': [dint], '4.bias': [dint], '4.running_mean': [dint], '4.running_var': [dint],
    '6.weight': [dout, dint], '6.bias': [dout],
  };
}

function float(shape: number[], data: Float32Array): StateTensor {
  return { dtype: 'float32', shape, data };
}

function counter(n: number): StateTensor {
  return { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(n)) };
}

/**
 * PyTorch's default initialization: Linear weight and bias uniform in
 * ±1/sqrt(fan_in) (kaiming_uniform with a = √5), BatchNorm weight 1, bias 0,
 * running mean 0, running var 1.
 */
export function initState(dims: MlpDims, seed: number): CatalyzerState {
  const rng = new Rng(seed);
  const shapes = paramShapes(dims);
  const state: CatalyzerState = {};
  const linear = (prefix: string, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    for (const key of [`${prefix}.weight`, `${prefix}.bias`] as const) {
      const shape = shapes[key as keyof typeof shapes];
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
      state[key] = float(shape, data);
    }
  };
  const batchNorm = (prefix: string) => {
    const c = dims.dint;
    state[`${prefix}.weight`] = float([c], new Float32Array(c).fill(1));
    state[`${prefix}.bias`] = float([c], new Float32Array(c));
    state[`${prefix}.running_mean`] = float([c], new Float32Array(c));
    state[`${prefix}.running_var`] = float([c], new Float32Array(c).fill(1));
    state[`${prefix}.num_batches_tracked`] = counter(0);
  };
  linear('0', dims.din);
  batchNorm('1');
  linear('3', dims.dint);
  batchNorm('4');
  linear('6', dims.dint);
  return orderKeys(state);
}

function orderKeys(state: CatalyzerState): CatalyzerState {
  const out: CatalyzerState = {};
  for (const k of STATE_KEYS) out[k] = state[k];
  return out;
}

/** The dimensions a state_dict describes; throws naming the key that is missing or malformed. */
export function dimsOfState(state: Record<string, { shape: number[] }>): MlpDims {
  for (const k of STATE_KEYS) {
    if (!state[k]) throw new RangeError(`state_dict lacks '${k}' (not a catalyzer of the paper's shape)`);
  }
  const [dint, din] = state['0.weight'].shape;
  const [dout, dint3] = state['6.weight'].shape;
  if (state['0.weight'].shape.length !== 2 || dint3 !== dint) {
    throw new RangeError(`state_dict: '0.weight' ${JSON.stringify(state['0.weight'].shape)} and '6.weight' ${JSON.stringify(state['6.weight'].shape)} do not chain`);
  }
  return { din, dint, dout };
}

/** Copies a state_dict into the native trainer (float tensors are converted to float32). */
export function loadStateIntoTrainer(trainer: NativeMlpTrainer, state: CatalyzerState): void {
  for (const k of FLOAT_PARAMS) {
    const t = state[k];
    trainer.setParam(k, t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as unknown as ArrayLike<number>));
  }
  trainer.setNumBatchesTracked(Number(counterValue(state['1.num_batches_tracked'])), Number(counterValue(state['4.num_batches_tracked'])));
}

function counterValue(t: StateTensor | undefined): number {
  if (!t) return 0;
  const v = t.data[0];
  return typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
}

/** The native trainer's parameters as a state_dict (copies). */
export function stateFromTrainer(trainer: NativeMlpTrainer): CatalyzerState {
  const shapes = paramShapes(trainer);
  const [nb1, nb2] = trainer.getNumBatchesTracked();
  const state: CatalyzerState = {};
  for (const k of FLOAT_PARAMS) state[k] = float(shapes[k], trainer.getParam(k));
  state['1.num_batches_tracked'] = counter(nb1);
  state['4.num_batches_tracked'] = counter(nb2);
  return orderKeys(state);
}
