/**
 * Calls on one Index take effect in call order, whatever order their encoding
 * finishes in: random interleavings of add/remove/search issued without awaiting,
 * through an encoder with random delays, give the answers of a sequential model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';

import { Index } from '../../src/index/vector-index';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';
import { IndexModel, assertSameHits } from '../helpers/index-model';

const DIN = 8;
const DOUT = 16;
const R2 = 10;

/** The test encoder, slowed down per input array (delays in ms), failing on marked inputs. */
class DelayedEncoder extends TestEncoder {
  readonly delays = new WeakMap<object, number>();
  readonly failing = new WeakSet<object>();

  async encode(x: Float32Array | Uint8Array): Promise<Float32Array> {
    const y = this.encodeSync(x);
    const ms = this.delays.get(x) ?? 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    if (this.failing.has(x)) throw new Error('encoder failed on purpose');
    return y;
  }
}

const roots: string[] = [];
function tmpDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-order-'));
  roots.push(root);
  return path.join(root, 'idx');
}
test.after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

async function create(): Promise<{ index: Index; enc: DelayedEncoder }> {
  const enc = new DelayedEncoder(DIN, DOUT, 5);
  const index = await Index.create(tmpDir(), { catalyzer: enc, quantizer: `zn_${R2}`, loadCatalyzer: loadTestEncoder });
  return { index, enc };
}

type Op =
  | { kind: 'add'; n: number; seed: number; ids: number[] | null; delay: number }
  | { kind: 'failAdd'; delay: number }
  | { kind: 'badAdd' }
  | { kind: 'remove'; ids: number[] }
  | { kind: 'search'; nq: number; seed: number; k: number; delay: number };

const delay = fc.integer({ min: 0, max: 6 });
// Few distinct seeds, so that equal vectors (exact ties) and replaced ids are common.
const seed = fc.integer({ min: 1, max: 12 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), n: fc.integer({ min: 1, max: 5 }), seed, ids: fc.constant(null), delay }) },
  {
    weight: 4,
    arbitrary: fc
      .record({ kind: fc.constant('add' as const), n: fc.integer({ min: 1, max: 5 }), seed, delay, pool: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 5, maxLength: 5 }) })
      .map(({ pool, ...o }) => ({ ...o, ids: pool.slice(0, o.n) })),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('failAdd' as const), delay }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('badAdd' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), ids: fc.array(fc.integer({ min: 0, max: 14 }), { maxLength: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('search' as const), nq: fc.integer({ min: 1, max: 2 }), seed, k: fc.integer({ min: 1, max: 7 }), delay }) },
);

test('random interleavings of add/remove/search without awaiting match a sequential model', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
      const { index, enc } = await create();
      const model = new IndexModel(enc, R2);
      try {
        // Issue every call at once; the model runs them in call order.
        const checks: Promise<void>[] = ops.map((op, i) => {
          const what = `op ${i} (${op.kind})`;
          switch (op.kind) {
            case 'add': {
              const x = randomRows(op.n, DIN, op.seed * 100 + op.n);
              enc.delays.set(x, op.delay);
              const ids = op.ids?.map(BigInt) ?? null;
              const want = model.add(x, ids);
              return index.add(x, ids ?? undefined).then((got) => assert.deepEqual([...got], want, what));
            }
            case 'failAdd': {
              const x = randomRows(1, DIN, 999);
              enc.delays.set(x, op.delay);
              enc.failing.add(x);
              return assert.rejects(index.add(x), /encoder failed on purpose/, what);
            }
            case 'badAdd':
              return assert.rejects(index.add(new Float32Array(DIN + 1)), /not a multiple of the index dimension/, what);
            case 'remove': {
              const want = model.remove(op.ids.map(BigInt));
              return index.remove(op.ids).then((got) => assert.equal(got, want, what));
            }
            case 'search': {
              const q = randomRows(op.nq, DIN, op.seed);
              enc.delays.set(q, op.delay);
              const want = model.search(q, op.k);
              return index.search(q, op.k).then((got) => assertSameHits(got, want, op.k, what));
            }
          }
        });
        await Promise.all(checks);
        assert.equal(index.size, model.live.size);
        // And a final search, awaited alone, sees the model's end state.
        const q = randomRows(3, DIN, 77);
        assertSameHits(await index.search(q, 6), model.search(q, 6), 6, 'final');
      } finally {
        await index.close();
      }
    }),
    { numRuns: 60 },
  );
});

test('add then remove without awaiting: the remove sees the add', async () => {
  const { index, enc } = await create();
  const x = randomRows(3, DIN, 1);
  enc.delays.set(x, 20);
  const added = index.add(x, [1n, 2n, 3n]);
  const removed = index.remove([1n, 2n, 3n]);
  assert.deepEqual([...(await added)], [1n, 2n, 3n]);
  assert.equal(await removed, 3);
  assert.equal(index.size, 0);
  await index.close();
});

test('a slow large add then a fast add of one of its ids: the later vector wins', async () => {
  const { index, enc } = await create();
  const big = randomRows(4096, DIN, 2);
  enc.delays.set(big, 30);
  const ids = Array.from({ length: 4096 }, (_, i) => BigInt(i));
  const newer = randomRows(1, DIN, 3);
  const first = index.add(big, ids);
  const second = index.add(newer, [7n]);
  const search = index.search(newer, 1);
  await Promise.all([first, second]);
  const model = new IndexModel(enc, R2);
  model.add(big, ids);
  model.add(newer, [7n]);
  // The newer vector is stored under 7: its own code is at the best distance, and 7
  // is among the ids at that distance (ties by id put the smallest first).
  const want = model.search(newer, 1);
  assertSameHits(await search, want, 1, 'search after both adds');
  assert.equal(index.size, 4096);
  await index.close();
});

test('a search issued before an add does not see it; one issued after does', async () => {
  const { index } = await create();
  await index.add(randomRows(5, DIN, 4));
  const q = randomRows(1, DIN, 5);
  const before = index.search(q, 10);
  const add = index.add(randomRows(3, DIN, 6));
  const after = index.search(q, 10);
  await add;
  assert.equal([...(await before).ids].filter((id) => id >= 0n).length, 5);
  assert.equal([...(await after).ids].filter((id) => id >= 0n).length, 8);
  await index.close();
});

test('close waits for every call made before it; calls after it are refused', async () => {
  const { index, enc } = await create();
  const x = randomRows(2, DIN, 7);
  enc.delays.set(x, 20);
  const add = index.add(x);
  const search = index.search(x, 2);
  const closing = index.close();
  await assert.rejects(index.add(randomRows(1, DIN, 8)), /the index is closed/);
  await assert.rejects(index.search(x, 1), /the index is closed/);
  await assert.rejects(index.remove([0]), /the index is closed/);
  assert.equal((await add).length, 2);
  assert.equal([...(await search).ids].filter((id) => id >= 0n).length, 4); // 2 queries × the 2 added
  await closing;
});

test('concurrent searches on a reader while a writer commits see whole batches, the later ones all of them', async () => {
  const dir = tmpDir();
  const enc = new DelayedEncoder(DIN, DOUT, 5);
  const index = await Index.create(dir, { catalyzer: enc, quantizer: `zn_${R2}` });
  await index.add(randomRows(300, DIN, 9));
  const reader = await Index.open(dir, { readOnly: true, loadCatalyzer: async () => enc });
  const q = randomRows(4, DIN, 10);
  const live = (r: { ids: BigInt64Array }) => [...r.ids].filter((id) => id >= 0n).length / 4;
  for (let round = 0; round < 5; round++) {
    const early = [reader.search(q, 1000), reader.search(q, 1000)];
    await index.add(randomRows(50, DIN, 11 + round));
    const late = [reader.search(q, 1000), reader.search(q, 1000), reader.search(q, 1000)];
    const want = 350 + 50 * round;
    for (const r of await Promise.all(early)) assert.ok([want - 50, want].includes(live(r)), `round ${round}: ${live(r)}`);
    for (const r of await Promise.all(late)) assert.equal(live(r), want, `round ${round}`);
  }
  await reader.close();
  await index.close();
});
