/**
 * The checkpoint reader on hostile input: random bytes, mutated real files and
 * truncations must either parse or raise CheckpointError — never another error,
 * a hang, or a huge allocation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { readCheckpoint, writeCheckpoint, CheckpointError } from '../../src/pth/checkpoint';

const FIX = join(__dirname, '../../../shared/fixtures/catalyzer');
const zip = new Uint8Array(readFileSync(join(FIX, 'catalyzer_zip.pth')));
const legacy = new Uint8Array(readFileSync(join(FIX, 'catalyzer_legacy.pth')));
// written by the paper's train.py (numpy scalars in the logs) and numpy scalars of every dtype
const OWN = join(__dirname, '../fixtures/pth');
const own = (name: string) => new Uint8Array(readFileSync(join(OWN, name)));
const small = writeCheckpoint({
  state_dict: { '0.weight': { dtype: 'float32', shape: [3, 2], data: new Float32Array(6).fill(1) } },
  epoch: 1,
  args: { dint: 8 },
  logs: [{ loss: 0.5 }],
});

// CPU time, not wall time: a loaded CI machine must not turn a fast read into a "hang".
let slowest = 0;
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
/** Runs the reader; fails the property on any error that is not a CheckpointError. */
function readsOrRefuses(bytes: Uint8Array): boolean {
  const t0 = cpuMs();
  try {
    readCheckpoint(bytes);
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    assert.ok(err.reason.length > 0);
  } finally {
    slowest = Math.max(slowest, cpuMs() - t0);
  }
  return true;
}

const RUNS = 300;

test('random bytes → CheckpointError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => readsOrRefuses(b)), { numRuns: RUNS });
  // random bytes behind each format's signature reach the deeper parsers
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => readsOrRefuses(Uint8Array.from([0x80, 0x02, ...b]))), { numRuns: RUNS });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => readsOrRefuses(Uint8Array.from([0x50, 0x4b, 3, 4, ...b]))), { numRuns: RUNS });
});

for (const [name, file] of [
  ['zip fixture', zip],
  ['legacy fixture', legacy],
  ['small written file', small],
  ['paper zip fixture', own('paper_zip.pth')],
  ['paper legacy fixture', own('paper_legacy.pth')],
  ['numpy scalars zip fixture', own('scalars_zip.pth')],
  ['numpy scalars legacy fixture', own('scalars_legacy.pth')],
] as const) {
  test(`${name}: every truncation is refused`, () => {
    assert.doesNotThrow(() => readCheckpoint(file));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: file.length - 1 }), (len) => {
        assert.throws(() => readCheckpoint(file.subarray(0, len)), CheckpointError);
        return true;
      }),
      { numRuns: 150 },
    );
  });

  test(`${name}: random byte mutations parse or are refused`, () => {
    // Mutations in the first 4 KiB hit the pickle / headers; elsewhere mostly tensor data.
    const hot = Math.min(file.length, 4096);
    const mutation = fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: hot - 1 }), fc.integer({ min: 0, max: file.length - 1 })), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    });
    // For zip files, half the runs recompute the CRCs after the edit, so that the
    // mutation reaches the pickle and storages instead of stopping at the CRC check.
    const zipped = file[0] === 0x50;
    fc.assert(
      fc.property(mutation, fc.boolean(), (edits, fixCrcs) => {
        let b: Uint8Array = file.slice();
        for (const [at, v] of edits) b[at] = v;
        if (zipped && fixCrcs) {
          try {
            b = withFixedCrcs(b);
          } catch {
            // the edit broke the zip structure itself: read it as it is
          }
        }
        return readsOrRefuses(b);
      }),
      { numRuns: RUNS },
    );
  });
}

test('no single read took long (no hang)', () => {
  assert.ok(slowest < 2000, `slowest read took ${slowest.toFixed(0)} ms of CPU`);
});

// ---- targeted hostile files ---------------------------------------------------

const enc = (s: string) => new TextEncoder().encode(s);
function pickle(...parts: (number[] | string)[]): Uint8Array {
  const out: number[] = [0x80, 0x02];
  for (const p of parts) out.push(...(typeof p === 'string' ? enc(p) : p));
  out.push(0x2e);
  return Uint8Array.from(out);
}
/** A legacy stream: magic, protocol, sys info, then `body` (the main pickle and the rest). */
function legacyStream(body: Uint8Array): Uint8Array {
  const magic = legacy.subarray(0, 137); // the first three pickles of the real file
  return Uint8Array.from([...magic, ...body]);
}

test('a pickle that calls os.system is refused, and nothing runs', () => {
  const evil = pickle('cos\nsystem\n', [0x58, 5, 0, 0, 0], 'touch', [0x85, 0x52]);
  assert.throws(() => readCheckpoint(legacyStream(evil)), (e: unknown) => e instanceof CheckpointError && /refusing to call os\.system/.test(e.reason));
  const builtinsEval = pickle('cbuiltins\neval\n', [0x58, 1, 0, 0, 0], '1', [0x85, 0x52]);
  assert.throws(() => readCheckpoint(legacyStream(builtinsEval)), /refusing to call builtins\.eval/);
});

test('a storage that declares 2^40 elements is refused before allocation', () => {
  // the real legacy file, with the first storage's element count in its persistent id patched
  const b = legacy.slice();
  const idx = findSeq(b, [0x4d, 0x00, 0x80, 0x4e, 0x74]); // BININT2 32768, NONE, TUPLE
  assert.ok(idx > 0);
  const big = [0x8a, 6, 0, 0, 0, 0, 0, 1]; // LONG1 2^40
  const patched = Uint8Array.from([...b.subarray(0, idx), ...big, ...b.subarray(idx + 3)]);
  assert.throws(() => readCheckpoint(patched), (e: unknown) => e instanceof CheckpointError && /elements|reaches/.test(e.reason));
  // ... and with the storage header agreeing (2^40 elements), the data is simply missing
  const keyEnd = findSeq(patched, [0x2e, 0x00, 0x80, 0, 0, 0, 0, 0, 0]); // STOP then int64 32768
  assert.ok(keyEnd > 0);
  new DataView(patched.buffer).setBigInt64(keyEnd + 1, 1n << 40n, true);
  assert.throws(() => readCheckpoint(patched), (e: unknown) => e instanceof CheckpointError && /truncated/.test(e.reason));
});

test('a zip entry that declares a huge uncompressed size is refused (zip bomb)', () => {
  const b = small.slice();
  // central directory entries: signature PK\x01\x02, uncompressed size at +24
  const cd = findSeq(b, [0x50, 0x4b, 0x01, 0x02]);
  assert.ok(cd > 0);
  new DataView(b.buffer).setUint32(cd + 24, 0xfffffff0, true);
  assert.throws(() => readCheckpoint(b), (e: unknown) => e instanceof CheckpointError && /declare more bytes/.test(e.reason));
});

test('a view beyond its storage is refused', () => {
  const b = writeCheckpoint({ state_dict: { x: { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) } } });
  const text = Buffer.from(b);
  // shape (2, 2) is written as MARK K 2 K 2 TUPLE: make it (2, 9)
  const idx = text.indexOf(Buffer.from([0x28, 0x4b, 2, 0x4b, 2, 0x74]));
  assert.ok(idx > 0);
  text[idx + 4] = 9;
  assert.throws(() => readCheckpoint(new Uint8Array(text)), /is corrupt \(CRC-32/);
  // with the CRCs updated to the edit, the view itself is what gets refused
  assert.throws(() => readCheckpoint(withFixedCrcs(new Uint8Array(text))), /reaches element/);
});

/** Rewrites every entry's CRC-32 (central directory and local header) to match its stored bytes. */
function withFixedCrcs(b: Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = findSeq(b, [0x50, 0x4b, 0x01, 0x02]); at >= 0 && v.getUint32(at, true) === 0x02014b50; ) {
    const size = v.getUint32(at + 20, true);
    const local = v.getUint32(at + 42, true);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    const crc = crc32(b.subarray(start, start + size)) >>> 0;
    v.setUint32(at + 16, crc, true);
    v.setUint32(local + 14, crc, true);
    at += 46 + v.getUint16(at + 28, true) + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
  }
  return b;
}

function findSeq(b: Uint8Array, seq: number[]): number {
  outer: for (let i = 0; i + seq.length <= b.length; i++) {
    for (let j = 0; j < seq.length; j++) if (b[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}
