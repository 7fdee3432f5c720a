/**
 * The error classes of src/errors.ts: every state or data error spreadvec raises is
 * a SpreadvecError with a stable code, and each case has its own class.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../src/index/vector-index';
import { ClosedError, ConcurrentWriterError, DimensionMismatchError, ReadOnlyError, SpreadvecError } from '../src/errors';
import { IndexFormatError } from '../storage/errors';
import { CheckpointError } from '../src/pth/checkpoint-error';
import { readCheckpoint } from '../src/pth/checkpoint';
import { IndexStore } from '../storage/index-store';
import { Catalyzer } from '../src/catalyzer/catalyzer';
import { TestEncoder, loadTestEncoder, randomRows } from './helpers/test-encoder';

const DIN = 8;
const DOUT = 12;

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-errors-')), 'idx');
}

/** Asserts that `e` is a `cls` and a SpreadvecError with `code`, named after its class. */
function is(cls: new (...a: never[]) => SpreadvecError, code: string, message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.ok(e instanceof SpreadvecError && e instanceof Error);
    assert.equal(e.code, code);
    assert.equal(e.name, cls.name);
    assert.match(e.message, message);
    return true;
  };
}

test('calls on a closed index are ClosedErrors (ECLOSED)', async () => {
  const index = await Index.create(tmpDir(), { catalyzer: new TestEncoder(DIN, DOUT), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await index.close();
  await assert.rejects(index.add(randomRows(1, DIN, 1)), is(ClosedError, 'ECLOSED', /the index is closed/));
  await assert.rejects(index.search(randomRows(1, DIN, 1), 1), is(ClosedError, 'ECLOSED', /the index is closed/));
  await assert.rejects(index.remove([0]), is(ClosedError, 'ECLOSED', /the index is closed/));
  assert.throws(() => index.size, is(ClosedError, 'ECLOSED', /the index is closed/));
});

test('writes on a read-only index are ReadOnlyErrors (EREADONLY), from the Index and from the store', async () => {
  const dir = tmpDir();
  const index = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await index.add(randomRows(3, DIN, 2));
  const reader = await Index.open(dir, { readOnly: true, loadCatalyzer: loadTestEncoder });
  await assert.rejects(reader.add(randomRows(1, DIN, 3)), is(ReadOnlyError, 'EREADONLY', /open read-only/));
  await assert.rejects(reader.remove([0]), is(ReadOnlyError, 'EREADONLY', /open read-only/));
  await reader.close();
  await index.close();
  const store = IndexStore.open(dir, { readOnly: true });
  assert.throws(() => store.commitRemove(store.readState().generation, [0n]), is(ReadOnlyError, 'EREADONLY', /open read-only/));
  await store.close();
});

test('a commit from a writer holding an old generation is a ConcurrentWriterError (ECONCURRENTWRITER)', async () => {
  const dir = tmpDir();
  const index = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await index.add(randomRows(2, DIN, 4));
  await index.close();
  const store = IndexStore.open(dir);
  const stale = store.readState().generation - 1;
  assert.throws(() => store.commitRemove(stale, [0n]), is(ConcurrentWriterError, 'ECONCURRENTWRITER', /another writer/));
  await store.close();
});

test('vectors or a catalyzer of the wrong dimension are DimensionMismatchErrors (EDIMENSION)', async () => {
  const dir = tmpDir();
  const index = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await assert.rejects(index.add(new Float32Array(DIN + 1).fill(1)), is(DimensionMismatchError, 'EDIMENSION', /9 values, not a multiple of the index dimension 8/));
  await assert.rejects(index.search(new Float32Array(DIN - 1).fill(1), 1), is(DimensionMismatchError, 'EDIMENSION', /not a multiple of the index dimension/));
  await index.close();
  const wrong = async () => new TestEncoder(DIN + 1, DOUT);
  await assert.rejects(Index.open(dir, { loadCatalyzer: wrong }), is(DimensionMismatchError, 'EDIMENSION', /maps 9 → 12, but the index was built for 8 → 12/));
});

test('IndexFormatError and CheckpointError are SpreadvecErrors and keep their codes', async () => {
  const notIndex = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-errors-'));
  await assert.rejects(Index.open(notIndex, { loadCatalyzer: loadTestEncoder }), is(IndexFormatError, 'ENOTINDEX', /./));
  assert.throws(() => readCheckpoint(new Uint8Array([1, 2, 3])), is(CheckpointError, 'ECHECKPOINT', /^invalid checkpoint: /));
});

test('a Catalyzer refuses input of the wrong dimension (EDIMENSION) and calls after close (ECLOSED)', async () => {
  const c = await Catalyzer.load(path.join(__dirname, '..', '..', 'shared', 'fixtures', 'catalyzer', 'catalyzer_zip.pth'));
  await assert.rejects(c.encode(new Float32Array(127)), is(DimensionMismatchError, 'EDIMENSION', /127 values, not a multiple of the input dimension din=128/));
  await c.close();
  await assert.rejects(c.encode(new Float32Array(128)), is(ClosedError, 'ECLOSED', /Catalyzer is closed/));
});
