/**
 * MetadataTables on a real LMDB environment: the slot bitmap equals the brute-force
 * model over random records, predicates and schemas; puts, patches, moves and
 * removes keep the field index exactly the keys of the records; a write transaction
 * that throws leaves nothing behind; damaged records are reported, not returned.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { open, type RootDatabase } from 'lmdb';

import { checkSchema, compareScalars, compileWhere, elementType, type Metadata, type Scalar, type ScalarType, type Schema, type Where } from '../../src/filter';
import { MetadataTables, METADATA_DB, hasBit, sealedPayloadEnd } from '../../storage/metadata';
import { decodeRecord, encodeRecord, fieldTypePrefix, indexKey } from '../../storage/metadata-codec';
import { MAX_ID, seal, unseal } from '../../storage/layout';
import { referenceMatches } from '../reference/filter';
import { POOL, SCHEMA, recordArb, whereArb } from '../helpers/filter-arbitraries';
import { MAX_ID_VALUE } from '../../src/filter';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-metadata-'));
const env: RootDatabase = open({ path: path.join(dir, 'index.mdb'), noSubdir: true, maxDbs: 16, noSync: true }); // no durability needed: commits run ~10× faster
after(() => {
  void env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const slotBytes = (slot: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(slot);
  return b;
};

const show = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

/** Empties both databases, opened with the key encodings MetadataTables uses (lmdb-js mixes up a name opened with two). */
function clear(): void {
  env.openDB({ name: METADATA_DB.records, encoding: 'binary', keyEncoding: 'uint32' }).clearSync();
  env.openDB({ name: METADATA_DB.index, encoding: 'binary', keyEncoding: 'binary' }).clearSync();
}

/** Writes `rows` (null: no record) at slots 0.., in one transaction. */
function fill(tables: MetadataTables, rows: readonly (Metadata | null)[]): void {
  env.transactionSync(() => rows.forEach((r, slot) => r && tables.put(slot, r)));
}

/** allowedSlots as a list of slots; every slot is live with id = slot. */
function allowed(tables: MetadataTables, where: Where, nslots: number, schema?: Schema): number[] {
  const txn = env.useReadTransaction();
  try {
    const bits = tables.allowedSlots(compileWhere(where, schema), nslots, txn, (id) => (id < BigInt(nslots) ? Number(id) : undefined));
    assert.equal(bits.length, Math.ceil(nslots / 8));
    const out: number[] = [];
    for (let s = 0; s < bits.length * 8; s++) if (hasBit(bits, s)) out.push(s);
    return out;
  } finally {
    txn.done();
  }
}

function model(rows: readonly (Metadata | null | undefined)[], where: Where): number[] {
  return rows.flatMap((r, slot) => (referenceMatches(where, r ?? undefined, BigInt(slot)) ? [slot] : []));
}

/** The index keys that `rows` should have produced. */
function expectedKeys(rows: ReadonlyMap<number, Metadata>, schema: Schema): string[] {
  const keys: string[] = [];
  for (const [slot, r] of rows) {
    for (const [f, t] of Object.entries(schema)) {
      const v = r[f];
      if (v === undefined) continue;
      const prefix = fieldTypePrefix(f, (elementType(t) ?? t) as ScalarType);
      for (const x of Array.isArray(v) ? new Set(v as Scalar[]) : [v as Scalar]) keys.push(indexKey(prefix, x, slot).toString('hex'));
    }
  }
  return keys.sort();
}

function storedKeys(): string[] {
  return [...env.openDB<Buffer, Buffer>({ name: METADATA_DB.index, encoding: 'binary', keyEncoding: 'binary' }).getKeys()]
    .map((k) => (k as Buffer).toString('hex'))
    .sort();
}

test('records read back with their types (5 apart from 5n, -0, code points, empty arrays)', () => {
  fc.assert(
    fc.property(fc.oneof(recordArb(), recordArb(SCHEMA)), (r) => {
      const back = decodeRecord(encodeRecord(r));
      assert.ok(back);
      assert.deepEqual(Object.keys(back), Object.keys(r));
      for (const k of Object.keys(r)) assert.ok(Object.is(back[k], r[k]) || (Array.isArray(r[k]) && Object.is(show(back[k]), show(r[k]))), k);
      assert.deepStrictEqual(back, r);
    }),
    { numRuns: 300, seed: 16 },
  );
  assert.equal(decodeRecord(Buffer.from([1, 1, 0x61, 9])), null);
});

test('damaged record bytes decode to null or a record, never a throw; the fast seal check agrees with layout.unseal', () => {
  fc.assert(
    fc.property(recordArb(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }), fc.nat(), fc.nat(8), (r, flips, slot, cut) => {
      const bytes = Buffer.from(encodeRecord(r));
      for (const [at, x] of flips) bytes[at % bytes.length] ^= x;
      const short = bytes.subarray(0, Math.max(0, bytes.length - cut));
      const back = decodeRecord(short);
      assert.ok(back === null || typeof back === 'object');
      const sealed = seal(slotBytes(slot % 1000), encodeRecord(r));
      for (const value of [sealed, short, Buffer.concat([short, sealed.subarray(-4)])]) {
        const fast = sealedPayloadEnd(slot % 1000, value);
        const slow = unseal(slotBytes(slot % 1000), value);
        assert.equal(fast, slow === null ? -1 : slow.length);
      }
    }),
    { numRuns: 300, seed: 16 },
  );
});

test('index keys sort as the values compare, then by slot', () => {
  for (const type of ['number', 'bigint', 'string', 'boolean'] as const) {
    const prefix = fieldTypePrefix('f', type);
    const values = POOL[type] as readonly Scalar[];
    for (const a of values) {
      for (const b of values) {
        const byValue = Math.sign(compareScalars(a, b));
        const keyOrder = Math.sign(Buffer.compare(indexKey(prefix, a, 7), indexKey(prefix, b, 3)));
        assert.equal(keyOrder, byValue === 0 ? 1 : byValue, `${type} ${show(a)} ${show(b)}`);
      }
    }
  }
  // A field name that is a prefix of another stays apart from it.
  assert.ok(Buffer.compare(indexKey(fieldTypePrefix('a', 'string'), 'zzz', 0), indexKey(fieldTypePrefix('ab', 'string'), '', 0)) < 0);
});

test('allowedSlots equals the brute-force model over random records, predicates and schemas', () => {
  for (const schema of [undefined, checkSchema(SCHEMA)]) {
    fc.assert(
      fc.property(
        fc.array(fc.option(recordArb(schema), { freq: 4 }), { minLength: 1, maxLength: 48 }),
        fc.array(whereArb(schema, 3), { minLength: 1, maxLength: 4 }),
        (rows, wheres) => {
          clear();
          const tables = new MetadataTables(env, schema);
          fill(tables, rows);
          for (const where of wheres) assert.deepEqual(allowed(tables, where, rows.length, schema), model(rows, where), show(where));
        },
      ),
      { numRuns: 150, seed: 16 },
    );
  }
});

test('puts, patches, moves and removes keep the field index the keys of the records', () => {
  const schema = checkSchema(SCHEMA);
  const slot = fc.integer({ min: 0, max: 11 });
  const op = fc.oneof(
    fc.tuple(fc.constant('put' as const), slot, recordArb(schema)),
    fc.tuple(fc.constant('patch' as const), slot, recordArb(schema), fc.subarray(Object.keys(SCHEMA))),
    fc.tuple(fc.constant('move' as const), slot, slot),
    fc.tuple(fc.constant('remove' as const), slot),
  );
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), fc.array(whereArb(schema, 2), { minLength: 1, maxLength: 3 }), (ops, wheres) => {
      clear();
      const tables = new MetadataTables(env, schema);
      const mirror = new Map<number, Metadata>();
      env.transactionSync(() => {
        for (const o of ops) {
          if (o[0] === 'put') {
            tables.put(o[1], o[2]);
            mirror.set(o[1], o[2]);
          } else if (o[0] === 'patch') {
            const next: Record<string, unknown> = { ...(mirror.get(o[1]) ?? {}) };
            for (const f of o[3]) delete next[f];
            Object.assign(next, o[2]);
            assert.deepEqual(tables.patch(o[1], o[2], o[3]), next);
            mirror.set(o[1], next as Metadata);
          } else if (o[0] === 'move') {
            tables.move(o[1], o[2]);
            if (o[1] !== o[2]) {
              const r = mirror.get(o[1]);
              mirror.delete(o[1]);
              if (r) mirror.set(o[2], r);
              else mirror.delete(o[2]);
            }
          } else {
            tables.remove(o[1]);
            mirror.delete(o[1]);
          }
        }
      });
      assert.deepEqual(storedKeys(), expectedKeys(mirror, schema));
      for (let s = 0; s < 12; s++) assert.deepEqual(tables.get(s), mirror.get(s), `slot ${s}`);
      const rows = Array.from({ length: 12 }, (_, s) => mirror.get(s));
      for (const where of wheres) assert.deepEqual(allowed(tables, where, 12, schema), model(rows, where), show(where));
    }),
    { numRuns: 150, seed: 16 },
  );
});

test('a write transaction that throws leaves no record and no index key behind', () => {
  clear();
  const schema = checkSchema({ price: 'number', tags: 'string[]' });
  const tables = new MetadataTables(env, schema);
  fill(tables, [{ price: 1, tags: ['a'] }]);
  const before = storedKeys();
  assert.throws(() => env.transactionSync(() => {
    tables.put(1, { price: 2, tags: ['b', 'c'] });
    tables.patch(0, { price: 3 });
    tables.move(0, 5);
    throw new Error('crash in the middle of the batch');
  }), /crash in the middle/);
  assert.deepEqual(tables.get(0), { price: 1, tags: ['a'] });
  assert.equal(tables.get(1), undefined);
  assert.equal(tables.get(5), undefined);
  assert.deepEqual(storedKeys(), before);
  // A record that fails its check aborts the transaction the same way.
  assert.throws(() => env.transactionSync(() => {
    tables.put(2, { price: 4 });
    tables.put(3, { price: 'x' } as never, 'metadata[1]');
  }), /^TypeError: metadata\[1\]\.price: expected number, got string$/);
  assert.equal(tables.get(2), undefined);
});

test('a damaged record, or one found under another slot, is ECORRUPT', () => {
  clear();
  const tables = new MetadataTables(env, undefined, '/x/index.mdb');
  fill(tables, [{ a: 1 }, { a: 2 }]);
  const raw = env.openDB<Buffer, number>({ name: METADATA_DB.records, encoding: 'binary', keyEncoding: 'uint32' });
  const one = raw.get(1) as Buffer;
  env.transactionSync(() => {
    raw.putSync(2, one);
    const flipped = Buffer.from(one);
    flipped[3] ^= 1;
    raw.putSync(1, flipped);
  });
  for (const slot of [1, 2]) {
    assert.throws(() => tables.get(slot), (e: Error & { code?: string }) => e.code === 'ECORRUPT' && /^corrupt index \/x\/index.mdb: metadata record of slot \d is damaged$/.test(e.message));
  }
  assert.deepEqual(tables.get(0), { a: 1 });
});

test('allowedSlots refuses a predicate compiled for another schema; ids up to MAX_ID', () => {
  clear();
  const schema = checkSchema({ price: 'number' });
  const tables = new MetadataTables(env, schema);
  const txn = env.useReadTransaction();
  try {
    assert.throws(() => tables.allowedSlots(compileWhere({ price: 1 }), 4, txn, () => undefined), /compiled for another schema/);
  } finally {
    txn.done();
  }
  assert.equal(MAX_ID_VALUE, MAX_ID);
});

test('undeclared fields are read from the records; a selective declared condition narrows the records read', () => {
  clear();
  const tables = new MetadataTables(env, undefined);
  const rows = Array.from({ length: 100 }, (_, i) => ({ tenant: i % 10 === 0 ? 'a' : 'b', price: i }));
  fill(tables, rows);
  assert.deepEqual(allowed(tables, { tenant: 'a', price: { gte: 50 } }, 100), [50, 60, 70, 80, 90]);
  assert.deepEqual(allowed(tables, { id: { in: [3, 10n] }, tenant: 'a' }, 100), [10]);
  // Slots beyond the last record (none counts as {}) match a not().
  assert.deepEqual(allowed(tables, { not: { tenant: 'b' } }, 103), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 101, 102]);
});

test('a read-only environment written before metadata existed reads as records {} (no tables to open)', async () => {
  const file = path.join(dir, 'old.mdb');
  const old = open({ path: file, noSubdir: true, maxDbs: 16, noSync: true });
  old.transactionSync(() => old.openDB<number, string>({ name: 'meta' }).putSync('x', 1));
  await old.close();
  const ro = open({ path: file, noSubdir: true, maxDbs: 16, readOnly: true });
  try {
    const tables = new MetadataTables(ro, checkSchema({ price: 'number' }));
    assert.equal(tables.get(0), undefined);
    const txn = ro.useReadTransaction();
    const where = (w: Where) => [...tables.allowedSlots(compileWhere(w, tables.schema), 5, txn, () => undefined)];
    assert.deepEqual(where({ not: { price: 1 } }), [0b11111]);
    assert.deepEqual(where({ price: { gte: 0 } }), [0]);
    txn.done();
    assert.throws(() => tables.put(0, { price: 1 }), /^TypeError: metadata: the environment is read-only/);
  } finally {
    await ro.close();
  }
});
