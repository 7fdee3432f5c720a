/**
 * Validation during training, as the paper's ValidationFunction/evaluate: encode
 * queries and base with the network (eval mode), quantize the base with each
 * `zn_<r2>` quantizer (asymmetric search: queries stay unquantized; `none` keeps
 * the base as is), rank the base by L2 on the sphere and report 1-recall at 1, 10,
 * 100. The score is the recall named by `criterion` (e.g. "zn_79,rank=10").
 */
import { info as znInfo, quantize as znQuantize } from '../kernels/codec-native';
import { knnL2 } from '../kernels/mlp-native';

/** 1-recall at ranks 1, 10, 100 per quantizer name. */
export type ValidationResult = Record<string, [number, number, number]>;

const RANKS = [1, 10, 100] as const;

/** Share of queries whose true nearest neighbour (gt[i*gtK]) is in the first R results. */
export function oneRecallAt(results: Int32Array, k: number, gt: Int32Array, gtK: number, rank: number): number {
  const nq = gt.length / gtK;
  let hits = 0;
  for (let i = 0; i < nq; i++) {
    const truth = gt[i * gtK];
    for (let r = 0; r < Math.min(rank, k); r++) {
      if (results[i * k + r] === truth) {
        hits++;
        break;
      }
    }
  }
  return hits / nq;
}

/** The base as the quantizer reconstructs it (unit vectors), and the bits per code. */
export function quantizeBase(name: string, base: Float32Array, d: number): { recon: Float32Array; nbit: number } {
  if (name === 'none') return { recon: base, nbit: 32 * d };
  const m = /^zn_(\d+)$/.exec(name);
  if (!m) throw new RangeError(`validation quantizer '${name}' is not zn_<r2> or none`);
  const r2 = Number(m[1]);
  const z = znQuantize(d, r2, base);
  const recon = new Float32Array(z.length);
  const inv = 1 / Math.sqrt(r2);
  for (let i = 0; i < z.length; i++) recon[i] = z[i] * inv;
  return { recon, nbit: znInfo(d, r2).nbit };
}

/**
 * Evaluates already-encoded queries/base (unit rows of d) with each quantizer;
 * `print` receives the paper's lines ("zn_79\t nbit= 64:  0.1234 0.5678 0.9012 ").
 */
export async function validateEncoded(
  queries: Float32Array, base: Float32Array, d: number, gt: Int32Array, gtK: number,
  quantizers: string[], print: (line: string) => void = () => {}, threads?: number,
): Promise<ValidationResult> {
  const res: ValidationResult = {};
  const k = Math.min(100, base.length / d);
  for (const q of quantizers) {
    const { recon, nbit } = quantizeBase(q, base, d);
    const I = await knnL2(queries, recon, d, k, threads);
    const recalls = RANKS.map((r) => oneRecallAt(I, k, gt, gtK, r)) as [number, number, number];
    res[q] = recalls;
    print(`${q}\t nbit=${String(nbit).padStart(3)}:  ${recalls.map((r) => r.toFixed(4)).join(' ')} `);
  }
  return res;
}

/** The score named by a criterion "quantizer,rank=R" (R ∈ 1, 10, 100); 0 if absent. */
export function scoreOf(res: ValidationResult, criterion: string): number {
  const m = /^(.+),rank=(\d+)$/.exec(criterion);
  if (!m) throw new RangeError(`save_best_criterion '${criterion}' is not "<quantizer>,rank=<1|10|100>"`);
  const idx = RANKS.indexOf(Number(m[2]) as (typeof RANKS)[number]);
  if (idx < 0) throw new RangeError(`save_best_criterion '${criterion}': rank must be 1, 10 or 100`);
  return res[m[1]]?.[idx] ?? 0;
}
