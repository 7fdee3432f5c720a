/**
 * TS reference of the decode-and-scan search (the native kernel in
 * native/decode_scan.cc must agree with it): decode every live code with the TS
 * ZnCodec to z / √r2, score 2 − 2⟨q, x⟩ in double precision rounded to float32,
 * sort by (distance, slot), keep k per query and the other slots at the k-th
 * distance (the ties). With `ranges`, query i scores only the live slots of its
 * ranges. Slow and simple on purpose.
 */
import { ZnCodec } from '../../src/lattice/zn-codec';
import type { ScanInput, ScanResult } from '../../src/kernels/scan-native';
import { placeTopK } from './topk';

const codecs = new Map<string, ZnCodec>();

function codecFor(dim: number, r2: number): ZnCodec {
  const key = `${dim}:${r2}`;
  let c = codecs.get(key);
  if (!c) codecs.set(key, (c = new ZnCodec(dim, r2)));
  return c;
}

export function decodeScanReference(input: ScanInput): ScanResult {
  const { codes, n, removed, dim, r2, queries, k } = input;
  const codec = codecFor(dim, r2);
  const z = codec.decodeBatch(codes.subarray(0, n * codec.codeBytes));
  const scale = 1 / Math.sqrt(r2);
  const live: number[] = [];
  for (let s = 0; s < n; s++) if (!removed || ((removed[s >> 3] >> (s & 7)) & 1) === 0) live.push(s);
  const nq = queries.length / dim;
  const slots = new Int32Array(nq * k).fill(-1);
  const distances = new Float32Array(nq * k).fill(Infinity);
  const ties: number[] = [];
  const tieOffsets = new Int32Array(nq + 1);
  for (let qi = 0; qi < nq; qi++) {
    const mine = input.ranges && input.rangeOffsets ? live.filter((s) => inRanges(input, qi, s)) : live;
    const hits = mine.map((s) => {
      let ip = 0;
      for (let d = 0; d < dim; d++) ip += queries[qi * dim + d] * (z[s * dim + d] * scale);
      return { dist: Math.fround(2 - 2 * ip), slot: s };
    });
    placeTopK(hits, k, qi, slots, distances, ties);
    tieOffsets[qi + 1] = ties.length;
  }
  return { slots, distances, tieSlots: Int32Array.from(ties), tieOffsets };
}

function inRanges(input: ScanInput, qi: number, slot: number): boolean {
  const r = input.ranges!;
  const o = input.rangeOffsets!;
  for (let j = o[qi]; j < o[qi + 1]; j++) if (slot >= r[2 * j] && slot < r[2 * j + 1]) return true;
  return false;
}
