/**
 * The evaluation of the paper's lib/metrics.py: encode queries and base, compress
 * the base with each quantizer, search 100 neighbours, and report the 1-recall at
 * ranks 1, 10 and 100 (share of queries whose true nearest neighbour is among the
 * first R results). Lines are printed in eval.py's format:
 * `zn_79\t nbit= 64:  0.1234 0.5678 0.9012 `.
 */
import { makeQuantizer } from '../quantizers';
import { rowsOf } from '../validate';
import type { Progress } from '../progress';

/** Rows encoded per call when progress is reported. */
const ENCODE_CHUNK = 16384;

/** Maps n input vectors to n output vectors (a catalyzer, a PCA, or identity). */
export type Encoder = (x: Float32Array) => Promise<Float32Array>;

/** 1-recall at ranks 1, 10, 100. */
export interface Recalls {
  r1: number;
  r10: number;
  r100: number;
}

/** The recalls of one quantizer, with its code size and the printed line. */
export interface QuantizerRecalls extends Recalls {
  quantizer: string;
  bits: number;
  /** The line as eval.py prints it (no trailing newline). */
  line: string;
}

/** The data an evaluation needs (a {@link Split} fits). */
export interface EvalData {
  /** Input dimension. */
  dim: number;
  base: Float32Array;
  queries: Float32Array;
  /** nq×gtK true neighbour ids, nearest first (only the first column is used). */
  gt: Int32Array;
  gtK: number;
  /** Training vectors for quantizers that learn (the first `trainSize` are used). */
  train?: Float32Array;
}

/** Options of {@link evaluate} and {@link evaluateAll}. */
export interface EvaluateOptions {
  /** Encoder applied to queries, base and train (default: identity). */
  encode?: Encoder;
  split: EvalData;
  /** Training vectors given to the quantizers (default 10,000, as eval.py). */
  trainSize?: number;
  /** Where result lines go (default: stdout); pass `() => {}` to silence. */
  log?: (line: string) => void;
  /** Progress of encoding, quantizer training, compression and search (default none). */
  progress?: Progress;
}

/** 1-recall at each rank: share of queries whose gt[q][0] is among the first R of `I` (nq×k). */
export function oneRecalls(I: Int32Array, k: number, gt: Int32Array, gtK: number, ranks = [1, 10, 100]): number[] {
  const nq = rowsOf('gt', gt.length, gtK);
  if (I.length !== nq * k) throw new RangeError(`results hold ${I.length} ids, expected ${nq}×${k}`);
  return ranks.map((rank) => {
    const r = Math.min(rank, k);
    let hits = 0;
    for (let q = 0; q < nq; q++) {
      const want = gt[q * gtK];
      for (let j = 0; j < r; j++) {
        if (I[q * k + j] === want) {
          hits++;
          break;
        }
      }
    }
    return nq === 0 ? 0 : hits / nq;
  });
}

/** eval.py's result line: `%s\t nbit=%3d: ` then each recall as `%.4f `. */
export function formatRecallLine(quantizer: string, bits: number, recalls: number[]): string {
  return `${quantizer}\t nbit=${String(bits).padStart(3, ' ')}:  ${recalls.map((r) => r.toFixed(4)).join(' ')} `;
}

interface Encoded {
  dim: number;
  base: Float32Array;
  queries: Float32Array;
  train: Float32Array;
}

/** Encodes x in chunks of ENCODE_CHUNK rows, reporting progress (one call when there is no progress). */
async function encodeChunked(encode: Encoder, x: Float32Array, dim: number, task: string, progress?: Progress): Promise<Float32Array> {
  const n = x.length / dim;
  if (!progress || n <= ENCODE_CHUNK) {
    progress?.(task, 0, n);
    const out = await encode(x);
    progress?.(task, n, n);
    return out;
  }
  const parts: Float32Array[] = [];
  let total = 0;
  for (let i = 0; i < n; i += ENCODE_CHUNK) {
    progress(task, i, n);
    const part = await encode(x.subarray(i * dim, Math.min(n, i + ENCODE_CHUNK) * dim));
    parts.push(part);
    total += part.length;
  }
  progress(task, n, n);
  const out = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

async function encodeAll(o: EvaluateOptions): Promise<Encoded> {
  const s = o.split;
  const nq = rowsOf('queries', s.queries.length, s.dim), nb = rowsOf('base', s.base.length, s.dim);
  rowsOf('gt', s.gt.length, s.gtK);
  if (s.gt.length / s.gtK !== nq) throw new RangeError(`gt has ${s.gt.length / s.gtK} rows for ${nq} queries`);
  const trainSize = o.trainSize ?? 10_000;
  const train = (s.train ?? new Float32Array(0)).subarray(0, trainSize * s.dim);
  if (!o.encode) return { dim: s.dim, base: s.base, queries: s.queries, train };
  const queries = await encodeChunked(o.encode, s.queries, s.dim, 'encoding queries', o.progress);
  const base = await encodeChunked(o.encode, s.base, s.dim, 'encoding base', o.progress);
  const dim = nq > 0 ? queries.length / nq : base.length / Math.max(nb, 1);
  if (!Number.isInteger(dim) || base.length !== nb * dim) throw new RangeError('encode returned arrays of inconsistent sizes');
  const encodedTrain = train.length > 0 ? await encodeChunked(o.encode, train, s.dim, 'encoding training vectors', o.progress) : new Float32Array(0);
  return { dim, base, queries, train: encodedTrain };
}

async function runQuantizer(spec: string, e: Encoded, split: EvalData, progress?: Progress): Promise<QuantizerRecalls> {
  // Three steps per quantizer (train, compress the base, search): the bar shows
  // which one runs and for how long.
  const task = `${spec}: train, compress, search`;
  progress?.(task, 0, 3);
  const q = await makeQuantizer(spec, e.dim, e.train);
  progress?.(task, 1, 3);
  await q.add(e.base);
  progress?.(task, 2, 3);
  const nb = e.base.length / e.dim;
  const k = Math.min(100, nb);
  const I = await q.search(e.queries, k);
  progress?.(task, 3, 3);
  const [r1, r10, r100] = oneRecalls(I, k, split.gt, split.gtK);
  return { quantizer: spec, bits: q.bitsPerVector, r1, r10, r100, line: formatRecallLine(spec, q.bitsPerVector, [r1, r10, r100]) };
}

const stdoutLine = (line: string) => void process.stdout.write(line + '\n');

/**
 * Evaluates one quantizer: encodes the split, compresses the base, searches,
 * prints eval.py's line and returns the recalls.
 */
export async function evaluate(o: EvaluateOptions & { quantizer: string }): Promise<QuantizerRecalls> {
  return (await evaluateAll({ ...o, quantizers: [o.quantizer] })).results[0];
}

/**
 * Evaluates several quantizers on one encoding (the paper's metrics.evaluate):
 * one line each; `score` is the recall named by `bestKey` (e.g. `zn_79,rank=10`),
 * 0 when absent.
 */
export async function evaluateAll(
  o: EvaluateOptions & { quantizers: string[]; bestKey?: string },
): Promise<{ results: QuantizerRecalls[]; score: number }> {
  const log = o.log ?? stdoutLine;
  const encoded = await encodeAll(o);
  const results: QuantizerRecalls[] = [];
  let score = 0;
  for (const spec of o.quantizers) {
    const r = await runQuantizer(spec, encoded, o.split, o.progress);
    log(r.line);
    results.push(r);
    for (const [rank, value] of [[1, r.r1], [10, r.r10], [100, r.r100]]) {
      if (o.bestKey === `${spec},rank=${rank}`) score = value;
    }
  }
  return { results, score };
}
