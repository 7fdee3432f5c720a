/**
 * Filtered search through the Index (issue 16): add with metadata, search with
 * `where`, update, getMetadata. Answers are compared with a brute-force model (the
 * predicate model of test/reference/filter.ts over the live records, then exact or
 * code distances over the matching vectors) for untrained (exact), trained (codes)
 * and refined searches, through adds that replace ids, removes, updates and
 * compactions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { open } from 'lmdb';

import { Index, type MetadataPatch } from '../../src/index/vector-index';
import { checkSchema, type Metadata, type Schema, type Where } from '../../src/filter';
import { referenceMatches } from '../reference/filter';
import { exactSearch } from '../reference/exact-search';
import { IndexModel, assertSameHits, type ModelHit } from '../helpers/index-model';
import { SCHEMA, UNDECLARED, recordArb, whereArb } from '../helpers/filter-arbitraries';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 6;
const DOUT = 8;
const R2 = 10;
const QUANTIZER = `zn_${R2}`;

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-filter-')), 'idx');
}

/** The live vectors with their records and the calls that change them, as the Index should see them. */
class FilterModel {
  readonly vectors = new Map<bigint, Float32Array>();
  readonly records = new Map<bigint, Metadata>();

  add(x: Float32Array, ids: bigint[], metadata: (Metadata | undefined)[]): void {
    ids.forEach((id, i) => {
      this.vectors.set(id, x.slice(i * DIN, (i + 1) * DIN));
      if (metadata[i]) this.records.set(id, metadata[i]!);
      else this.records.delete(id);
    });
  }

  remove(ids: bigint[]): void {
    for (const id of ids) {
      this.vectors.delete(id);
      this.records.delete(id);
    }
  }

  update(ids: bigint[], patch: MetadataPatch): void {
    for (const id of ids) {
      const next: Record<string, unknown> = { ...(this.records.get(id) ?? {}) };
      for (const [f, v] of Object.entries(patch)) {
        if (v === null) delete next[f];
        else next[f] = v;
      }
      this.records.set(id, next as Metadata);
    }
  }

  /** Ids of the live vectors whose record matches. */
  matching(where: Where): bigint[] {
    return [...this.vectors.keys()].filter((id) => referenceMatches(where, this.records.get(id), id));
  }
}

/** Exact answers over `ids` under l2, padded, compared with a float32 tolerance. */
function assertExact(got: { ids: BigInt64Array; distances: Float32Array }, model: FilterModel, ids: bigint[], queries: Float32Array, k: number, what: string): void {
  const rows = new Map(ids.map((id) => [id, [...model.vectors.get(id)!]]));
  const nq = queries.length / DIN;
  for (let q = 0; q < nq; q++) {
    const want = exactSearch('l2', rows, [...queries.subarray(q * DIN, (q + 1) * DIN)], k);
    for (let j = 0; j < k; j++) {
      const g = got.distances[q * k + j];
      if (j >= want.length) {
        assert.equal(got.ids[q * k + j], -1n, `${what} query ${q} place ${j}: padding`);
        assert.equal(g, Infinity);
        continue;
      }
      assert.ok(Math.abs(g - want[j].d) <= 1e-4 * (1 + want[j].d), `${what} query ${q} place ${j}: distance ${g}, expected ${want[j].d}`);
    }
    // Same ids (near-ties of float32 and float64 may swap places).
    const gotIds = new Set([...got.ids.subarray(q * k, q * k + want.length)]);
    const near = (id: bigint) => want.some((w) => w.id === id) || ids.some((o) => o === id);
    for (const id of gotIds) assert.ok(near(id), `${what} query ${q}: id ${id} does not match the predicate`);
    assert.equal(gotIds.size, want.length, `${what} query ${q}: distinct results`);
  }
}

/** The model's code answers over the matching ids only. */
function codeHits(enc: TestEncoder, model: FilterModel, ids: bigint[], queries: Float32Array, k: number): ModelHit[][] {
  const m = new IndexModel(enc, R2);
  for (const id of ids) m.live.set(id, model.vectors.get(id)!);
  return m.search(queries, k);
}

type Op =
  | { kind: 'add'; n: number; ids: number[]; records: (Metadata | undefined)[] }
  | { kind: 'remove'; ids: number[] }
  | { kind: 'update'; ids: number[]; patch: MetadataPatch }
  | { kind: 'compact' };

function opsArb(schema: Schema | undefined): fc.Arbitrary<Op[]> {
  const id = fc.integer({ min: 0, max: 11 });
  const add = fc.integer({ min: 1, max: 8 }).chain((n) =>
    fc.record({
      kind: fc.constant('add' as const),
      n: fc.constant(n),
      ids: fc.array(id, { minLength: n, maxLength: n }),
      records: fc.array(fc.option(recordArb(schema), { nil: undefined, freq: 4 }), { minLength: n, maxLength: n }),
    }),
  );
  const fields = schema ? [...Object.keys(schema), UNDECLARED] : ['a', 'b', 'c'];
  const patch = recordArb(schema).chain((set) =>
    fc.subarray(fields).map((unset) => {
      const p: Record<string, unknown> = { ...set };
      for (const f of unset) if (!(f in p)) p[f] = null;
      return p as MetadataPatch;
    }),
  );
  return fc.array(
    fc.oneof(
      { weight: 4, arbitrary: add },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), ids: fc.array(id, { maxLength: 4 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('update' as const), ids: fc.array(id, { maxLength: 3 }), patch }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
    ),
    { minLength: 1, maxLength: 8 },
  );
}

/** Runs `ops` on the index and the model (updates of ids not present are skipped: they are refused). */
async function play(index: Index, model: FilterModel, ops: Op[], seed: number): Promise<void> {
  let s = seed;
  for (const op of ops) {
    if (op.kind === 'add') {
      const x = randomRows(op.n, DIN, s++);
      const ids = op.ids.map(BigInt);
      // Within a batch the last occurrence of an id wins, its record with it.
      await index.add(x, ids, op.records);
      const last = new Map<bigint, number>();
      ids.forEach((id, i) => last.set(id, i));
      const keep = [...last.values()].sort((a, b) => a - b);
      const kx = new Float32Array(keep.length * DIN);
      keep.forEach((i, j) => kx.set(x.subarray(i * DIN, (i + 1) * DIN), j * DIN));
      model.add(kx, keep.map((i) => ids[i]), keep.map((i) => op.records[i]));
    } else if (op.kind === 'remove') {
      await index.remove(op.ids.map(BigInt));
      model.remove(op.ids.map(BigInt));
    } else if (op.kind === 'update') {
      const ids = op.ids.map(BigInt).filter((id) => model.vectors.has(id));
      await index.update(ids, op.patch);
      model.update(ids, op.patch);
    } else {
      await index.compact();
    }
  }
}

const schemas: [string, Schema | undefined][] = [
  ['no schema', undefined],
  ['a schema', checkSchema(SCHEMA)],
];

for (const [name, schema] of schemas) {
  test(`untrained (exact) filtered search equals the brute-force model, ${name}`, async () => {
    await fc.assert(
      fc.asyncProperty(opsArb(schema), fc.array(whereArb(schema, 2), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 14 }), fc.nat(1000), async (ops, wheres, k, seed) => {
        const index = await Index.create(tmpDir(), { dim: DIN, ...(schema ? { fields: schema } : {}), compactAt: false });
        try {
          const model = new FilterModel();
          await play(index, model, ops, seed);
          // verify: exactly the live records, with exactly their index keys.
          assert.equal((await index.verify()).metadataRecords, model.records.size);
          const queries = randomRows(2, DIN, seed + 1000);
          for (const where of wheres) {
            const got = await index.search(queries, k, { where });
            assertExact(got, model, model.matching(where), queries, k, JSON.stringify(where, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
          }
        } finally {
          await index.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  test(`trained filtered search (codes, and refined) equals the brute-force model, ${name}`, async () => {
    await fc.assert(
      fc.asyncProperty(opsArb(schema), fc.array(whereArb(schema, 2), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 14 }), fc.nat(1000), async (ops, wheres, k, seed) => {
        const enc = new TestEncoder(DIN, DOUT, 3);
        const index = await Index.create(tmpDir(), { catalyzer: enc, quantizer: QUANTIZER, loadCatalyzer: loadTestEncoder, ...(schema ? { fields: schema } : {}), compactAt: false });
        try {
          const model = new FilterModel();
          await play(index, model, ops, seed);
          const queries = randomRows(2, DIN, seed + 1000);
          for (const where of wheres) {
            const allowed = model.matching(where);
            assertSameHits(await index.search(queries, k, { where }), codeHits(enc, model, allowed, queries, k), k, 'codes');
            // refine covering every slot: the exact best k among the matching ones.
            assertExact(await index.search(queries, k, { where, refine: 16 }), model, allowed, queries, k, 'refined');
          }
        } finally {
          await index.close();
        }
      }),
      { numRuns: 25 },
    );
  });
}

test('pre-filtering: a selective filter still returns k results when k vectors match', async () => {
  const index = await Index.create(tmpDir(), { dim: DIN, fields: { tenant: 'string' } });
  try {
    const n = 2000;
    const x = randomRows(n, DIN, 7);
    // 1 in 100 rows is tenant 'b'; the query sits among tenant 'a' rows.
    await index.add(x, undefined, Array.from({ length: n }, (_, i) => ({ tenant: i % 100 === 0 ? 'b' : 'a' })));
    const r = await index.search(x.subarray(DIN, 2 * DIN), 10, { where: { tenant: 'b' } });
    assert.equal(r.ids.length, 10);
    for (const id of r.ids) assert.equal(Number(id) % 100, 0);
    // Fewer matches than k: the rest is padding.
    const few = await index.search(x.subarray(0, DIN), 30, { where: { tenant: 'b' } });
    assert.equal([...few.ids].filter((id) => id >= 0n).length, 20);
    assert.deepEqual([...few.ids.subarray(20)], new Array(10).fill(-1n));
  } finally {
    await index.close();
  }
});

test('metadata survives reopening; a replaced id keeps only its new record; getMetadata and update', async () => {
  const dir = tmpDir();
  let index = await Index.create(dir, { dim: 2, fields: { price: 'number' } });
  await index.add([[1, 0], [0, 1], [1, 1]], [1, 2, 3], [{ price: 5, tags: ['new'] }, undefined, { price: 50 }]);
  await index.close();
  index = await Index.open(dir);
  try {
    assert.deepEqual(index.fields, { price: 'number' });
    assert.deepEqual(await index.getMetadata([1, 2, 3]), [{ price: 5, tags: ['new'] }, undefined, { price: 50 }]);
    await index.add([[2, 2]], [1]); // replaced without a record: none kept
    assert.deepEqual(await index.getMetadata([1]), [undefined]);
    await index.update([2, 3], { price: 9.5, tags: ['sale'] });
    await index.update([3], { tags: null });
    assert.deepEqual(await index.getMetadata([2, 3]), [{ price: 9.5, tags: ['sale'] }, { price: 9.5 }]);
    await index.update([2, 3], [{ price: 1 }, { price: 2 }]);
    const r = await index.search([[0, 0.5]], 3, { where: { price: { lt: 1.5 } } });
    assert.deepEqual([...r.ids], [2n, -1n, -1n]);
    const tagged = await index.search([[0, 0.5]], 3, { where: { tags: { has: 'sale' } } });
    assert.deepEqual([...tagged.ids], [2n, -1n, -1n]);
    const unseen = await index.search([[0, 0.5]], 3, { where: { id: { notIn: [2n] } } });
    assert.deepEqual([...unseen.ids].sort(), [1n, 3n, -1n].sort());
  } finally {
    await index.close();
  }
});

test('remove drops records and compaction moves them with their vectors', async () => {
  const index = await Index.create(tmpDir(), { dim: 2, fields: { k: 'number' }, compactAt: false });
  try {
    await index.add([[0, 1], [1, 1], [2, 1], [3, 1]], [10, 11, 12, 13], [{ k: 0 }, { k: 1 }, { k: 2 }, { k: 3 }]);
    await index.remove([10, 12]);
    assert.equal(await index.compact(), 2);
    assert.deepEqual(await index.getMetadata([11, 13]), [{ k: 1 }, { k: 3 }]);
    const r = await index.search([[3, 1]], 2, { where: { k: { gte: 1 } } });
    assert.deepEqual([...r.ids], [13n, 11n]);
    // A removed id that comes back without a record has none.
    await index.add([[5, 1]], [10]);
    assert.deepEqual(await index.getMetadata([10]), [undefined]);
    assert.deepEqual((await index.verify()).live, 3);
  } finally {
    await index.close();
  }
});

test('bad metadata, predicates and updates are refused with errors naming the path; nothing is written', async () => {
  const index = await Index.create(tmpDir(), { dim: 2, fields: { price: 'number', tags: 'string[]' } });
  try {
    const fails = (p: Promise<unknown>, re: RegExp, Err: ErrorConstructor) => assert.rejects(p, (e: Error) => e instanceof Err && re.test(e.message), String(re));
    await fails(index.add([[0, 0.5], [1, 1]], [1, 2], [{ price: 1 }, { price: '2' } as never]), /^metadata\[1\]\.price: expected number, got string$/, TypeError);
    await fails(index.add([[0, 0.5]], [1], [{ tags: ['a', 3] } as never]), /^metadata\[0\]\.tags\[1\]: expected string, got number$/, TypeError);
    await fails(index.add([[0, 0.5]], [1], [{ nested: { a: 1 } } as never]), /^metadata\[0\]\.nested: expected a string, number, boolean, bigint or an array/, TypeError);
    await fails(index.add([[0, 0.5]], [1], [{ price: NaN }]), /^metadata\[0\]\.price: expected a finite number, got NaN$/, RangeError);
    await fails(index.add([[0, 0.5], [1, 1]], [1, 2], [{ price: 1 }]), /^metadata has 1 records for 2 vectors$/, RangeError);
    await fails(index.add([[0, 0.5]], [1], { price: 1 } as never), /^metadata must be an array of records/, TypeError);
    assert.equal(index.size, 0);
    await index.add([[0, 0.5], [1, 1]], [1, 2], [{ price: 1 }, { undeclared: 'ok' }]);
    await fails(index.search([[0, 0.5]], 1, { where: { or: [{ price: 1 }, { price: { lt: 'x' } }] } as never }), /^where\.or\[1\]\.price\.lt: expected number, got string$/, TypeError);
    await fails(index.search([[0, 0.5]], 1, { where: { price: { below: 3 } } as never }), /^where\.price\.below: unknown operator/, TypeError);
    await fails(index.search([[0, 0.5]], 1, { where: { price: { in: [] } } }), /^where\.price\.in: expected a non-empty array/, RangeError);
    await fails(index.search([[0, 0.5]], 1, { filter: {} } as never), /filter/, TypeError);
    await fails(index.update([2, 7], { price: 3 }), /^ids\[1\] = 7 is not in the index$/, RangeError);
    await fails(index.update([1], { price: 'x' } as never), /^patch\.price: expected number, got string$/, TypeError);
    await fails(index.update([1, 2], [{ price: 1 }]), /^patch has 1 entries for 2 ids$/, RangeError);
    await fails(index.update([1], [{ id: 3 }]), /^patch\[0\]\.id: 'id' is reserved/, RangeError);
    await fails(index.getMetadata([9]), /^ids\[0\] = 9 is not in the index$/, RangeError);
    await fails(Index.create(tmpDir(), { dim: 2, fields: { price: 'float' as never } }), /^options\.fields\.price: expected a field type/, TypeError);
    // The refused update of ids [2, 7] changed nothing for id 2.
    assert.deepEqual(await index.getMetadata([1, 2]), [{ price: 1 }, { undeclared: 'ok' }]);
    const r = await index.search([[0, 0.5]], 2, { where: { undeclared: 'ok' } });
    assert.deepEqual([...r.ids], [2n, -1n]);
  } finally {
    await index.close();
  }
});

test('an index opened read-only filters; one written before metadata (format 2) refuses where and metadata', async () => {
  const dir = tmpDir();
  const w = await Index.create(dir, { dim: 2 });
  await w.add([[0, 0.5], [1, 1]], [1, 2], [{ t: 'a' }, { t: 'b' }]);
  const r = await Index.open(dir, { readOnly: true });
  try {
    assert.deepEqual([...(await r.search([[0, 0.5]], 2, { where: { t: 'b' } })).ids], [2n, -1n]);
    await w.update([2], { t: 'a' });
    assert.deepEqual([...(await r.search([[0, 0.5]], 2, { where: { t: 'b' } })).ids], [-1n, -1n]);
  } finally {
    await r.close();
    await w.close();
  }
  const v2 = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-filter-')), 'v2');
  fs.cpSync(path.join(__dirname, '../fixtures/index-v2'), v2, { recursive: true });
  const old = await Index.open(v2, { readOnly: true, loadCatalyzer: loadTestEncoder });
  try {
    await assert.rejects(old.search(new Float32Array(old.dim), 1, { where: { t: 'a' } }), /^RangeError: options\.where needs metadata, and the index at .* has format 2/);
  } finally {
    await old.close();
  }
});

test('the schema is part of the config checksum: a changed schema is ECORRUPT on open', async () => {
  const dir = tmpDir();
  const index = await Index.create(dir, { dim: 2, fields: { price: 'number' } });
  await index.close();
  const env = open({ path: path.join(dir, 'index.mdb'), noSubdir: true, maxDbs: 16 });
  const meta = env.openDB<Record<string, unknown>, string>({ name: 'meta' });
  const config = meta.get('config')!;
  assert.deepEqual(config.fields, { price: 'number' });
  meta.putSync('config', { ...config, fields: { price: 'string' } });
  await env.close();
  await assert.rejects(Index.open(dir), (e: Error & { code?: string }) => e.code === 'ECORRUPT' && /config.*checksum mismatch/.test(e.message));
});

test('verify checks the metadata: a record of a dead slot or a lost index key is ECORRUPT', async () => {
  const dir = tmpDir();
  const index = await Index.create(dir, { dim: 2, fields: { price: 'number' } });
  await index.add([[1, 0], [0, 1]], [1, 2], [{ price: 1 }, { price: 2, note: 'x' }]);
  const report = await index.verify();
  assert.deepEqual([report.metadataRecords, report.metadataIndexKeys], [2, 2]);
  await index.close();
  const env = open({ path: path.join(dir, 'index.mdb'), noSubdir: true, maxDbs: 16 });
  const keys = env.openDB<Buffer, Buffer>({ name: 'metadata-index', encoding: 'binary', keyEncoding: 'binary' });
  const first = [...keys.getKeys()][0] as Buffer;
  keys.removeSync(first);
  await env.close();
  const damaged = await Index.open(dir);
  try {
    await assert.rejects(damaged.verify(), (e: Error & { code?: string }) => e.code === 'ECORRUPT' && /field index lacks a key of slot 0/.test(e.message));
  } finally {
    await damaged.close();
  }
});
