// Child process of test/kernels/native-detach.test.ts: starts one asynchronous native call
// (named by argv[2]), then detaches (transfers away) every buffer it was given and
// collects the garbage, so that a kernel still reading the caller's memory reads
// freed pages. With argv[3] = 'shared' the inputs live in SharedArrayBuffers instead
// (which cannot be detached) and are overwritten with 0xFF bytes (NaN floats, huge
// indices) while the call runs. Prints "resolved" or "rejected: <message>"; a crash
// is the failure the parent looks for. Plain CommonJS that loads the built addon
// directly: no tsx start-up.
'use strict';
const path = require('node:path');
// SPREADVEC_ADDON: another build of the addon (to see the cases crash an unfixed one).
const addon = require(process.env.SPREADVEC_ADDON || path.join(__dirname, '..', '..', 'build', 'Release', 'spreadvec.node'));

function rows(n, dim, seed) {
  const x = new Float32Array(n * dim);
  let a = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    x[i] = a / 4294967296 - 0.5;
  }
  return x;
}

function unitRows(n, dim, seed) {
  const x = rows(n, dim, seed);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] ** 2;
    for (let d = 0; d < dim; d++) x[i * dim + d] /= Math.sqrt(s);
  }
  return x;
}

const shared = process.argv[3] === 'shared';

/** The array itself, or (shared mode) a copy in a SharedArrayBuffer. */
function input(a) {
  if (!shared) return a;
  const s = new a.constructor(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

function detach(...arrays) {
  for (const a of arrays) {
    if (shared) new Uint8Array(a.buffer, a.byteOffset, a.byteLength).fill(0xff);
    else if (a.buffer.byteLength > 0) structuredClone(a.buffer, { transfer: [a.buffer] });
  }
  for (let i = 0; i < 3; i++) global.gc();
}

const cases = {
  decodeScan() {
    const n = 200000;
    const codes = input(addon.znQuantizeEncode(24, 10, unitRows(n, 24, 1), 0));
    const removed = input(new Uint8Array((n + 7) >> 3));
    const queries = input(unitRows(64, 24, 2));
    const p = addon.decodeScan(codes, n, removed, 24, 10, queries, 10, 1);
    detach(codes, removed, queries);
    return p;
  },
  znQuantizeEncodeAsync() {
    const x = input(unitRows(80000, 24, 3));
    const p = addon.znQuantizeEncodeAsync(24, 79, x, 1);
    detach(x);
    return p;
  },
  znDecodeAsync() {
    const n = 100000;
    const codes = input(addon.znQuantizeEncode(24, 79, unitRows(n, 24, 4), 0));
    const out = input(new Float32Array(n * 24));
    const p = addon.znDecodeAsync(24, 79, codes, 'float32', 1, out);
    detach(codes, out);
    return p;
  },
  knnSearch() {
    const q = input(rows(256, 64, 5));
    const base = input(rows(100000, 64, 6));
    const p = addon.knnSearch(q, base, 64, 10, 'l2', 1);
    detach(q, base);
    return p;
  },
  knnL2() {
    const q = input(rows(256, 64, 7));
    const base = input(rows(100000, 64, 8));
    const p = addon.knnL2(q, base, 64, 10, 1);
    detach(q, base);
    return p;
  },
  trainBatches() {
    const t = new addon.MlpTrainer(128, 256, 24);
    const n = 4096;
    const x = input(rows(n, 128, 9));
    const idx = (s) => input(Int32Array.from({ length: n }, (_, i) => (i * s + 1) % n));
    const a = idx(1), pos = idx(7), neg = idx(13);
    const p = t.trainBatches(x, a, pos, neg, 64, 0.01, 0.9, 0.01);
    detach(x, a, pos, neg);
    return p;
  },
  forwardEval() {
    const t = new addon.MlpTrainer(128, 256, 24);
    const x = input(rows(40000, 128, 10));
    const p = t.forwardEval(x, 1);
    detach(x);
    return p;
  },
  kmeansTrain() {
    const x = input(rows(50000, 32, 11));
    const p = addon.kmeansTrain(x, 32, 256, 3, 1, 'random', 1);
    detach(x);
    return p;
  },
  pqEncode() {
    const d = 64, M = 8;
    const x = input(rows(50000, d, 12));
    const cb = input(rows(256 * d, 1, 13));
    const p = addon.pqEncode(x, d, M, cb, 1);
    detach(x, cb);
    return p;
  },
  pqAdcSearch() {
    const M = 8;
    const luts = input(rows(64 * M * 256, 1, 14));
    const codes = input(new Uint8Array(1000000 * M).map((_, i) => (i * 31) & 255));
    const p = addon.pqAdcSearch(luts, M, codes, 10, 1);
    detach(luts, codes);
    return p;
  },
  pqMatmul() {
    const m = 20000, n = 128, kd = 128;
    const a = input(rows(m * kd, 1, 15));
    const b = input(rows(kd * n, 1, 16));
    const p = addon.pqMatmul(a, b, m, n, kd, false);
    detach(a, b);
    return p;
  },
};

const run = cases[process.argv[2]];
if (!run) {
  console.error(`unknown case ${process.argv[2]}; cases: ${Object.keys(cases).join(', ')}`);
  process.exit(2);
}
Promise.resolve()
  .then(run)
  .then(
    () => console.log('resolved'),
    (e) => console.log(`rejected: ${e.message}`),
  );
