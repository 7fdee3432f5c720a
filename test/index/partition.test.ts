/**
 * index.partition() and search's nprobe: `nprobe: 'all'` is the flat scan exactly;
 * a partitioned answer is the brute force over the probed lists (a TS model that
 * probes the index's centroids itself and assigns every vector to the list of its
 * catalyzer output, or of its decoded code for an index without stored vectors); the
 * partition survives reopen, adds, removes, compaction and retraining, and another
 * process sees it; one scan per search; bad arguments are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { DEFAULT_NPROBE, FLAT_BELOW, Index, type SearchResult } from '../../src/index/vector-index';
import { defaultNlist } from '../../src/ivf/coarse';
import { ZnCodec } from '../../src/lattice/zn-codec';
import type { PartitionView } from '../../src/index/partition-view';
import { decodeScanReference } from '../reference/scan';
import { assertSameHits, type ModelHit } from '../helpers/index-model';
import { TestEncoder, loadTestEncoder, randomRows, rng } from '../helpers/test-encoder';

const DIN = 10;
const DOUT = 12;
/** zn_8 at dimension 12 has few points: many vectors share a code, so ties are common. */
const R2 = 8;
const N = FLAT_BELOW + 1000;
const opts = { loadCatalyzer: loadTestEncoder, compactAt: false as const };

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-partition-')), 'idx');
}

function plain(r: SearchResult): { ids: bigint[]; distances: number[] } {
  return { ids: [...r.ids], distances: [...r.distances] };
}

function internals(index: Index): { ivf: PartitionView | null; scans: number } {
  return index as unknown as { ivf: PartitionView | null; scans: number };
}

/** Index of the largest inner product of `v` (dim values at v[vo…]) with the rows of `c`; ties: the smaller. */
function nearest(c: Float32Array, dim: number, v: ArrayLike<number>, vo: number, count = 1): number[] {
  const nlist = c.length / dim;
  const scores: { l: number; s: number }[] = [];
  for (let l = 0; l < nlist; l++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += c[l * dim + d] * v[vo + d];
    scores.push({ l, s });
  }
  scores.sort((a, b) => b.s - a.s || a.l - b.l);
  return scores.slice(0, count).map((e) => e.l);
}

/** The live vectors by id and each one's list, as the partition's rules say. */
class PartitionModel {
  readonly live = new Map<bigint, { x: Float32Array; code: Uint8Array; list: number }>();
  nextId = 0n;
  centroids: Float32Array | null = null;
  private readonly codec = new ZnCodec(DOUT, R2);
  constructor(private readonly enc: TestEncoder) {}

  private codeOf(x: Float32Array): Uint8Array {
    return this.codec.quantizeEncodeBatch(this.enc.encodeSync(x));
  }

  add(x: Float32Array, ids: bigint[] | null): void {
    const n = x.length / DIN;
    const assigned = ids ?? Array.from({ length: n }, (_, i) => this.nextId + BigInt(i));
    assigned.forEach((id, i) => {
      const row = x.slice(i * DIN, (i + 1) * DIN);
      // Added to a partitioned index: the list of its catalyzer output.
      const list = this.centroids ? nearest(this.centroids, DOUT, this.enc.encodeSync(row), 0)[0] : -1;
      this.live.set(id, { x: row, code: this.codeOf(row), list });
      if (id >= this.nextId) this.nextId = id + 1n;
    });
  }

  remove(ids: bigint[]): void {
    for (const id of ids) this.live.delete(id);
  }

  /**
   * partition(): every live vector goes to the list of its catalyzer output, or
   * (`byCode`, an index without stored vectors) of its decoded code.
   */
  partition(centroids: Float32Array, byCode = false): void {
    this.centroids = centroids;
    for (const v of this.live.values()) v.list = nearest(centroids, DOUT, byCode ? this.codec.decodeBatch(v.code) : this.enc.encodeSync(v.x), 0)[0];
  }

  /** The k best (distance, id) over the vectors of each query's nprobe nearest lists. */
  search(queries: Float32Array, k: number, nprobe: number): ModelHit[][] {
    const nq = queries.length / DIN;
    const fq = this.enc.encodeSync(queries);
    return Array.from({ length: nq }, (_, q) => {
      const probes = new Set(nearest(this.centroids!, DOUT, fq, q * DOUT, nprobe));
      const ids = [...this.live.keys()].filter((id) => probes.has(this.live.get(id)!.list));
      const hits: ModelHit[] = [];
      if (ids.length > 0) {
        const cb = this.codec.codeBytes;
        const codes = new Uint8Array(ids.length * cb);
        ids.forEach((id, i) => codes.set(this.live.get(id)!.code, i * cb));
        const r = decodeScanReference({ codes, n: ids.length, removed: null, dim: DOUT, r2: R2, queries: fq.slice(q * DOUT, (q + 1) * DOUT), k: ids.length });
        for (let j = 0; j < ids.length; j++) hits.push({ id: ids[r.slots[j]], d: r.distances[j] });
      }
      hits.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const row = hits.slice(0, k);
      while (row.length < k) row.push({ id: -1n, d: Infinity });
      return row;
    });
  }
}

/** An index of N random vectors with some removed and replaced, and its model. */
async function churned(dir: string, storeVectors = true): Promise<{ index: Index; model: PartitionModel; enc: TestEncoder }> {
  const enc = new TestEncoder(DIN, DOUT, 3);
  const index = await Index.create(dir, { catalyzer: enc, quantizer: `zn_${R2}`, storeVectors, ...opts });
  const model = new PartitionModel(enc);
  const x = randomRows(N, DIN, 1);
  await index.add(x);
  model.add(x, null);
  const r = rng(5);
  const gone = Array.from({ length: 400 }, () => BigInt(Math.floor(r() * N)));
  await index.remove(gone);
  model.remove(gone);
  const replaced = Array.from({ length: 200 }, () => BigInt(Math.floor(r() * N)));
  const y = randomRows(replaced.length, DIN, 2);
  await index.add(y, replaced);
  model.add(y, replaced);
  return { index, model, enc };
}

test("nprobe 'all' on a partitioned index is the flat scan exactly (removes, replaced ids, ties, every k)", async () => {
  const { index } = await churned(tmpDir());
  const q = randomRows(30, DIN, 99);
  const flat = await Promise.all([1, 10, 57, index.size + 5].map((k) => index.search(q, k)));
  assert.equal(index.partitioned, false);
  const report = await index.partition();
  assert.equal(report.nlist, defaultNlist(index.size));
  assert.equal(index.partitioned, true);
  assert.equal(index.nlist, report.nlist);
  const ks = [1, 10, 57, index.size + 5];
  for (let i = 0; i < ks.length; i++) {
    assert.deepEqual(plain(await index.search(q, ks[i], { nprobe: 'all' })), plain(flat[i]), `k = ${ks[i]}`);
    // nprobe ≥ nlist probes every list: the same slots, the same answer.
    assert.deepEqual(plain(await index.search(q, ks[i], { nprobe: report.nlist + 3 })), plain(flat[i]), `k = ${ks[i]}, nprobe > nlist`);
  }
  // The default probes DEFAULT_NPROBE lists: fewer vectors are reachable.
  const reach = await index.search(q.subarray(0, DIN), index.size);
  const reachable = reach.ids.filter((id) => id >= 0n).length;
  assert.ok(reachable > 0 && reachable < index.size / 4, `${reachable} of ${index.size} reachable with nprobe ${DEFAULT_NPROBE}`);
  await index.close();
});

for (const storeVectors of [true, false]) test(`partitioned answers are the brute force over the probed lists (TS model), through adds, removes, replaced ids and compaction (storeVectors: ${storeVectors})`, async () => {
  const dir = tmpDir();
  const { index, model, enc } = await churned(dir, storeVectors);
  const { nlist } = await index.partition({ nlist: 60 });
  assert.equal(nlist, 60);
  model.partition(internals(index).ivf!.centroids, !storeVectors);
  const q = randomRows(25, DIN, 123);
  const check = async (what: string) => {
    for (const nprobe of [1, 3, DEFAULT_NPROBE]) {
      for (const k of [1, 10, 40]) {
        const got = await index.search(q, k, nprobe === DEFAULT_NPROBE ? undefined : { nprobe });
        assertSameHits(got, model.search(q, k, nprobe), k, `${what}, nprobe ${nprobe}, k ${k}`);
      }
    }
  };
  await check('after partition');
  // Adds (new ids and replaced ones) join the list of their catalyzer output; removes drop out.
  const x = randomRows(700, DIN, 7);
  await index.add(x);
  model.add(x, null);
  const r = rng(11);
  const ids = Array.from({ length: 150 }, () => BigInt(Math.floor(r() * Number(model.nextId))));
  const y = randomRows(ids.length, DIN, 8);
  await index.add(y, ids);
  model.add(y, ids);
  const gone = Array.from({ length: 300 }, () => BigInt(Math.floor(r() * Number(model.nextId))));
  await index.remove(gone);
  model.remove(gone);
  assert.equal(index.size, model.live.size);
  await check('after adds and removes');
  const before = plain(await index.search(q, 40));
  const mem = index.memoryBytes;
  // Compaction regroups by list with the tail merged in: same lists, same answers.
  assert.ok((await index.compact()) > 0);
  assert.equal(internals(index).ivf!.tailCount, 0);
  assert.deepEqual(plain(await index.search(q, 40)), before);
  assert.ok(index.memoryBytes < mem);
  await check('after compaction');
  await index.verify();
  await index.close();
  // Reopened: the same partition and answers.
  const again = await Index.open(dir, opts);
  assert.equal(again.nlist, 60);
  assert.deepEqual(plain(await again.search(q, 40)), before);
  const z = randomRows(50, DIN, 9);
  await again.add(z);
  model.add(z, null);
  for (const k of [10]) assertSameHits(await again.search(q, k), model.search(q, k, DEFAULT_NPROBE), k, 'reopened, after an add');
  await again.verify();
  await again.close();
  void enc;
});

for (const storeVectors of [true, false]) test(`partition() clusters off the call order: searches called after it do not wait, and adds and removes made meanwhile land in their lists (storeVectors: ${storeVectors})`, async () => {
  const { index, model, enc } = await churned(tmpDir(), storeVectors);
  // With stored vectors the clustering encodes them all: hold that pass until the
  // searches and writes below are done, so that they surely come while it runs.
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const encode = enc.encode.bind(enc);
  enc.encode = async (x) => {
    if (x.length / DIN > 1000) await gate;
    return encode(x);
  };
  let done = false;
  const partitioned = index.partition({ nlist: 40 }).then((r) => ((done = true), r));
  const q = randomRows(20, DIN, 31);
  await index.search(q, 10);
  if (storeVectors) {
    assert.equal(done, false, 'a search called after partition() answered before its commit');
    assert.equal(internals(index).ivf, null, 'and saw the previous (flat) layout');
  }
  // Writes called while it clusters: they commit first, and the partition takes them in.
  const x = randomRows(300, DIN, 32);
  await index.add(x);
  model.add(x, null);
  const gone = [...model.live.keys()].filter((_, i) => i % 50 === 0);
  await index.remove(gone);
  model.remove(gone);
  if (storeVectors) assert.equal(done, false);
  open();
  assert.equal((await partitioned).nlist, 40);
  model.partition(internals(index).ivf!.centroids, !storeVectors);
  for (const nprobe of [1, 4]) assertSameHits(await index.search(q, 10, { nprobe }), model.search(q, 10, nprobe), 10, `nprobe ${nprobe}`);
  await index.close();
});

test('memoryBytes counts the partition: one Int32 per tail slot, the centroids and offsets', async () => {
  const { index } = await churned(tmpDir());
  const flat = index.memoryBytes;
  await index.partition({ nlist: 50 });
  const grouped = index.memoryBytes;
  const ivf = internals(index).ivf!;
  assert.equal(ivf.tailCount, 0);
  assert.ok(grouped >= 50 * DOUT * 4 + 51 * 4);
  await index.add(randomRows(1000, DIN, 3));
  assert.equal(ivf.tailCount, 1000);
  assert.ok(index.memoryBytes - grouped >= 1000 * (1 + 4), 'codes and list ids of the tail counted');
  void flat;
  await index.close();
});

test('a search of a partitioned index takes one scan, ties or not', async () => {
  const { index } = await churned(tmpDir());
  await index.partition({ nlist: 40 });
  const q = randomRows(40, DIN, 5);
  for (const k of [1, 7, 30]) {
    const before = internals(index).scans;
    const r = await index.search(q, k);
    assert.equal(internals(index).scans, before + 1, `k = ${k}`);
    // zn_8 gives many equal distances: some k-th places are ties, resolved by id in the same scan.
    for (let i = 0; i < r.nq; i++) {
      for (let j = 1; j < k; j++) {
        const a = r.distances[i * k + j - 1], b = r.distances[i * k + j];
        if (a === b && r.ids[i * k + j] >= 0n) assert.ok(r.ids[i * k + j - 1] < r.ids[i * k + j]);
      }
    }
  }
  await index.close();
});

test('a single query alone is encoded and scanned on the calling thread, concurrent ones off it: the same answers as the batch', async () => {
  const { index, enc } = await churned(tmpDir());
  await index.partition({ nlist: 40 });
  const calls = { sync: 0, async: 0 };
  const encodeSync = enc.encodeSync.bind(enc), encode = enc.encode.bind(enc);
  enc.encodeSync = (x) => (calls.sync++, encodeSync(x));
  enc.encode = (x) => (calls.async++, encode(x));
  const nq = 24, k = 9;
  const q = randomRows(nq, DIN, 8);
  const row = (i: number) => q.subarray(i * DIN, (i + 1) * DIN);
  const batch = plain(await index.search(q, k, { nprobe: 3 }));
  calls.sync = calls.async = 0;
  const alone: SearchResult[] = [];
  for (let i = 0; i < nq; i++) alone.push(await index.search(row(i), k, { nprobe: 3 }));
  assert.deepEqual(calls, { sync: nq, async: 0 });
  calls.sync = calls.async = 0;
  const together = await Promise.all(Array.from({ length: nq }, (_, i) => index.search(row(i), k, { nprobe: 3 })));
  assert.ok(calls.async >= nq - 1, `${calls.async} of ${nq} concurrent queries off the thread`);
  for (const [label, rs] of [['alone', alone], ['together', together]] as const) {
    assert.deepEqual({ ids: rs.flatMap((r) => [...r.ids]), distances: rs.flatMap((r) => [...r.distances]) }, batch, label);
  }
  await index.close();
});

test('below FLAT_BELOW the index stays flat; partitioning again rebuilds; bad arguments are refused', async () => {
  const enc = new TestEncoder(DIN, DOUT, 3);
  const small = await Index.create(tmpDir(), { catalyzer: enc, quantizer: `zn_${R2}`, ...opts });
  await small.add(randomRows(FLAT_BELOW - 1, DIN, 1));
  assert.deepEqual(await small.partition(), { nlist: 0 });
  assert.equal(small.partitioned, false);
  assert.equal(small.nlist, 0);
  await small.close();

  const untrained = await Index.create(tmpDir(), { dim: DIN });
  await assert.rejects(untrained.partition(), { name: 'RangeError', message: /trained index/ });
  // nprobe is ignored by a flat index, but still checked.
  await untrained.add(randomRows(10, DIN, 1));
  assert.equal((await untrained.search(randomRows(1, DIN, 2), 3, { nprobe: 2 })).ids.length, 3);
  await untrained.close();

  const { index } = await churned(tmpDir());
  await assert.rejects(index.partition({ nlist: 0 }), { name: 'RangeError', message: /options\.nlist/ });
  await assert.rejects(index.partition({ nlist: 2.5 }), { name: 'TypeError', message: /options\.nlist/ });
  await assert.rejects(index.partition({ nlist: N * 2 }), { name: 'RangeError', message: /options\.nlist = \d+ exceeds/ });
  await assert.rejects(index.partition({ lists: 4 } as never), { name: 'TypeError', message: /lists/ });
  const q = randomRows(1, DIN, 3);
  for (const bad of [0, -1]) await assert.rejects(index.search(q, 5, { nprobe: bad }), { name: 'RangeError', message: /options\.nprobe/ });
  for (const bad of [1.5, 'some', null, NaN]) await assert.rejects(index.search(q, 5, { nprobe: bad as never }), { name: 'TypeError', message: /options\.nprobe/ });
  assert.equal((await index.partition({ nlist: 30 })).nlist, 30);
  const first = internals(index).ivf!;
  assert.equal((await index.partition({ nlist: 45 })).nlist, 45);
  assert.equal(index.nlist, 45);
  assert.notEqual(internals(index).ivf, first);
  await index.verify();
  await index.close();
});

/** test/helpers/index-reader.ts in another process (see readers.test.ts). */
function startReader(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'index-reader.ts'), dir, 'top'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error('reader exited early');
    return r.value;
  };
  return {
    ready: next(),
    ask: async (): Promise<{ size: number; live: number; top: string[] }> => {
      child.stdin.write('search\n');
      return JSON.parse(await next());
    },
    exit: () => child.stdin.write('exit\n'),
  };
}

test('another process sees the partition, adds to it and its compaction at its next search', async () => {
  const dir = tmpDir();
  const { index } = await churned(dir);
  const reader = startReader(dir);
  await reader.ready;
  const q = randomRows(1, DIN, 77); // the reader's query
  const mine = async () => {
    const r = await index.search(q, 100000);
    return { size: index.size, live: r.ids.filter((id) => id >= 0n).length, top: [...r.ids.subarray(0, 10)].map(String) };
  };
  assert.deepEqual(await reader.ask(), await mine());
  await index.partition({ nlist: 64 });
  const seen = await reader.ask();
  assert.ok(seen.live < seen.size, 'the reader probes lists');
  assert.deepEqual(seen, await mine());
  await index.add(randomRows(500, DIN, 4));
  await index.remove([1n, 2n, 3n, 4000n]);
  assert.deepEqual(await reader.ask(), await mine());
  await index.compact();
  assert.deepEqual(await reader.ask(), await mine());
  reader.exit();
  await index.close();
});

test('1,000 concurrent searches run on a bounded set of OS threads (the libuv pool + one shared pool of scan helpers)', { skip: !fs.existsSync('/proc/self/task') }, async () => {
  const THREADS = 8;
  const index = await Index.create(tmpDir(), { catalyzer: new TestEncoder(DIN, 16, 3), quantizer: 'zn_30', ...opts, threads: THREADS });
  await index.add(randomRows(20_000, DIN, 1));
  await index.partition();
  const tasks = () => fs.readdirSync('/proc/self/task').length;
  const before = tasks();
  let most = before;
  const timer = setInterval(() => (most = Math.max(most, tasks())), 1);
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => index.search(randomRows(1, DIN, i), 10, { nprobe: i % 2 ? 'all' : 4 })));
  clearInterval(timer);
  assert.equal(results.length, 1000);
  // At most UV_THREADPOOL_SIZE (4) kernel jobs run at once, and they share one pool of
  // at most THREADS − 1 helper threads (native/parallel.h): not 1000 × THREADS, nor
  // even 4 × THREADS. The margin covers threads V8 and Node start lazily (GC,
  // compiler, the libuv pool's own start-up) during the run.
  const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  assert.ok(most <= before + pool + THREADS + 16, `${most} threads at most (${before} before)`);
  await index.close();
});

test('a damaged partition record, centroids blob or tail list is reported as ECORRUPT, not searched', async () => {
  const { open } = await import('lmdb');
  const { DATA_FILE, DB, META_KEY, BLOB_KEY } = await import('../../storage/layout');
  const dir = tmpDir();
  const { index } = await churned(dir);
  await index.partition({ nlist: 32 });
  await index.add(randomRows(10, DIN, 6)); // a tail
  await index.verify();
  await index.close();
  const damage = async (what: string, fn: (env: ReturnType<typeof open>) => void) => {
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-partition-damage-')), 'idx');
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(dir, DATA_FILE), path.join(copy, DATA_FILE));
    const env = open({ path: path.join(copy, DATA_FILE), noSubdir: true, maxDbs: 16 });
    env.transactionSync(() => fn(env));
    await env.close();
    const broken = await Index.open(copy, opts).catch((e: unknown) => e as Error);
    if (broken instanceof Error) {
      assert.equal((broken as { code?: string }).code, 'ECORRUPT', `${what}: ${broken.message}`);
      return;
    }
    await assert.rejects(broken.search(randomRows(1, DIN, 1), 5), { code: 'ECORRUPT' }, what);
    await broken.close();
  };
  await damage('listStart changed under its checksum', (env) => {
    const meta = env.openDB<Record<string, unknown>, string>({ name: DB.meta });
    const rec = meta.get(META_KEY.partition)!;
    const ls = rec.listStart as number[];
    ls[1] += 1;
    meta.putSync(META_KEY.partition, rec);
  });
  await damage('centroids blob flipped', (env) => {
    const blobs = env.openDB<Buffer, string>({ name: DB.blobs, encoding: 'binary' });
    const b = Buffer.from(blobs.get(BLOB_KEY.centroids)!);
    b[5] ^= 1;
    blobs.putSync(BLOB_KEY.centroids, b);
  });
  await damage('a tail list missing', (env) => {
    const lists = env.openDB<Buffer, number>({ name: DB.lists, encoding: 'binary', keyEncoding: 'uint32' });
    const first = [...lists.getKeys({ limit: 1 })][0] as number;
    lists.removeSync(first);
  });
});

test('refine on a partitioned index re-ranks the candidates of the probed lists', async () => {
  const { index } = await churned(tmpDir());
  await index.partition({ nlist: 50 });
  const q = randomRows(12, DIN, 31);
  const k = 5, refine = 4;
  for (const nprobe of [2, 'all'] as const) {
    const cand = await index.search(q, k * refine, { nprobe });
    const got = await index.search(q, k, { nprobe, refine });
    const stored = await index.get([...got.ids].filter((id) => id >= 0n));
    let at = 0;
    for (let i = 0; i < 12; i++) {
      const mine = new Set(cand.ids.subarray(i * k * refine, (i + 1) * k * refine));
      for (let j = 0; j < k; j++) {
        const id = got.ids[i * k + j];
        assert.ok(mine.has(id), `nprobe ${nprobe}, query ${i}: ${id} is not among the probed candidates`);
        // The distance is the exact squared L2 to the stored vector.
        let d = 0;
        for (let c = 0; c < DIN; c++) d += (q[i * DIN + c] - (stored as Float32Array)[at * DIN + c]) ** 2;
        assert.ok(Math.abs(got.distances[i * k + j] - d) < 1e-4);
        at++;
      }
    }
  }
  await index.close();
});

test('a filtered search on a partitioned index probes further lists until it holds k matches: k results at 0.5% selectivity, the exact filtered best with nprobe all', async () => {
  const index = await Index.create(tmpDir(), { catalyzer: new TestEncoder(DIN, DOUT, 4), quantizer: `zn_${R2}`, ...opts });
  const x = randomRows(N, DIN, 61);
  // One vector in 200 is 'rare', spread over the lists.
  const meta = Array.from({ length: N }, (_, i) => ({ kind: i % 200 === 7 ? 'rare' : 'common' }));
  await index.add(x, undefined, meta);
  const { nlist } = await index.partition();
  assert.ok(nlist > 1);
  const q = randomRows(6, DIN, 62);
  const k = 10;
  const rare = Math.floor(N / 200);
  assert.ok(rare >= 2 * k);
  const filtered = await index.search(q, k, { where: { kind: 'rare' } });
  const meta2 = await index.getMetadata([...filtered.ids].filter((id) => id >= 0n));
  assert.equal(meta2.length, 6 * k, 'every query gets k results although nprobe lists hold fewer matches');
  for (const m of meta2) assert.equal(m?.kind, 'rare');
  // Against the exhaustive filtered scan: the filtered answers are among the best.
  const all = await index.search(q, k, { where: { kind: 'rare' }, nprobe: 'all' });
  for (let i = 0; i < 6 * k; i++) assert.ok(filtered.distances[i] >= all.distances[i] - 1e-6);
  await index.close();
});
