import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open } from 'lmdb';

import { Index } from '../../src/index/vector-index';
import { DATA_FILE, DB, META_KEY } from '../../storage/layout';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 10;
const DOUT = 12;

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-faults-'));
}

async function filled(): Promise<{ index: Index; dir: string }> {
  const dir = path.join(tmp(), 'idx');
  const index = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT, 3), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await index.add(randomRows(40, DIN, 1));
  return { index, dir };
}

/** Runs `bad` (which must reject with `pattern`) and checks the index answers as before. */
async function rejectsUnchanged(index: Index, bad: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  const q = randomRows(3, DIN, 99);
  const before = await index.search(q, 5);
  const size = index.size;
  await assert.rejects(bad, pattern);
  assert.equal(index.size, size);
  assert.deepEqual(await index.search(q, 5), before);
}

test('bad vectors, ids and k raise errors that say what is wrong, and change nothing', async () => {
  const { index } = await filled();
  const good = randomRows(3, DIN, 2);
  await rejectsUnchanged(index, () => index.add(new Float32Array(DIN + 1)), /11 values, not a multiple of the index dimension 10/);
  await rejectsUnchanged(index, () => index.add([[1, 2, 3]]), /vectors\[0\] must be an array of 10 numbers, got 3 values/);
  await rejectsUnchanged(index, () => index.search(new Float32Array(DIN * 2 - 1), 3), /queries has 19 values/);
  const nan = good.slice();
  nan[7] = NaN;
  await rejectsUnchanged(index, () => index.add(nan), /vectors holds a non-finite value \(NaN\) at index 7/);
  const inf = good.slice();
  inf[4] = -Infinity;
  await rejectsUnchanged(index, () => index.search(inf, 3), /queries holds a non-finite value \(-Infinity\) at index 4/);
  await rejectsUnchanged(index, () => index.add([Array(DIN).fill(1e39)]), /non-finite value \(Infinity\)/);
  await rejectsUnchanged(index, () => index.add(new Float32Array(DIN)), /vectors row 0 is a zero vector/);
  await rejectsUnchanged(index, () => index.search(good, 0), /k must be ≥ 1, got 0/);
  await rejectsUnchanged(index, () => index.search(good, -3), /k must be ≥ 1, got -3/);
  await rejectsUnchanged(index, () => index.search(good, 2.5), /k must be an integer, got 2.5/);
  await rejectsUnchanged(index, () => index.search(good, NaN), /k must be an integer, got NaN/);
  await rejectsUnchanged(index, () => index.search(good, '3' as unknown as number), /k must be an integer, got 3/);
  await rejectsUnchanged(index, () => index.add(good, [1n, 2n]), /ids has 2 entries for 3 vectors/);
  await rejectsUnchanged(index, () => index.add(good, [1, 2, 3.5]), /ids\[2\] must be an integer/);
  await rejectsUnchanged(index, () => index.add(good, [1n, -2n, 3n]), /ids\[1\] must be in \[0, 2\^63 − 1\], got -2/);
  await rejectsUnchanged(index, () => index.add(good, [1n, 2n, 1n << 63n]), /ids\[2\] must be in \[0, 2\^63 − 1\]/);
  await rejectsUnchanged(index, () => index.remove([1n, 'x' as unknown as bigint]), /ids\[1\] must be an integer/);
  await rejectsUnchanged(index, () => index.add('abc' as unknown as Float32Array), /vectors must be a Float32Array, a Float64Array, a Uint8Array or an array of rows/);
  await index.close();
});

test('a closed index refuses every operation; close twice is harmless', async () => {
  const { index } = await filled();
  await index.close();
  await index.close();
  await assert.rejects(index.add(randomRows(1, DIN, 1)), /the index is closed/);
  await assert.rejects(index.search(randomRows(1, DIN, 1), 1), /the index is closed/);
  await assert.rejects(index.remove([1]), /the index is closed/);
  assert.throws(() => index.size, /the index is closed/);
});

test('an operation queued before close finishes; one started after close is refused', async () => {
  const { index } = await filled();
  const pending = index.add(randomRows(5, DIN, 8));
  const closing = index.close();
  assert.equal((await pending).length, 5);
  await closing;
  await assert.rejects(index.search(randomRows(1, DIN, 1), 1), /closed/);
});

test('Index.open refuses paths that are not spreadvec indexes, with a clear reason', async () => {
  const opts = { loadCatalyzer: loadTestEncoder };
  const root = tmp();
  await assert.rejects(Index.open(path.join(root, 'nope'), opts), /no index at .*nope: the path does not exist/);
  fs.writeFileSync(path.join(root, 'file'), 'hello');
  await assert.rejects(Index.open(path.join(root, 'file'), opts), /not a spreadvec index: .* is not a directory/);
  fs.mkdirSync(path.join(root, 'empty'));
  await assert.rejects(Index.open(path.join(root, 'empty'), opts), /not a spreadvec index: .* has no index\.mdb/);
  fs.mkdirSync(path.join(root, 'garbage'));
  fs.writeFileSync(path.join(root, 'garbage', DATA_FILE), Buffer.alloc(65536, 7));
  await assert.rejects(Index.open(path.join(root, 'garbage'), opts), /not a spreadvec index: .* is not an LMDB environment \(no LMDB magic number\)/);
  // Someone else's LMDB environment.
  fs.mkdirSync(path.join(root, 'foreign'));
  const env = open({ path: path.join(root, 'foreign', DATA_FILE), noSubdir: true, maxDbs: 4 });
  env.transactionSync(() => env.putSync('hello', 'world'));
  await env.close();
  await assert.rejects(Index.open(path.join(root, 'foreign'), opts), /not a spreadvec index: .* has no format record/);
  // Creating over a non-empty directory is refused too.
  await assert.rejects(
    Index.create(path.join(root, 'foreign'), { catalyzer: new TestEncoder(DIN, DOUT), quantizer: 'zn_8' }),
    /the directory is not empty/,
  );
});

/** Rewrites one meta record of a closed index directly in LMDB. */
async function patchMeta(dir: string, key: string, value: unknown): Promise<void> {
  const env = open({ path: path.join(dir, DATA_FILE), noSubdir: true, maxDbs: 16 });
  const meta = env.openDB({ name: DB.meta });
  env.transactionSync(() => meta.putSync(key, value));
  await env.close();
}

test('a newer format, another format or a corrupt meta record is refused, and the index stays usable once repaired', async () => {
  const { index, dir } = await filled();
  const q = randomRows(2, DIN, 5);
  const before = await index.search(q, 4);
  await index.close();
  const opts = { loadCatalyzer: loadTestEncoder };
  const cases: [string, unknown, RegExp][] = [
    [META_KEY.format, { format: 'spreadvec-index', version: 99 }, /format version 99, newer than this spreadvec reads \(3\); upgrade spreadvec/],
    [META_KEY.format, { format: 'something-else', version: 1 }, /not a spreadvec index: .* format record of another kind/],
    [META_KEY.format, { format: 'spreadvec-index', version: 'x' }, /corrupt meta record 'format': version must be a positive integer/],
    [META_KEY.config, 'garbage', /corrupt meta record 'config': not a record/],
    [META_KEY.config, { din: DIN, metric: 'euclid', dtype: 'float32', storeVectors: true }, /corrupt meta record 'config': metric must be one of l2, cosine, ip, found "euclid"/],
    [META_KEY.config, { din: DIN, metric: 'l2', dtype: 'float32', storeVectors: true, quantizer: null, crc: 1 }, /corrupt meta record 'config': checksum mismatch/],
    [META_KEY.model, { dout: -1, quantizer: 'zn_8', r2: 8, nbit: 20, codeBytes: 3 }, /corrupt meta record 'model': dout must be an integer ≥ 1, found -1/],
    [META_KEY.model, { dout: DOUT, quantizer: 'zn_9', r2: 8, nbit: 20, codeBytes: 3 }, /corrupt meta record 'model': quantizer "zn_9" does not match r2 8/],
    [META_KEY.state, { generation: 1, nslots: 5, live: 9, nextId: '5' }, /corrupt meta record 'state': live 9 exceeds nslots 5/],
    [META_KEY.state, { generation: 1, nslots: 40, live: 40, nextId: 12 }, /corrupt meta record 'state': nextId must be a decimal string/],
  ];
  const env = open({ path: path.join(dir, DATA_FILE), noSubdir: true, maxDbs: 16 });
  const meta = env.openDB({ name: DB.meta });
  const saved = new Map<string, unknown>(Object.values(META_KEY).map((k) => [k, meta.get(k)]));
  await env.close();
  for (const [key, value, pattern] of cases) {
    await patchMeta(dir, key, value);
    await assert.rejects(Index.open(dir, opts), pattern);
    await patchMeta(dir, key, saved.get(key));
  }
  // Opening failed without touching anything: the index answers as before.
  const again = await Index.open(dir, opts);
  assert.deepEqual(await again.search(q, 4), before);
  await again.close();
});

test('quantizer names are checked against the catalyzer output dimension', async () => {
  const root = tmp();
  const enc3 = new TestEncoder(DIN, 3);
  await assert.rejects(Index.create(path.join(root, 'a'), { catalyzer: enc3, quantizer: 'pq8' }), /quantizer must be 'zn_<r2>'/);
  await assert.rejects(Index.create(path.join(root, 'b'), { catalyzer: enc3, quantizer: 'zn_0' }), /quantizer must be 'zn_<r2>'/);
  // 7 is not a sum of three squares: the sphere is empty at dimension 3.
  await assert.rejects(Index.create(path.join(root, 'c'), { catalyzer: enc3, quantizer: 'zn_7' }), /quantizer zn_7 cannot be used at dimension 3/);
  assert.equal(fs.existsSync(path.join(root, 'c')), false);
});
