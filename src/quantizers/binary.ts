/** `binary`: one sign bit per dimension, searched by symmetric Hamming distance (eval.py's `binary`). */
import { FlatIndex } from './flat';
import { registerQuantizer } from './registry';

/**
 * Sign codes as ±1 vectors: x > 0 → +1, else −1. The squared L2 distance between
 * two such vectors is 4 × their Hamming distance, so an exact L2 search on them is
 * the symmetric Hamming search of eval.py's `binary` (which uses np.sign), reusing
 * the fast GEMM k-NN; the integer distances are exact in float32.
 */
export function signCodes(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? 1 : -1;
  return out;
}

registerQuantizer(/^binary$/, async (_spec, dim) => {
  const sign = async (x: Float32Array) => signCodes(x);
  return new FlatIndex(Math.ceil(dim / 8) * 8, dim, sign, sign);
}, 'binary');
