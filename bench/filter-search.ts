/**
 * Filtered search on real SIFT (../shared/data/sift-debian-small): the first `--n`
 * base vectors, each with a random metadata record `{ bucket: 0..999 }` (a declared
 * number field), and the first `--queries` queries. For selectivity 50%, 10%, 1% and
 * 0.1% (`{ bucket: { lt: 500 | 100 | 10 | 1 } }`) it measures, beside the unfiltered
 * search:
 * - spreadvec, coded by the real catalyzer test/fixtures/pth/paper_zip.pth (128 → 24,
 *   zn_79): latency per query (one batched search of all queries, and single queries)
 *   and 10-recall@10 against the exact k-NN among the vectors that match, by the
 *   codes alone and with `refine: 10`;
 * - LanceDB, the same vectors and `bucket` column, pre-filtered (`where`, LanceDB's
 *   default prefilter), flat (exact, no vector index) and IVF_PQ (one partition,
 *   16 sub-vectors of 8 bits: a compressed flat scan, as spreadvec's codes).
 * The exact neighbours come from the native flat scan over the matching vectors
 * (a bitmap made here from the buckets, independently of storage/metadata.ts).
 *
 *   npx tsx bench/filter.ts --search [--n 100000] [--queries 100] [--no-lance]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../src/index/vector-index';
import { readVecs } from '../src/data/vecs';
import { flatScan } from '../src/kernels/flat-scan-native';
import { numberArg, rng } from './util';

const N = numberArg('n', 100_000);
const NQ = numberArg('queries', 100);
const K = 10;
const REFINE = 10;
const SINGLE = Math.min(NQ, 50);
const DATA = path.join(__dirname, '../../shared/data/sift-debian-small');
const CATALYZER = path.join(__dirname, '../test/fixtures/pth/paper_zip.pth');
const SELECTIVITIES: [string, number][] = [['none', 1000], ['50%', 500], ['10%', 100], ['1%', 10], ['0.1%', 1]];

interface Row {
  method: string;
  filter: string;
  matching: number;
  batchedMsPerQuery: number;
  singleMs: number;
  recall: number;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** 10-recall@10: the share of the exact 10 nearest (among the matching) found in the 10 returned. */
function recallAt(got: (bigint | number)[][], truth: Int32Array): number {
  let hit = 0;
  let total = 0;
  got.forEach((row, q) => {
    const want = new Set<number>();
    for (let j = 0; j < K; j++) if (truth[q * K + j] >= 0) want.add(truth[q * K + j]);
    for (const id of row.slice(0, K)) if (want.has(Number(id))) hit++;
    total += want.size;
  });
  return total === 0 ? 1 : hit / total;
}

async function main(): Promise<void> {
  const base = readVecs(path.join(DATA, 'bigann_base.bvecs'), { count: N });
  const queries = readVecs(path.join(DATA, 'bigann_query.bvecs'), { count: NQ });
  const d = base.dim;
  const n = base.rows;
  const x = base.data as Uint8Array;
  const q32 = Float32Array.from(queries.data as Uint8Array);
  const random = rng(2026);
  const bucket = Int32Array.from({ length: n }, () => Math.floor(random() * 1000));
  console.log(`filtered search on SIFT: n=${n}, d=${d}, ${NQ} queries, k=${K}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);

  // Exact filtered neighbours: the flat scan skipping the slots that do not match.
  const x32 = Float32Array.from(x);
  const truth = new Map<string, Int32Array>();
  for (const [label, lt] of SELECTIVITIES) {
    const skip = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (bucket[i] >= lt) skip[i >> 3] |= 1 << (i & 7);
    truth.set(label, (await flatScan({ base: x32, n, removed: skip, dim: d, queries: q32, k: K, metric: 'l2' })).slots);
  }
  const matchingOf = (lt: number) => bucket.reduce((c, b) => c + (b < lt ? 1 : 0), 0);

  const rows: Row[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-filter-search-'));
  try {
    const index = await Index.create(path.join(dir, 'idx'), { catalyzer: CATALYZER, quantizer: 'zn_79', dtype: 'uint8', fields: { bucket: 'number' } });
    const t0 = performance.now();
    const step = 20_000;
    for (let s = 0; s < n; s += step) {
      const m = Math.min(step, n - s);
      await index.add(x.subarray(s * d, (s + m) * d), Array.from({ length: m }, (_, i) => s + i), Array.from({ length: m }, (_, i) => ({ bucket: bucket[s + i] })));
    }
    console.log(`spreadvec: ${n} vectors with metadata added in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const refine of [undefined, REFINE]) {
      for (const [label, lt] of SELECTIVITIES) {
        const where = lt < 1000 ? { bucket: { lt } } : undefined;
        const options = { ...(where ? { where } : {}), ...(refine ? { refine } : {}) };
        await index.search(q32.subarray(0, d), K, options); // warm
        const tb = performance.now();
        const r = await index.search(q32, K, options);
        const batched = (performance.now() - tb) / NQ;
        const single: number[] = [];
        for (let i = 0; i < SINGLE; i++) {
          const ts = performance.now();
          await index.search(q32.subarray(i * d, (i + 1) * d), K, options);
          single.push(performance.now() - ts);
        }
        const got = Array.from({ length: NQ }, (_, i) => [...r.ids.subarray(i * K, (i + 1) * K)]);
        rows.push({ method: `spreadvec codes${refine ? `, refine ${refine}` : ''}`, filter: label, matching: matchingOf(lt), batchedMsPerQuery: batched, singleMs: median(single), recall: recallAt(got, truth.get(label)!) });
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
    }
    await index.close();
    if (!process.argv.includes('--no-lance')) rows.push(...(await lanceRows(x32, n, d, bucket, q32, truth, matchingOf, dir)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n| method | filter | matching | batched ms/query | single-query ms | 10-recall@10 |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.method} | ${r.filter} | ${r.matching} | ${r.batchedMsPerQuery.toFixed(2)} | ${r.singleMs.toFixed(2)} | ${r.recall.toFixed(3)} |`);
}

async function lanceRows(
  x32: Float32Array, n: number, d: number, bucket: Int32Array, q32: Float32Array, truth: Map<string, Int32Array>, matchingOf: (lt: number) => number, dir: string,
): Promise<Row[]> {
  type Query = { nearestTo(v: Float32Array): Query; where(p: string): Query; limit(k: number): Query; select(c: string[]): Query; toArray(): Promise<{ id: number }[]> };
  type Table = { createIndex(col: string, o: unknown): Promise<void>; query(): Query };
  let lancedb: { connect(dir: string): Promise<{ createTable(name: string, data: unknown): Promise<Table> }>; Index: { ivfPq(o: unknown): unknown } };
  let arrow: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    lancedb = require('@lancedb/lancedb');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    arrow = require('apache-arrow');
  } catch (err) {
    console.log(`LanceDB: @lancedb/lancedb did not load (${(err as Error).message.split('\n')[0]}); rows skipped`);
    return [];
  }
  const rows: Row[] = [];
  const db = await lancedb.connect(path.join(dir, 'lance'));
  const makeTable = () => {
    const child = arrow.makeData({ type: new arrow.Float32(), length: n * d, nullCount: 0, data: x32 });
    const listType = new arrow.FixedSizeList(d, new arrow.Field('item', new arrow.Float32(), true));
    return new arrow.Table({
      id: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => i)),
      bucket: arrow.makeVector(bucket),
      vector: arrow.makeVector(arrow.makeData({ type: listType, length: n, nullCount: 0, child })),
    });
  };
  for (const kind of ['flat', 'ivfpq'] as const) {
    const t0 = performance.now();
    const tbl = await db.createTable(kind, makeTable());
    if (kind === 'ivfpq') {
      await tbl.createIndex('vector', { config: lancedb.Index.ivfPq({ numPartitions: 1, numSubVectors: 16, numBits: 8, distanceType: 'l2', maxIterations: 10, sampleRate: 64 }) });
    }
    console.log(`LanceDB ${kind}: table${kind === 'ivfpq' ? ' and IVF_PQ index' : ''} built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const [label, lt] of SELECTIVITIES) {
      const search = (i: number) => {
        let query = tbl.query().nearestTo(q32.subarray(i * d, (i + 1) * d));
        if (lt < 1000) query = query.where(`bucket < ${lt}`);
        return query.limit(K).select(['id', '_distance']).toArray();
      };
      await search(0);
      const got: number[][] = [];
      const times: number[] = [];
      for (let i = 0; i < NQ; i++) {
        const ts = performance.now();
        const res = await search(i);
        times.push(performance.now() - ts);
        got.push(res.map((r) => Number(r.id)));
      }
      rows.push({
        method: kind === 'flat' ? 'LanceDB flat (exact), prefilter' : 'LanceDB IVF_PQ (1 partition, 16×8 bits), prefilter',
        filter: label, matching: matchingOf(lt), batchedMsPerQuery: times.reduce((a, b) => a + b, 0) / NQ, singleMs: median(times), recall: recallAt(got, truth.get(label)!),
      });
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
  }
  return rows;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
