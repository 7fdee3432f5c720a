/**
 * What `--ckpt` names, turned into an encoder for the evaluation:
 * - `none`: the raw vectors (identity);
 * - `pca-<d>`: the PCA baseline of eval.py, fitted on the split's base;
 * - a path: a catalyzer checkpoint (`.pth`), loaded with `Catalyzer.load`.
 */
import type { Encoder, EvalData } from './evaluate';
import { applyPca, fitPca } from '../quantizers/pca';

/** An encoder plus the resources to release when done. */
export interface LoadedEncoder {
  /** Undefined for the identity. */
  encode?: Encoder;
  /** What was loaded, in words (for logs). */
  description: string;
  close(): Promise<void> | void;
}

/** Builds the encoder that `ckpt` names; PCA is fitted on `data.base`. */
export async function loadEncoder(ckpt: string, data: EvalData): Promise<LoadedEncoder> {
  if (ckpt === 'none') return { description: 'raw vectors', close: () => {} };
  const pca = /^pca-(\d+)$/.exec(ckpt);
  if (pca) {
    const d = Number(pca[1]);
    const fitted = fitPca(data.base, data.dim, d);
    return { encode: async (x) => applyPca(fitted, x), description: `PCA to ${d} dimensions, normalized`, close: () => {} };
  }
  // Loaded lazily: the catalyzer module pulls in TensorFlow.js, which `none` and
  // `pca-<d>` do not need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Catalyzer } = require('../catalyzer/catalyzer') as typeof import('../catalyzer/catalyzer');
  const net = await Catalyzer.load(ckpt);
  return { encode: (x) => net.encode(x), description: `catalyzer ${ckpt}`, close: () => net.close() };
}
