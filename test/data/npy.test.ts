import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseNpy, readNpy, serializeNpy, writeNpy, NpyError, type NpyArray } from '../../src/data/npy';

const FIX = join(__dirname, '../../../shared/fixtures/catalyzer');

test('reads the NumPy-written golden files', () => {
  const a = readNpy(join(FIX, 'golden_input.npy'));
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.shape, [64, 128]);
  assert.equal(a.data.length, 64 * 128);
  // SIFT-like integers 0..255 (first row starts 47, 68, 25: checked with numpy)
  assert.deepEqual(Array.from(a.data.subarray(0, 3) as Float32Array), [47, 68, 25]);
  const b = readNpy(join(FIX, 'golden_output.npy'));
  assert.deepEqual(b.shape, [64, 24]);
  // rows are unit vectors
  const d = b.data as Float32Array;
  for (let r = 0; r < 64; r++) {
    let s = 0;
    for (let j = 0; j < 24; j++) s += d[r * 24 + j] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-5);
  }
});

test('our files are byte-identical to what NumPy writes for the same array', () => {
  const a = readNpy(join(FIX, 'golden_input.npy'));
  const bytes = serializeNpy(a);
  const orig = new Uint8Array(require('node:fs').readFileSync(join(FIX, 'golden_input.npy')));
  assert.deepEqual(Buffer.from(bytes), Buffer.from(orig));
});

const arbArray: fc.Arbitrary<NpyArray> = fc
  .tuple(fc.constantFrom('float32', 'float64', 'uint8', 'int32', 'int64' as const), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), fc.nat())
  .map(([dtype, shape, seed]) => {
    const n = shape.reduce((x, y) => x * y, 1);
    const make = { float32: Float32Array, float64: Float64Array, uint8: Uint8Array, int32: Int32Array, int64: BigInt64Array }[dtype];
    const data = new make(n);
    for (let i = 0; i < n; i++) {
      const v = (i * 7919 + seed) % 200;
      if (data instanceof BigInt64Array) data[i] = BigInt(v - 100) * 1234567890123n;
      else (data as Float64Array)[i] = dtype.startsWith('float') ? (v - 100) / 3 : dtype === 'uint8' ? v : v - 100;
    }
    return { dtype, shape, data } as NpyArray;
  });

test('serialize → parse round trip for every dtype and shape (incl. scalars and empty)', () => {
  fc.assert(
    fc.property(arbArray, (a) => {
      const b = parseNpy(serializeNpy(a));
      assert.equal(b.dtype, a.dtype);
      assert.deepEqual(b.shape, a.shape);
      assert.deepEqual(b.data, a.data);
      return true;
    }),
    { numRuns: 200 },
  );
});

test('writeNpy/readNpy through a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spreadvec-npy-'));
  try {
    const path = join(dir, 'x.npy');
    writeNpy(path, { shape: [2, 3], data: new Int32Array([1, 2, 3, 4, 5, -6]) });
    const x = readNpy(path);
    assert.equal(x.dtype, 'int32');
    assert.deepEqual(Array.from(x.data as Int32Array), [1, 2, 3, 4, 5, -6]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad, truncated and unsupported files: errors that name the file', () => {
  const good = serializeNpy({ shape: [4, 2], data: new Float32Array(8) });
  const name = 'vectors.npy';
  const err = (b: Uint8Array, re: RegExp) =>
    assert.throws(() => parseNpy(b, name), (e: unknown) => e instanceof NpyError && e.file === name && e.message.startsWith(name) && re.test(e.message));
  err(new Uint8Array([1, 2, 3]), /bad magic/);
  err(good.subarray(0, 20), /truncated header/);
  err(good.subarray(0, good.length - 1), /truncated data: shape \(4, 2\) needs 32 bytes, file has 31/);
  const withExtra = new Uint8Array(good.length + 4);
  withExtra.set(good);
  err(withExtra, /4 unexpected bytes/);
  const swap = (from: string, to: string) => {
    const s = Buffer.from(good).toString('latin1').replace(from, to);
    return new Uint8Array(Buffer.from(s, 'latin1'));
  };
  err(swap("'<f4'", "'>f4'"), /unsupported dtype '>f4'/);
  err(swap("'<f4'", "'<c8'"), /unsupported dtype '<c8'/);
  err(swap('False', 'True '), /Fortran-order/);
  err(swap('(4, 2)', '(4, x)'), /bad shape entry 'x'/);
  assert.throws(() => readNpy('/nonexistent/dir/a.npy'), /\/nonexistent\/dir\/a\.npy: cannot read \(ENOENT\)/);
  assert.throws(() => serializeNpy({ shape: [3], data: new Float32Array(2) }), /data has 2 values, shape \(3\) needs 3/);
});

test('random bytes never crash the parser', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const withMagic = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, ...b]);
      for (const x of [b, withMagic]) {
        try {
          parseNpy(x);
        } catch (e) {
          if (!(e instanceof NpyError)) throw e;
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
});
