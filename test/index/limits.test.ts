/**
 * Inputs the Index refuses, clearly and at once, leaving it unchanged: zero vectors
 * and zero queries, unknown option names, searches whose output would be huge, and
 * automatic ids past 2^63 − 1. And a huge k on a small index costs only its output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index, MAX_SEARCH_RESULTS } from '../../src/index/vector-index';
import { MAX_ID } from '../../storage/layout';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 6;
const DOUT = 12;

/** Like the catalyzer (whose layers have biases), maps the zero vector to a finite point. */
class BiasedEncoder extends TestEncoder {
  encodeSync(x: Float32Array | Uint8Array): Float32Array {
    const shifted = Float32Array.from(x, (v) => v + 0.5);
    return super.encodeSync(shifted);
  }
}

const roots: string[] = [];
function tmpDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-limits-'));
  roots.push(root);
  return path.join(root, 'idx');
}
test.after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

async function create(n = 0): Promise<Index> {
  const index = await Index.create(tmpDir(), { catalyzer: new BiasedEncoder(DIN, DOUT, 2), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  if (n > 0) await index.add(randomRows(n, DIN, 1));
  return index;
}

test('a zero vector in add and a zero query are RangeErrors naming the row', async () => {
  const index = await create(10);
  const x = randomRows(3, DIN, 2);
  x.fill(0, 2 * DIN, 3 * DIN);
  await assert.rejects(index.add(x), (e: Error) => e instanceof RangeError && /vectors row 2 is a zero vector/.test(e.message));
  await assert.rejects(index.add([Array(DIN).fill(0)]), /vectors row 0 is a zero vector/);
  await assert.rejects(index.add(new Uint8Array(DIN)), /vectors row 0 is a zero vector/);
  assert.equal(index.size, 10);
  const q = randomRows(2, DIN, 3);
  q.fill(0, DIN);
  await assert.rejects(index.search(q, 3), (e: Error) => e instanceof RangeError && /queries row 1 is a zero vector/.test(e.message));
  // A vector with one non-zero value is fine.
  const one = new Float32Array(DIN);
  one[DIN - 1] = 1e-30;
  assert.equal((await index.search(one, 1)).ids.length, 1);
  await index.close();
});

test('unknown option names are refused with a TypeError naming them', async () => {
  const dir = tmpDir();
  const enc = new TestEncoder(DIN, DOUT);
  await assert.rejects(
    Index.create(dir, { catalyzer: enc, quantiser: 'zn_8' } as never),
    (e: Error) => e instanceof TypeError && /Index\.create: unknown option 'quantiser' \(options are dim, metric, dtype, storeVectors, catalyzer, quantizer, loadCatalyzer, threads, compactAt, cache, fields\)/.test(e.message),
  );
  assert.equal(fs.existsSync(dir), false);
  const index = await Index.create(dir, { catalyzer: enc, quantizer: 'zn_8' });
  await index.add(randomRows(4, DIN, 4));
  await index.close();
  await assert.rejects(Index.open(dir, { readonly: true, loadCatalyzer: loadTestEncoder } as never), (e: Error) => e instanceof TypeError && /Index\.open: unknown option 'readonly'/.test(e.message));
  await assert.rejects(Index.open(dir, { readOnly: 'yes', loadCatalyzer: loadTestEncoder } as never), /options\.readOnly must be a boolean/);
  await assert.rejects(Index.open(dir, { threads: 5000, loadCatalyzer: loadTestEncoder }), /options\.threads must be ≤ 1024, got 5000/);
  const again = await Index.open(dir, { loadCatalyzer: loadTestEncoder });
  const q = randomRows(1, DIN, 5);
  await assert.rejects(again.search(q, 2, { nprobes: 4 } as never), (e: Error) => e instanceof TypeError && /search: unknown option 'nprobes' \(options are refine, where, nprobe\)/.test(e.message));
  await assert.rejects(again.search(q, 2, 'fast' as never), /search: options must be an object/);
  assert.equal((await again.search(q, 2, {})).ids.length, 2);
  await again.close();
});

test('a huge k on a small index costs its padded output only; a huge output is refused at once', { timeout: 60_000 }, async () => {
  const index = await create(100);
  const q = randomRows(1, DIN, 6);
  // Refused before any work (this took 107 s and 3.6 GB when k reached the scan).
  await assert.rejects(index.search(q, 1e8), (e: Error) => e instanceof RangeError && /k must be ≤ 16777216/.test(e.message));
  const two = randomRows(2, DIN, 7);
  await assert.rejects(index.search(two, MAX_SEARCH_RESULTS / 2 + 1), /nq × k = 2 × 8388609 results exceed/);
  // Accepted: the scan stops at the 100 live vectors; the rest is padding.
  const k = 200_000;
  const got = await index.search(q, k);
  assert.equal(got.ids.length, k);
  const small = await index.search(q, 100);
  assert.deepEqual([...got.ids.subarray(0, 100)].sort(), [...small.ids].sort());
  assert.deepEqual([...got.distances.subarray(0, 100)], [...small.distances]);
  assert.ok(got.ids.subarray(100).every((id) => id === -1n));
  assert.ok(got.distances.subarray(100).every((d) => d === Infinity));
  await index.close();
});

test('automatic ids stop at 2^63 − 1: the add that would pass it is refused and changes nothing', async () => {
  const index = await create();
  const v = randomRows(3, DIN, 8);
  assert.deepEqual([...(await index.add(v.subarray(0, DIN), [MAX_ID - 1n]))], [MAX_ID - 1n]);
  const q = randomRows(1, DIN, 9);
  const before = await index.search(q, 5);
  await assert.rejects(index.add(v.subarray(0, 2 * DIN)), (e: Error) => e instanceof RangeError && /cannot assign 2 automatic ids: the next id would be 9223372036854775807/.test(e.message));
  assert.equal(index.size, 1);
  assert.deepEqual(await index.search(q, 5), before);
  // One more fits exactly; after it, none.
  assert.deepEqual([...(await index.add(v.subarray(0, DIN)))], [MAX_ID]);
  await assert.rejects(index.add(v.subarray(DIN, 2 * DIN)), /cannot assign 1 automatic id: the next id would be 9223372036854775808/);
  assert.equal(index.size, 2);
  // Explicit ids still work, and every stored id can be removed.
  assert.deepEqual([...(await index.add(v.subarray(2 * DIN), [5n]))], [5n]);
  assert.equal(await index.remove([MAX_ID, MAX_ID - 1n, 5n]), 3);
  assert.equal(index.size, 0);
  await index.close();
});

test('every call on a closed index rejects (also with bad arguments), none throws', async () => {
  const index = await create(3);
  const closing = index.close();
  for (const call of [
    () => index.add(randomRows(1, DIN, 1)),
    () => index.add(null as never),
    () => index.remove([1]),
    () => index.remove('x' as never),
    () => index.search(randomRows(1, DIN, 1), 1),
    () => index.search(null as never, -1, { bad: 1 } as never),
  ]) {
    let p: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      p = call();
    });
    await assert.rejects(p!, /the index is closed/);
  }
  await closing;
  await index.close();
});
