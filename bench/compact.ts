/**
 * Compaction benchmark: memory per vector after 8 rounds of upserting the same
 * vectors, without compaction (the baseline: compactAt false), with the default
 * automatic compaction and with one compact() at the end, against a fresh index of
 * the same vectors; the time the 8 rounds take with and without the automatic
 * compaction (its cost); and compact() on 1M live codes with as many dead ones
 * (the point where the default compactAt of 0.5 fires at 1M vectors).
 *
 *   npx tsx bench/compact.ts [--n 100000] [--big 1000000]
 *
 * Codes are zn_79 at d = 24 (64-bit) from a pass-through encoder (rows are already
 * unit vectors): this measures quantize + LMDB + compaction, not the network.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEFAULT_COMPACT_AT, Index, type CompactAt, type IndexEncoder } from '../src/index/vector-index';
import { numberArg as arg, unitRows } from './util';

const N = arg('n', 100_000);
const BIG = arg('big', 1_000_000);
const DIM = 24;
const ROUNDS = 8;
const BATCH = 100_000;


const identity: IndexEncoder = {
  din: DIM,
  dout: DIM,
  encode: async (x) => (x instanceof Float32Array ? x : Float32Array.from(x)),
  toCheckpoint: () => new TextEncoder().encode('{"kind":"identity"}'),
  close: async () => undefined,
};

const dirs: string[] = [];
async function fresh(compactAt: CompactAt): Promise<Index> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-bench-compact-')), 'idx');
  dirs.push(path.dirname(dir));
  return Index.create(dir, { catalyzer: identity, quantizer: 'zn_79', compactAt });
}

/** Adds rows (n × DIM) under ids start.. in batches of BATCH; returns seconds. */
async function upsert(index: Index, rows: Float32Array, n: number): Promise<number> {
  const t = performance.now();
  for (let s = 0; s < n; s += BATCH) {
    const e = Math.min(n, s + BATCH);
    await index.add(rows.subarray(s * DIM, e * DIM), Array.from({ length: e - s }, (_, i) => s + i));
  }
  return (performance.now() - t) / 1000;
}

async function main(): Promise<void> {
  console.log(`compact bench: ${ROUNDS} upsert rounds of n=${N} (zn_79, d=${DIM}, 8-byte codes), compact() at ${BIG} live + ${BIG} dead, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
  const rows = unitRows(N, DIM, 1);
  const one = await fresh(false);
  await upsert(one, rows, N);
  const freshBytes = one.memoryBytes;
  await one.close();

  const plain = await fresh(false);
  const auto = await fresh(DEFAULT_COMPACT_AT);
  let plainS = 0;
  let autoS = 0;
  for (let r = 0; r < ROUNDS; r++) {
    plainS += await upsert(plain, rows, N);
    autoS += await upsert(auto, rows, N);
  }
  const perVec = (b: number) => (b / N).toFixed(2);
  console.log(`fresh index (1 round):                ${perVec(freshBytes)} B/vector`);
  console.log(`${ROUNDS} rounds, compactAt false (baseline): ${perVec(plain.memoryBytes)} B/vector (×${(plain.memoryBytes / freshBytes).toFixed(2)} fresh), ${plainS.toFixed(2)} s`);
  console.log(`${ROUNDS} rounds, compactAt ${DEFAULT_COMPACT_AT} (default):    ${perVec(auto.memoryBytes)} B/vector (×${(auto.memoryBytes / freshBytes).toFixed(2)} fresh), ${autoS.toFixed(2)} s (×${(autoS / plainS).toFixed(2)} the baseline's time)`);
  const t = performance.now();
  const reclaimed = await plain.compact();
  const compactS = (performance.now() - t) / 1000;
  console.log(`baseline + compact():                 ${perVec(plain.memoryBytes)} B/vector (×${(plain.memoryBytes / freshBytes).toFixed(2)} fresh), ${reclaimed} slots reclaimed in ${compactS.toFixed(2)} s`);
  await plain.close();
  await auto.close();

  if (BIG > 0) {
    const bigRows = unitRows(BIG, DIM, 2);
    const big = await fresh(false);
    await upsert(big, bigRows, BIG);
    await upsert(big, bigRows, BIG);
    const before = big.memoryBytes;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = await big.compact();
    const wall = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0);
    console.log(`compact() of ${BIG} live + ${n} dead codes: ${wall.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} CPU-s; arena ${(before / 2 ** 20).toFixed(1)} → ${(big.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
    const q = unitRows(1, DIM, 3);
    const s0 = performance.now();
    await big.search(q, 10);
    console.log(`(a search after it: ${(performance.now() - s0).toFixed(0)} ms)`);
    await big.close();
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(String(e?.message ?? e));
  process.exit(1);
});
