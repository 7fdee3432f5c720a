/**
 * Bring-your-own-vectors benchmark: the path of an app that starts from its vectors
 * (`Index.create(dir, { dim })`), on the real SIFT of ../shared/data, through the
 * public API only:
 * - untrained: add time, exact search throughput (flat scan of the stored vectors);
 * - `train()` at the defaults (or --epochs/--dint/--sample): fit and coding time;
 * - 1-recall@1/10/100 of the codes and with refine 10 (and --refine R), against the
 *   data set's exact ground truth;
 * - resident bytes per vector before and after training.
 *
 *   npx tsx bench/byov.ts [--n 329945] [--queries 1000] [--epochs E] [--dint D] [--sample S] [--threads T] [--nprobes 8,16,32]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index, type SearchResult } from '../src/index/vector-index';
import { readVecs } from '../src/data/vecs';
import { numberArg } from './util';

const SIFT = path.join(__dirname, '..', '..', 'shared', 'data', 'sift-debian-small');
const N = numberArg('n', 329_945);
const NQ = numberArg('queries', 1000);
const THREADS = numberArg('threads', 0) || undefined;
const trainOptions = {
  ...(numberArg('epochs', 0) ? { epochs: numberArg('epochs', 0) } : {}),
  ...(numberArg('dint', 0) ? { dint: numberArg('dint', 0) } : {}),
  ...(numberArg('sample', 0) ? { sampleSize: numberArg('sample', 0) } : {}),
};

/** 1-recall@at: the fraction of queries whose true nearest neighbour is in the first `at` results. */
function recall(r: SearchResult, gt: Int32Array, gtK: number, at: number): number {
  let hit = 0;
  for (let q = 0; q < r.nq; q++) {
    const want = BigInt(gt[q * gtK]);
    for (let j = 0; j < Math.min(at, r.k); j++) if (r.ids[q * r.k + j] === want) hit++;
  }
  return hit / r.nq;
}

function recalls(r: SearchResult, gt: Int32Array, gtK: number): string {
  return [1, 10, 100].map((at) => recall(r, gt, gtK, at).toFixed(4)).join(' / ');
}

async function main(): Promise<void> {
  const base = readVecs(path.join(SIFT, 'bigann_base.bvecs'), { start: 0, count: N }, 'bvecs');
  const queries = readVecs(path.join(SIFT, 'bigann_query.bvecs'), { start: 0, count: NQ }, 'bvecs');
  const n = base.rows;
  const nq = queries.rows;
  // The shipped ground truth is over the whole base; a smaller base gets its own below.
  const gtFile = readVecs(path.join(SIFT, 'gnd', 'idx_1M.ivecs'), { start: 0, count: nq }, 'ivecs');
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-byov-')), 'idx');
  console.log(`SIFT (sift-debian-small): ${n} base vectors, ${nq} queries, dim 128 (uint8 stored); threads ${THREADS ?? 'default'}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  const index = await Index.create(dir, { dim: 128, dtype: 'uint8', threads: THREADS });
  let t = performance.now();
  for (let r = 0; r < n; r += 10_000) await index.add(base.data.subarray(r * 128, Math.min(n, r + 10_000) * 128));
  const addS = (performance.now() - t) / 1000;
  console.log(`untrained: add ${n} in ${addS.toFixed(2)} s (${Math.round(n / addS)} vectors/s); resident ${(index.memoryBytes / n).toFixed(1)} B/vector`);

  t = performance.now();
  const exact = await index.search(queries.data, 100);
  const exactS = (performance.now() - t) / 1000;
  const gt = n === 329_945 ? gtFile.data : Int32Array.from(exact.ids, (id) => Number(id));
  const gtK = n === 329_945 ? gtFile.dim : 100;
  console.log(`untrained exact search: ${nq} queries (k 100) in ${exactS.toFixed(2)} s = ${Math.round(nq / exactS)} queries/s; 1-recall@1/10/100 ${recalls(exact, gt, gtK)}`);
  const one = Math.min(nq, 50);
  t = performance.now();
  for (let i = 0; i < one; i++) await index.search(queries.data.subarray(i * 128, (i + 1) * 128), 10);
  console.log(`untrained single query (k 10): ${((performance.now() - t) / one).toFixed(1)} ms mean over ${one}`);

  t = performance.now();
  let lastPhase = '';
  const report = await index.train({
    ...trainOptions,
    onProgress: (p) => {
      const phase = p.phase === 'epoch' ? `epoch ${p.epoch + 1}/${p.epochs}` : p.phase;
      if (phase !== lastPhase) process.stderr.write(`  ${phase} at ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
      lastPhase = phase;
    },
  });
  console.log(
    `train(${JSON.stringify(trainOptions)}): ${report.trainSize} training vectors, ${report.epochs} epochs, ${report.din} → ${report.dout}, ${report.quantizer}: ` +
      `fit ${report.fitSeconds.toFixed(1)} s, coding + switch ${report.codeSeconds.toFixed(1)} s; resident ${(index.memoryBytes / n).toFixed(2)} B/vector`,
  );

  console.log(`partition after training: ${report.nlist} lists`);
  for (const nprobe of ['all', undefined] as const) {
    t = performance.now();
    const codes = await index.search(queries.data, 100, nprobe ? { nprobe } : undefined);
    const codesS = (performance.now() - t) / 1000;
    console.log(`codes (nprobe ${nprobe ?? 'default'}): ${nq} queries (k 100) in ${codesS.toFixed(2)} s; 1-recall@1/10/100 ${recalls(codes, gt, gtK)}`);
  }
  // The nprobe sweep behind DEFAULT_NPROBE (recall and single-query latency per value).
  for (const np of (process.argv.includes('--nprobes') ? process.argv[process.argv.indexOf('--nprobes') + 1] : '').split(',').filter(Boolean).map(Number)) {
    const r = await index.search(queries.data, 100, { nprobe: np });
    const one: number[] = [];
    for (let i = 0; i < Math.min(nq, 200); i++) {
      const t0 = performance.now();
      await index.search(queries.data.subarray(i * 128, (i + 1) * 128), 10, { nprobe: np });
      one.push(performance.now() - t0);
    }
    one.sort((a, b) => a - b);
    const rr = await index.search(queries.data, 1, { nprobe: np, refine: 10 });
    console.log(`nprobe ${np}: 1-recall@1/10/100 ${recalls(r, gt, gtK)}; refine 10 1-recall@1 ${recall(rr, gt, gtK, 1).toFixed(4)}; single query p50 ${one[one.length >> 1].toFixed(2)} ms`);
  }
  const lat: number[] = [];
  for (let i = 0; i < Math.min(nq, 300); i++) {
    const t0 = performance.now();
    await index.search(queries.data.subarray(i * 128, (i + 1) * 128), 10);
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  console.log(`trained single query (k 10, default nprobe): p50 ${lat[Math.floor(lat.length / 2)].toFixed(2)} ms, p95 ${lat[Math.floor(lat.length * 0.95)].toFixed(2)} ms over ${lat.length}`);
  for (const refine of [10, numberArg('refine', 0)].filter((r) => r > 0)) {
    t = performance.now();
    const r = await index.search(queries.data, 100 / 10, { refine });
    const s = (performance.now() - t) / 1000;
    const r100 = await index.search(queries.data, 100, { refine });
    console.log(`refine ${refine}: ${nq} queries (k 10) in ${s.toFixed(2)} s; 1-recall@1/10 ${[1, 10].map((at) => recall(r, gt, gtK, at).toFixed(4)).join(' / ')}; k 100: 1-recall@100 ${recall(r100, gt, gtK, 100).toFixed(4)}`);
  }
  await index.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
