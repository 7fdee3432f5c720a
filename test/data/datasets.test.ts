import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRegistry, openDataset, resolveDataset } from '../../src/data/datasets';
import { loadSplit } from '../../src/data/splits';
import { writeBvecs, writeFvecs, writeIvecs } from '../../src/data/vecs';
import { writeNpy } from '../../src/data/npy';
import { knnReference } from '../../src/knn/knn-reference';
import { lcgUint32 } from '../helpers/random';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-ds-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function rand(n: number, seed: number, max = 256): number[] {
  const next = lcgUint32(seed);
  return Array.from({ length: n }, () => (next() >>> 8) % max);
}

// A small BigANN-layout dataset: ground truth written for the whole base.
const dim = 8, nl = 400, nb = 300, nq = 20;
const learn = Uint8Array.from(rand(nl * dim, 1)), base = Uint8Array.from(rand(nb * dim, 2));
const query = Uint8Array.from(rand(nq * dim, 3));
const bigann = path.join(tmp, 'bigann');
fs.mkdirSync(path.join(bigann, 'gnd'), { recursive: true });
writeBvecs(path.join(bigann, 'bigann_learn.bvecs'), learn, dim);
writeBvecs(path.join(bigann, 'bigann_base.bvecs'), base, dim);
writeBvecs(path.join(bigann, 'bigann_query.bvecs'), query, dim);
const fullGt = knnReference(Float32Array.from(query), Float32Array.from(base), dim, 100).indices;
writeIvecs(path.join(bigann, 'gnd/idx_1M.ivecs'), fullGt, 100);
// The same vectors as float32 in the Deep1B layout.
const deep = path.join(tmp, 'deep');
fs.mkdirSync(deep);
writeFvecs(path.join(deep, 'learn.fvecs'), Float32Array.from(learn), dim);
writeFvecs(path.join(deep, 'base.fvecs'), Float32Array.from(base), dim);
writeFvecs(path.join(deep, 'deep1B_queries.fvecs'), Float32Array.from(query), dim);
writeIvecs(path.join(deep, 'deep1M_groundtruth.ivecs'), fullGt, 100);

const registry = path.join(tmp, 'datasets.json');
fs.writeFileSync(
  registry,
  JSON.stringify({ small: { folder: 'bigann', layout: 'bigann' }, deepish: { folder: deep, layout: 'deep1b' } }),
);

test('registry: relative folders, layouts, built-in sift-debian-small, clear errors', () => {
  const reg = loadRegistry(registry);
  assert.equal(reg.get('small')!.folder, bigann);
  assert.equal(reg.get('deepish')!.files.query, 'deep1B_queries.fvecs');
  assert.match(reg.get('sift-debian-small')!.folder, /shared[/\\]data[/\\]sift-debian-small$/);
  assert.throws(() => resolveDataset('nope', registry), /unknown dataset 'nope': not a folder, and not in the registry \(known: sift-debian-small, small, deepish/);
  const bad = path.join(tmp, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ x: { folder: '.', layout: 'hdf5' } }));
  assert.match(loadRegistry(bad).errors.get('x')!.message, /bad\.json: dataset 'x': layout must be one of bigann, deep1b, npy, got hdf5/);
  assert.throws(() => resolveDataset('x', bad), /bad\.json: dataset 'x': layout must be one of bigann, deep1b, npy, got hdf5/);
  fs.writeFileSync(bad, '{ nope');
  assert.throws(() => loadRegistry(bad), /bad\.json: not valid JSON/);
  fs.writeFileSync(bad, JSON.stringify({ y: { folder: tmp, layout: 'bigann' } }));
  assert.throws(() => openDataset('y', bad).base(), /dataset 'y' \(bigann layout\): missing base file .*bigann_base\.bvecs/);
  // SPREADVEC_DATASETS is the default registry
  const saved = process.env.SPREADVEC_DATASETS;
  process.env.SPREADVEC_DATASETS = registry;
  try {
    assert.equal(resolveDataset('small').layout, 'bigann');
  } finally {
    if (saved === undefined) delete process.env.SPREADVEC_DATASETS;
    else process.env.SPREADVEC_DATASETS = saved;
  }
});

test('test split: files as they are, ground truth from the file or recomputed for a cut base', async () => {
  for (const name of ['small', 'deepish']) {
    const s = await loadSplit(name, { registry });
    assert.deepEqual([s.nb, s.nq, s.nt, s.dim, s.gtK], [nb, nq, nl, dim, 100]);
    assert.deepEqual(s.base, Float32Array.from(base));
    assert.deepEqual(s.gt, fullGt);
  }
  // A base cut below what the gt file covers: exact neighbours among the first 120.
  const cut = await loadSplit('small', { registry, sizeBase: 120, numQueries: 7, numLearn: 50 });
  assert.deepEqual([cut.nb, cut.nq, cut.nt, cut.gtK], [120, 7, 50, 100]);
  const want = knnReference(Float32Array.from(query.subarray(0, 7 * dim)), Float32Array.from(base.subarray(0, 120 * dim)), dim, 100);
  assert.deepEqual(cut.gt, want.indices);
});

test('train split: base = learn[0:size], queries = learn[size:size+q], train = the rest, exact gt', async () => {
  const s = await loadSplit('small', { registry, split: 'train', sizeBase: 150, numQueries: 30, gtK: 10 });
  const L = Float32Array.from(learn);
  assert.deepEqual(s.base, L.subarray(0, 150 * dim));
  assert.deepEqual(s.queries, L.subarray(150 * dim, 180 * dim));
  assert.deepEqual(s.train, L.subarray(180 * dim));
  assert.deepEqual([s.nb, s.nq, s.nt, s.gtK], [150, 30, nl - 180, 10]);
  assert.deepEqual(s.gt, knnReference(s.queries, s.base, dim, 10).indices);
  const few = await loadSplit('small', { registry, split: 'train', sizeBase: 150, numQueries: 30, numLearn: 5 });
  assert.equal(few.nt, 5);
  await assert.rejects(loadSplit('small', { registry, split: 'train', sizeBase: 300, numQueries: 100 }), /needs sizeBase \(300\) \+ numQueries \(100\) < 400/);
});

test('npy layout: float64/float32/uint8 vectors, int64 ground truth, optional gt, clear errors', async () => {
  const dir = path.join(tmp, 'npy');
  fs.mkdirSync(dir);
  writeNpy(path.join(dir, 'learn.npy'), { shape: [nl, dim], data: Float64Array.from(learn) });
  writeNpy(path.join(dir, 'base.npy'), { shape: [nb, dim], data: Float32Array.from(base) });
  writeNpy(path.join(dir, 'query.npy'), { shape: [nq, dim], data: query });
  const reg = path.join(dir, 'datasets.json');
  fs.writeFileSync(reg, JSON.stringify({ mine: { folder: '.', layout: 'npy' } }));
  // No gt.npy: computed exactly over the whole base.
  const computed = await loadSplit('mine', { registry: reg, gtK: 100 });
  assert.deepEqual(computed.gt, fullGt);
  assert.deepEqual(computed.train, Float32Array.from(learn));
  // gt.npy as int64, a different order than the exact one, to see that the file is used.
  const reversed = BigInt64Array.from(Array.from(fullGt).reverse(), (v) => BigInt(v));
  writeNpy(path.join(dir, 'gt.npy'), { shape: [nq, 100], data: reversed });
  const fromFile = await loadSplit('mine', { registry: reg });
  assert.deepEqual(fromFile.gt, Int32Array.from(reversed, Number));
  const sub = await loadSplit('mine', { registry: reg, split: 'train', sizeBase: 100, numQueries: 10, gtK: 5 });
  assert.deepEqual(sub.queries, Float32Array.from(learn.subarray(100 * dim, 110 * dim)));
  writeNpy(path.join(dir, 'query.npy'), { shape: [nq * dim], data: query });
  await assert.rejects(loadSplit('mine', { registry: reg }), /query\.npy: expected a 2-d array, got shape \(160\)/);
});

test('--database accepts a folder path: layout detected from the file names', async () => {
  assert.equal(resolveDataset(bigann).layout, 'bigann');
  assert.equal(resolveDataset(deep).layout, 'deep1b');
  assert.equal(resolveDataset(path.relative(process.cwd(), deep)).folder, deep);
  const s = await loadSplit(bigann, { sizeBase: 120, numQueries: 5 });
  assert.deepEqual([s.nb, s.nq, s.dim], [120, 5, dim]);
  const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
  assert.throws(() => resolveDataset(empty), /no known dataset layout \(expected bigann: bigann_base\.bvecs \+ bigann_query\.bvecs; deep1b: .*npy: base\.npy \+ query\.npy\)/);
  assert.throws(() => resolveDataset(path.join(tmp, 'absent')), /dataset folder .*absent does not exist/);
});

test("registry entries in the paper's getBasedir style: \"bigann\": \"/path\"", () => {
  const reg = path.join(tmp, 'basedir.json');
  fs.writeFileSync(reg, JSON.stringify({ bigann: 'bigann', deep1b: deep, other: deep }));
  assert.deepEqual([resolveDataset('bigann', reg).layout, resolveDataset('bigann', reg).folder], ['bigann', bigann]);
  assert.equal(resolveDataset('deep1b', reg).layout, 'deep1b');
  assert.equal(resolveDataset('other', reg).layout, 'deep1b'); // detected from the files
  assert.equal(resolveDataset('other', reg).name, 'other');
});

test('one bad registry entry breaks only itself', async () => {
  const reg = path.join(tmp, 'mixed.json');
  fs.writeFileSync(reg, JSON.stringify({ good: { folder: bigann, layout: 'bigann' }, broken: 5, typo: { folder: bigann, layout: 'bigan' } }));
  assert.equal(resolveDataset('good', reg).folder, bigann);
  assert.equal((await loadSplit('good', { registry: reg, sizeBase: 50, numQueries: 3 })).nb, 50);
  assert.throws(() => resolveDataset('broken', reg), /mixed\.json: dataset 'broken' must be a folder string or an object/);
  assert.throws(() => resolveDataset('typo', reg), /dataset 'typo': layout must be one of/);
  assert.deepEqual([...loadRegistry(reg).errors.keys()].sort(), ['broken', 'typo']);
});

test('the built-in sift-debian-small, when absent, says where it looked and how to point at the data', () => {
  const saved = process.env.SPREADVEC_DATA_DIR;
  const nowhere = path.join(tmp, 'installed-package-data');
  process.env.SPREADVEC_DATA_DIR = nowhere;
  try {
    assert.throws(
      () => resolveDataset('sift-debian-small', path.join(tmp, 'no-registry.json')),
      (e: Error) =>
        e.message.includes(path.join(nowhere, 'sift-debian-small')) && /SPREADVEC_DATA_DIR/.test(e.message) && /--database <folder>/.test(e.message),
    );
    // pointing SPREADVEC_DATA_DIR at a folder that holds it works
    const holder = path.join(tmp, 'holder');
    fs.mkdirSync(holder, { recursive: true });
    fs.symlinkSync(bigann, path.join(holder, 'sift-debian-small'));
    process.env.SPREADVEC_DATA_DIR = holder;
    assert.equal(resolveDataset('sift-debian-small', path.join(tmp, 'no-registry.json')).folder, path.join(holder, 'sift-debian-small'));
  } finally {
    if (saved === undefined) delete process.env.SPREADVEC_DATA_DIR;
    else process.env.SPREADVEC_DATA_DIR = saved;
  }
});
