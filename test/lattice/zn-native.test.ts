/**
 * The native codec is byte-identical to the TS reference: random (d, r2, x, codes),
 * ranks wider than 64 bits, tie-heavy inputs, every ISA variant of the build.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ZnCodec, writeRank } from '../../src/lattice/zn-codec';
import * as native from '../../src/lattice/zn-native';
import { detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';

const best = detectedIsa();
const isas = (['scalar', 'avx2', 'avx512', 'neon'] as Isa[]).filter((isa) => {
  const ok = setIsa(isa);
  setIsa(best);
  return ok;
});
after(() => setIsa(best));

const codecs = new Map<string, ZnCodec | null>();
/** The TS codec, or null when the sphere is empty. */
function reference(d: number, r2: number): ZnCodec | null {
  const key = `${d},${r2}`;
  if (!codecs.has(key)) {
    let c: ZnCodec | null = null;
    try {
      c = new ZnCodec(d, r2);
    } catch {
      c = null;
    }
    codecs.set(key, c);
  }
  return codecs.get(key)!;
}

const coordinate = fc.oneof(
  { weight: 3, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -1, max: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 0.25, -0.25, 0.5, -0.5, 1, -1) }, // ties in |x| and scores
  { weight: 1, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) }, // any magnitude, subnormals
);

function randomRanks(c: ZnCodec, seeds: number[]): Uint8Array {
  const codes = new Uint8Array(seeds.length * c.codeBytes);
  seeds.forEach((s, i) => {
    // Spread over the whole range, with the two ends included.
    const r = s === 0 ? 0n : s === 1 ? c.nv - 1n : (c.nv * BigInt(Math.floor(s * 2 ** 52))) >> 52n;
    writeRank(r, codes, i * c.codeBytes, c.codeBytes);
  });
  return codes;
}

test('native info equals the TS reference (nv, nbit, codeBytes, natom)', () => {
  for (const [d, r2] of [
    [24, 79],
    [48, 30],
    [64, 20],
    [16, 200],
    [1, 1],
    [24, 3],
    [100, 6],
  ]) {
    const c = reference(d, r2)!;
    assert.deepEqual(native.info(d, r2), { nv: c.nv, nbit: c.nbit, codeBytes: c.codeBytes, natom: c.atoms.length });
  }
});

test('native quantize+encode, decode and encode equal the reference on random input, every ISA', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 48 }),
      fc.array(fc.array(coordinate, { minLength: 64, maxLength: 64 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })), {
        minLength: 1,
        maxLength: 8,
      }),
      (d, r2, rows, seeds) => {
        const c = reference(d, r2);
        if (c === null) {
          assert.throws(() => native.info(d, r2), { name: 'RangeError', message: /empty sphere/ });
          return;
        }
        if (c.nbit > 128) {
          assert.throws(() => native.info(d, r2), { name: 'RangeError', message: /wider than 128 bits/ });
          return;
        }
        const x = new Float32Array(rows.flatMap((row) => row.slice(0, d)));
        const expected = c.quantizeEncodeBatch(x);
        for (const isa of isas) {
          setIsa(isa);
          assert.deepEqual(c.quantizeEncode(x), expected, `quantizeEncode d=${d} r2=${r2} isa=${isa}`);
        }
        const codes = randomRanks(c, seeds);
        const z = c.decodeBatch(codes);
        const scale = Math.sqrt(r2);
        for (const isa of isas) {
          setIsa(isa);
          assert.deepEqual(c.decodeCodes(codes, 'int8'), Int8Array.from(z), `decode int8 isa=${isa}`);
          assert.deepEqual(c.decodeCodes(codes, 'float32'), Float32Array.from(z, (v) => v / scale), `decode isa=${isa}`);
        }
        setIsa(best);
        assert.deepEqual(native.encode(d, r2, z), codes);
      },
    ),
    { numRuns: 250 },
  );
});

test('wide ranks: 79-bit (48, 30) and 75-bit (64, 20) codes, native = reference', () => {
  for (const [d, r2] of [
    [48, 30],
    [64, 20],
    [24, 79],
  ]) {
    const c = reference(d, r2)!;
    const n = 300;
    const x = new Float32Array(n * d).map((_, i) => Math.sin(i * 12.9898 + d) * 43758.5453 - Math.floor(Math.sin(i * 12.9898 + d) * 43758.5453) - 0.5);
    const expected = c.quantizeEncodeBatch(x);
    for (const isa of isas) {
      setIsa(isa);
      assert.deepEqual(native.quantizeEncode(d, r2, x), expected, `(${d}, ${r2}) ${isa}`);
    }
    const seeds = Array.from({ length: n }, (_, i) => (i < 2 ? i : ((i * 0.6180339887) % 1)));
    const codes = randomRanks(c, seeds);
    const z = c.decodeBatch(codes);
    for (const isa of isas) {
      setIsa(isa);
      assert.deepEqual(native.decode(d, r2, codes, 'int8'), Int8Array.from(z), `(${d}, ${r2}) decode ${isa}`);
    }
    setIsa(best);
  }
});

test('dimensions above 64 (free-list decode path), native = reference', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 65, max: 300 }),
      fc.integer({ min: 1, max: 9 }),
      fc.array(coordinate, { minLength: 300 * 3, maxLength: 300 * 3 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 4, maxLength: 4 }),
      (d, r2, values, seeds) => {
        const c = reference(d, r2)!;
        if (c.nbit > 128) return;
        const x = new Float32Array(values.slice(0, 3 * d));
        const expected = c.quantizeEncodeBatch(x);
        for (const isa of isas) {
          setIsa(isa);
          assert.deepEqual(native.quantizeEncode(d, r2, x), expected, `(${d}, ${r2}) ${isa}`);
        }
        const codes = randomRanks(c, [0, 1, ...seeds]);
        const z = c.decodeBatch(codes);
        for (const isa of isas) {
          setIsa(isa);
          assert.deepEqual(native.decode(d, r2, codes, 'int8'), Int8Array.from(z), `(${d}, ${r2}) decode ${isa}`);
        }
        setIsa(best);
        assert.deepEqual(native.encode(d, r2, z), codes);
      },
    ),
    { numRuns: 40 },
  );
});

test('thread counts and async variants give the same bytes', async () => {
  const c = reference(24, 79)!;
  const n = 5000; // several parallel chunks
  const x = new Float32Array(n * 24).map((_, i) => Math.cos(i * 0.7311) * ((i % 7) - 3));
  const one = native.quantizeEncode(24, 79, x, 1);
  assert.deepEqual(native.quantizeEncode(24, 79, x, 2), one);
  assert.deepEqual(await native.quantizeEncodeAsync(24, 79, x, 2), one);
  assert.deepEqual(await c.quantizeEncodeAsync(x), one);
  assert.deepEqual(c.quantizeEncodeBatch(x.subarray(0, 200 * 24)), one.subarray(0, 200 * c.codeBytes));
  const dec = native.decode(24, 79, one, 'float32', 1);
  assert.deepEqual(native.decode(24, 79, one, 'float32', 2), dec);
  assert.deepEqual(await c.decodeCodesAsync(one, 'float32'), dec);
  assert.deepEqual(await native.decodeAsync(24, 79, one, 'int8', 2), native.decode(24, 79, one, 'int8'));
  // Caller-supplied output arrays are filled and returned.
  const out = new Float32Array(n * 24).fill(7);
  assert.equal(native.decode(24, 79, one, 'float32', 2, out), out);
  assert.deepEqual(out, dec);
  const out8 = new Int8Array(n * 24);
  assert.equal(await native.decodeAsync(24, 79, one, 'int8', 1, out8), out8);
  assert.deepEqual(out8, native.decode(24, 79, one, 'int8'));
  assert.throws(() => native.decode(24, 79, one, 'float32', 1, new Float32Array(5)), {
    name: 'TypeError',
    message: /out must be a Float32Array of 120000 elements/,
  });
  assert.throws(() => native.decode(24, 79, one, 'int8', 1, new Float32Array(n * 24) as never), /out must be an Int8Array/);
});

test('native errors name the bad argument', async () => {
  assert.throws(() => native.info(0, 3), { name: 'RangeError', message: /dim must be >= 1, got 0/ });
  assert.throws(() => native.info(24, -1), { name: 'RangeError', message: /r2 must be >= 1/ });
  assert.throws(() => native.info(2.5, 3), { name: 'TypeError', message: /dim must be an integer/ });
  assert.throws(() => native.info(1, 2), { name: 'RangeError', message: /r2=2 gives an empty sphere at dim=1/ });
  assert.throws(() => native.info(128, 100), { name: 'RangeError', message: /wider than 128 bits/ });
  assert.throws(() => native.info(5000, 1), { name: 'RangeError', message: /dim=5000 exceeds the native limit/ });
  const x = new Float32Array(48).fill(0.1);
  x[30] = Number.NaN;
  assert.throws(() => native.quantizeEncode(24, 79, x), {
    name: 'RangeError',
    message: /x holds a non-finite value \(NaN\) at index 30/,
  });
  await assert.rejects(native.quantizeEncodeAsync(24, 79, x), { name: 'RangeError', message: /NaN\) at index 30/ });
  x[30] = -Infinity;
  assert.throws(() => native.quantizeEncode(24, 79, x), /Infinity\) at index 30/);
  assert.throws(() => native.quantizeEncode(24, 79, new Float32Array(25)), /x has 25 values, not a multiple of dim=24/);
  assert.throws(() => native.quantizeEncode(24, 79, new Float64Array(24) as never), {
    name: 'TypeError',
    message: /x must be a Float32Array/,
  });
  const c = reference(24, 3)!;
  const codes = new Uint8Array(3 * c.codeBytes);
  writeRank(c.nv, codes, 2 * c.codeBytes, c.codeBytes);
  assert.throws(() => native.decode(24, 3, codes, 'float32'), {
    name: 'RangeError',
    message: /codes row 2 holds a rank >= nv=16192/,
  });
  await assert.rejects(native.decodeAsync(24, 3, codes, 'int8'), /codes row 2 holds a rank >= nv=16192/);
  assert.throws(() => native.decode(24, 3, codes.subarray(1), 'float32'), /codes has 5 values, not a multiple of codeBytes=2/);
  assert.throws(() => native.decode(24, 3, codes, 'int16' as never), { name: 'TypeError', message: /as must be 'int8' or 'float32'/ });
  assert.throws(() => native.decode(2, 20000, new Uint8Array(0), 'int8'), /as='int8' needs r2 <= 16129/);
  assert.throws(() => native.encode(24, 3, new Int32Array(24)), /z row 0 is not a point of the sphere/);
  assert.throws(() => native.quantizeEncode(24, 79, x, -1), /threads must be an integer in \[0, 1024\]/);
});
