import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { readBvecs, readFvecs, readIvecs, readVecs, vecsInfo, writeBvecs, writeFvecs, writeIvecs } from '../../src/data/vecs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-vecs-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const SIFT = path.join(__dirname, '../../../shared/data/sift-debian-small');

test('fvecs / bvecs / ivecs round trip, whole file and any row range', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 50 }),
      fc.nat(),
      fc.nat(),
      (dim, rows, a, b) => {
        const f = Float32Array.from({ length: rows * dim }, (_, i) => Math.fround(Math.sin(i + a) * 1e3));
        const u = Uint8Array.from({ length: rows * dim }, (_, i) => (i * 31 + a) & 255);
        const n = Int32Array.from({ length: rows * dim }, (_, i) => (i - b) * 40503);
        const pf = path.join(tmp, 'x.fvecs'), pb = path.join(tmp, 'x.bvecs'), pi = path.join(tmp, 'x.ivecs');
        writeFvecs(pf, f, dim);
        writeBvecs(pb, u, dim);
        writeIvecs(pi, n, dim);
        assert.equal(fs.statSync(pb).size, rows * (4 + dim));
        assert.deepEqual(readFvecs(pf), { data: f, rows, dim });
        assert.deepEqual(readBvecs(pb).data, u);
        assert.deepEqual(readIvecs(pi).data, n);
        const start = a % rows, count = b % (rows - start + 2); // may run past the end: clipped
        const got = readVecs(pf, { start, count });
        const end = Math.min(rows, start + count);
        assert.equal(got.rows, end - start);
        assert.deepEqual(got.data, f.slice(start * dim, end * dim));
        assert.deepEqual(readBvecs(pb, { start }).data, u.slice(start * dim));
      },
    ),
    { numRuns: 60 },
  );
});

test('bad files are refused with the file name and the reason', () => {
  const p = (name: string, bytes: number[] | Buffer) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, Buffer.from(bytes as number[]));
    return f;
  };
  const rec = (dim: number, vals: number[]) => [...new Uint8Array(Int32Array.of(dim).buffer), ...vals];
  const truncated = p('t.bvecs', [...rec(3, [1, 2, 3]), ...rec(3, [4, 5])]);
  assert.throws(() => readBvecs(truncated), /t\.bvecs: size 13 bytes is not a multiple of the record length 7 .*truncated/);
  const mixed = p('m.bvecs', [...rec(2, [1, 2]), ...rec(1, [4, 5])]);
  assert.throws(() => readBvecs(mixed), /m\.bvecs: record 1 declares dimension 1, the first record 2: inconsistent/);
  assert.throws(() => readFvecs(p('e.fvecs', [])), /e\.fvecs: empty file/);
  assert.throws(() => readIvecs(p('n.ivecs', rec(-5, []))), /n\.ivecs: the first record declares dimension -5; not a ivecs file/);
  // A bvecs file read as fvecs: record length 4+4·d does not divide its size.
  assert.throws(() => readVecs(truncated, {}, 'fvecs'), /t\.bvecs: .*not a multiple/);
  assert.throws(() => readFvecs(path.join(tmp, 'x.npy')), /ENOENT/);
  assert.throws(() => readVecs(path.join(tmp, 'x.txt')), /x\.txt: unknown vector file extension/);
  assert.throws(() => writeFvecs(path.join(tmp, 'w.fvecs'), new Uint8Array(4) as never, 2), /fvecs needs a Float32Array/);
  assert.throws(() => readBvecs(p('s.bvecs', rec(2, [1, 2])), { start: 2 }), /start row 2 is past the end/);
});

test('sift-debian-small: headers, sizes, and a row range equals the same rows of a larger read', { skip: !fs.existsSync(SIFT) }, () => {
  const base = vecsInfo(path.join(SIFT, 'bigann_base.bvecs'));
  assert.deepEqual([base.dim, base.rows], [128, 329945]);
  const gt = vecsInfo(path.join(SIFT, 'gnd/idx_1M.ivecs'));
  assert.deepEqual([gt.dim, gt.rows], [100, 5000]);
  const head = readBvecs(path.join(SIFT, 'bigann_base.bvecs'), { count: 2000 });
  const mid = readBvecs(path.join(SIFT, 'bigann_base.bvecs'), { start: 1500, count: 500 });
  assert.deepEqual(mid.data, head.data.subarray(1500 * 128));
  const tail = readBvecs(path.join(SIFT, 'bigann_base.bvecs'), { start: 329940 });
  assert.equal(tail.rows, 5);
  const ids = readIvecs(path.join(SIFT, 'gnd/idx_1M.ivecs'), { count: 10 }).data;
  assert.ok(ids.every((i) => i >= 0 && i < base.rows));
});
