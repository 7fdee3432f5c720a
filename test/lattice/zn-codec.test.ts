import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ZnCodec, readRank, writeRank } from '../../src/lattice/zn-codec';
import { bruteSphere, dot } from './brute';

const fixtures = path.join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'zn');
interface TableRow {
  d: number;
  r2: number;
  natom: number;
  nv: string;
  nbit: number;
}
interface GoldenCase {
  d: number;
  r2: number;
  x: number[][];
  q: number[][];
}
const table = (JSON.parse(fs.readFileSync(path.join(fixtures, 'zn_table.json'), 'utf8')) as { table: TableRow[] }).table;
const golden = (JSON.parse(fs.readFileSync(path.join(fixtures, 'zn_quantize_golden.json'), 'utf8')) as { cases: GoldenCase[] })
  .cases;

const codecs = new Map<string, ZnCodec>();
function codec(d: number, r2: number): ZnCodec {
  const key = `${d},${r2}`;
  let c = codecs.get(key);
  if (!c) codecs.set(key, (c = new ZnCodec(d, r2)));
  return c;
}

test('nv, nbit and atom counts match the paper reference table', () => {
  assert.equal(table.length, 13);
  for (const row of table) {
    const c = codec(row.d, row.r2);
    assert.equal(c.nv, BigInt(row.nv), `nv(${row.d}, ${row.r2})`);
    assert.equal(c.nbit, row.nbit, `nbit(${row.d}, ${row.r2})`);
    assert.equal(c.atoms.length, row.natom, `natom(${row.d}, ${row.r2})`);
    assert.equal(c.codeBytes, Math.ceil(row.nbit / 8));
  }
});

test('GUIDE facts: nv(24,79), nv(48,30), nv(24,3)', () => {
  assert.equal(codec(24, 79).nv, 17319684851070915840n);
  assert.equal(codec(24, 79).nbit, 64);
  assert.equal(codec(48, 30).nv, 311097167722066085728512n);
  assert.equal(codec(48, 30).nbit, 79);
  assert.equal(codec(48, 30).codeBytes, 10);
  assert.equal(codec(24, 3).nv, 16192n);
  assert.equal(codec(24, 3).nbit, 14);
});

test('encode is a bijection from S onto [0, nv) for small spheres (brute force)', () => {
  for (let d = 1; d <= 5; d++) {
    for (let r2 = 1; r2 <= 9; r2++) {
      const points = bruteSphere(d, r2);
      if (points.length === 0) {
        assert.throws(() => new ZnCodec(d, r2), /empty sphere/);
        continue;
      }
      const c = new ZnCodec(d, r2);
      assert.equal(c.nv, BigInt(points.length));
      const ranks = new Set<bigint>();
      for (const z of points) {
        const r = c.encode(z);
        assert.ok(r >= 0n && r < c.nv);
        ranks.add(r);
        assert.deepEqual(Array.from(c.decode(r)), z);
      }
      assert.equal(ranks.size, points.length, `no duplicate rank in (${d}, ${r2})`);
    }
  }
});

test('quantize reproduces the paper reference quantizer on 1000 vectors', () => {
  let total = 0;
  for (const cs of golden) {
    const c = codec(cs.d, cs.r2);
    cs.x.forEach((x, i) => {
      assert.deepEqual(Array.from(c.quantize(x)), cs.q[i], `case (${cs.d}, ${cs.r2}) vector ${i}`);
      total++;
    });
  }
  assert.equal(total, 1000);
});

test('quantize is the brute-force argmax of <x, z> over S (small spheres)', () => {
  const spheres = new Map<string, number[][]>();
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 10 }),
      fc.array(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, -0.5, 1)), {
        minLength: 5,
        maxLength: 5,
      }),
      (d, r2, xs) => {
        const key = `${d},${r2}`;
        if (!spheres.has(key)) spheres.set(key, bruteSphere(d, r2));
        const points = spheres.get(key)!;
        if (points.length === 0) return;
        const x = xs.slice(0, d);
        const best = Math.max(...points.map((z) => dot(x, z)));
        const q = codec(d, r2).quantize(x);
        assert.equal(q.reduce((s, v) => s + v * v, 0), r2);
        assert.ok(Math.abs(dot(x, q) - best) <= 1e-12 * (1 + Math.abs(best)), `score ${dot(x, q)} < best ${best}`);
      },
    ),
    { numRuns: 400 },
  );
});

test('quantize tie rules: equal |x| by index, zero gets +, first atom wins', () => {
  const c = codec(4, 2);
  // All |x| equal: the two 1s go to the first two coordinates, signs follow x.
  assert.deepEqual(Array.from(c.quantize([-0.5, 0.5, -0.5, 0.5])), [-1, 1, 0, 0]);
  // x = 0: every point scores 0; atom (1,1,0,0) is the only atom; + signs.
  assert.deepEqual(Array.from(c.quantize([0, 0, 0, 0])), [1, 1, 0, 0]);
  assert.deepEqual(Array.from(c.quantize([-0, 0, 0, 0])), [1, 1, 0, 0]);
  // r2 = 4 in d = 4: atoms (2,0,0,0) then (1,1,1,1). x = (3, 1, 1, 1)/4 scores
  // 2·3/4 = 1.5 for both (exact in double): the first atom wins.
  const t = codec(4, 4);
  assert.deepEqual(Array.from(t.atoms[0]), [2, 0, 0, 0]);
  assert.deepEqual(Array.from(t.quantize([0.75, 0.25, 0.25, 0.25])), [2, 0, 0, 0]);
  assert.deepEqual(Array.from(t.quantize([0.25, -0.25, 0.75, 0.25])), [0, 0, 2, 0]);
});

test('decode(encode(z)) = z for random points of large spheres, ranks < nv', () => {
  const params = [
    [24, 79],
    [48, 30],
    [64, 20],
    [16, 200],
    [7, 13],
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...params),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }),
      ([d, r2], xs) => {
        const c = codec(d, r2);
        const z = c.quantize(xs.slice(0, d)); // a point of S spread over all atoms
        const r = c.encode(z);
        assert.ok(r >= 0n && r < c.nv);
        assert.deepEqual(c.decode(r), z);
      },
    ),
    { numRuns: 300 },
  );
});

test('encode(decode(c)) = c for random ranks, including 0 and nv−1', () => {
  const params = [
    [24, 79],
    [48, 30],
    [64, 20],
    [16, 200],
    [3, 1],
    [1, 4],
  ];
  for (const [d, r2] of params) {
    const c = codec(d, r2);
    for (const r of [0n, c.nv - 1n]) assert.equal(c.encode(c.decode(r)), r);
  }
  fc.assert(
    fc.property(
      fc.constantFrom(...params).chain(([d, r2]) => fc.tuple(fc.constant(codec(d, r2)), fc.bigInt({ min: 0n, max: codec(d, r2).nv - 1n }))),
      ([c, r]) => {
        const z = c.decode(r);
        assert.equal(
          z.reduce((s, v) => s + v * v, 0),
          c.r2,
        );
        assert.equal(c.encode(z), r);
      },
    ),
    { numRuns: 400 },
  );
});

test('batch reference: little-endian ranks of codeBytes bytes', () => {
  const c = codec(48, 30);
  const x = new Float32Array(3 * 48).map((_, i) => Math.sin(i * 1.7));
  const codes = c.quantizeEncodeBatch(x);
  assert.equal(codes.length, 3 * c.codeBytes);
  for (let i = 0; i < 3; i++) {
    const z = c.quantize(x.subarray(i * 48, (i + 1) * 48));
    assert.equal(readRank(codes, i * c.codeBytes, c.codeBytes), c.encode(z));
  }
  assert.deepEqual(c.decodeBatch(codes).subarray(0, 48), c.quantize(x.subarray(0, 48)));
  const buf = new Uint8Array(10);
  writeRank(0x0102030405060708090an, buf, 0, 10);
  assert.deepEqual(Array.from(buf), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
});

test('bad arguments give errors naming the argument', () => {
  assert.throws(() => new ZnCodec(0, 3), { name: 'RangeError', message: /dim must be ≥ 1/ });
  assert.throws(() => new ZnCodec(2.5, 3), { name: 'TypeError', message: /dim must be an integer/ });
  assert.throws(() => new ZnCodec(24, 0), { name: 'RangeError', message: /r2 must be ≥ 1/ });
  assert.throws(() => new ZnCodec(24, Number.NaN), { name: 'TypeError', message: /r2 must be an integer/ });
  assert.throws(() => new ZnCodec(1, 2), { name: 'RangeError', message: /r2=2 gives an empty sphere at dim=1/ });
  const c = codec(24, 3);
  assert.throws(() => c.decode(c.nv), { name: 'RangeError', message: /code 16192 is out of range/ });
  assert.throws(() => c.decode(-1n), /out of range/);
  assert.throws(() => c.decode(3 as unknown as bigint), { name: 'TypeError', message: /code must be a bigint/ });
  assert.throws(() => c.quantize(new Array(23).fill(0.1)), /x has length 23, expected dim=24/);
  const nan = new Array(24).fill(0.1);
  nan[7] = Number.NaN;
  assert.throws(() => c.quantize(nan), /x holds a non-finite value \(NaN\) at index 7/);
  nan[7] = Infinity;
  assert.throws(() => c.quantize(nan), /Infinity\) at index 7/);
  const z = new Array(24).fill(0);
  z[0] = 1;
  assert.throws(() => c.encode(z), /squared norm 1, not r2=3/);
  z[0] = 1.5;
  assert.throws(() => c.encode(z), /z must hold integers/);
  assert.throws(() => c.quantizeEncodeBatch(new Float32Array(25)), /x has 25 values, not a multiple/);
  assert.throws(() => c.decodeBatch(new Uint8Array(3)), /codes has 3 bytes, not a multiple of codeBytes=2/);
  assert.throws(() => c.decodeBatch(new Uint8Array([0xff, 0xff])), /codes row 0 holds rank 65535 ≥ nv=16192/);
});
