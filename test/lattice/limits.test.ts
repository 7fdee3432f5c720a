// Bounded work for any (dim, r2): sizes the Zn codec cannot serve are refused
// with a RangeError naming the bound, before any large table is built. Before these
// bounds, ZnCodec(100000, 5) ran out of heap, ZnCodec(24, 1000) ran for minutes at
// 7 GB; the test timeout (a guard, not a measurement) turns a hang into a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZnCodec } from '../../src/lattice/zn-codec';
import { binomial } from '../../src/lattice/combinatorics';
import { enumerateAtoms } from '../../src/lattice/atoms';
import { countPointsUpTo, radiusForBits } from '../../src/lattice/sphere-count';
import { MAX_ATOMS, MAX_BITS, MAX_DIM, MAX_R2 } from '../../src/lattice/limits';

const guard = { timeout: 20_000 };

test('dim above the native limit is refused', guard, () => {
  assert.throws(() => new ZnCodec(100_000, 5), { name: 'RangeError', message: /dim=100000 exceeds 4096/ });
  assert.throws(() => new ZnCodec(100_000, 1), { name: 'RangeError', message: /dim=100000 exceeds 4096/ });
  assert.throws(() => new ZnCodec(MAX_DIM + 1, 1), RangeError);
});

test('r2 above 2^20 is refused', guard, () => {
  assert.throws(() => new ZnCodec(24, MAX_R2 + 1), { name: 'RangeError', message: /r2=1048577 exceeds 1048576/ });
});

test('too many atoms is refused (zn_1000, zn_100000 at d=24)', guard, () => {
  assert.throws(() => new ZnCodec(24, 1000), { name: 'RangeError', message: new RegExp(`more than ${MAX_ATOMS} atoms`) });
  assert.throws(() => new ZnCodec(24, 100_000), { name: 'RangeError', message: /more than 65536 atoms/ });
  assert.throws(() => enumerateAtoms(24, 1000, { maxAtoms: 10, maxSteps: Infinity }), /more than 10 atoms/);
});

test('an enumeration with too many dead ends is refused (small dim, huge r2)', guard, () => {
  assert.throws(() => new ZnCodec(4, MAX_R2), { name: 'RangeError', message: /steps to enumerate its atoms/ });
  assert.throws(() => enumerateAtoms(3, 10_000, { maxAtoms: Infinity, maxSteps: 5 }), /more than 5 steps/);
});

test('codes wider than 128 bits are refused', guard, () => {
  assert.throws(() => new ZnCodec(4096, 20), { name: 'RangeError', message: new RegExp(`needs 199-bit codes, more than the ${MAX_BITS} bits`) });
  assert.throws(() => new ZnCodec(256, 40), /-bit codes, more than the 128 bits/);
});

test('the largest served sizes still build and round-trip', guard, () => {
  const wide = new ZnCodec(MAX_DIM, 1);
  assert.equal(wide.nv, 2n * BigInt(MAX_DIM));
  const c = new ZnCodec(MAX_DIM, 11);
  assert.ok(c.nbit <= 128 && c.nbit > 64, `nbit ${c.nbit}`);
  const z = new Int32Array(MAX_DIM);
  z[5] = -3;
  z[4000] = 1;
  z[17] = 1;
  const r = c.encode(z);
  assert.ok(r < c.nv);
  assert.deepEqual(c.decode(r), z);
});

test('binomial of large n costs min(k, n-k) steps (no Pascal triangle of n rows)', guard, () => {
  assert.equal(binomial(100_000, 1), 100_000n);
  assert.equal(binomial(100_000, 99_998), 4_999_950_000n);
  assert.equal(binomial(4096, 2), 8_386_560n);
  assert.equal(binomial(300, 150), binomial(299, 149) + binomial(299, 150));
});

test('sphere counting and the radius table refuse sizes they cannot count', guard, () => {
  assert.throws(() => countPointsUpTo(100_000, 5), /dim=100000 exceeds 4096/);
  assert.throws(() => countPointsUpTo(4096, 100_000), { name: 'RangeError', message: /too much work/ });
  assert.throws(() => radiusForBits(24, 129), { name: 'RangeError', message: /bits=129 exceeds 128/ });
  assert.throws(() => radiusForBits(100_000, 64), /dim=100000 exceeds 4096/);
});

test('Index.create refuses zn_1000 and zn_100000 at dout 24 at once (it builds its codec first)', guard, async () => {
  const { Index } = await import('../../src/index/vector-index');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-limits-'));
  const identity: import('../../src/index/vector-index').IndexEncoder = {
    din: 24, dout: 24,
    encode: async (x) => (x instanceof Float32Array ? x : Float32Array.from(x as ArrayLike<number>)),
    toCheckpoint: () => new TextEncoder().encode('{}'),
    close: async () => undefined,
  };
  try {
    for (const quantizer of ['zn_1000', 'zn_100000']) {
      await assert.rejects(Index.create(path.join(dir, quantizer), { catalyzer: identity, quantizer }), {
        name: 'RangeError',
        message: new RegExp(`quantizer ${quantizer} cannot be used at dimension 24: .*more than 65536 atoms`),
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
