/**
 * The package's public surface (src/index.ts, src/entry/, package.json `exports`):
 * a curated root, one subpath per area, both reachable from the compiled build by
 * require and import, and a root that loads no TensorFlow.js.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import * as root from '../../src/index';

const ROOT = join(__dirname, '../..');
const ROOT_NAMES = [
  'Catalyzer', 'CheckpointError', 'ClosedError', 'ConcurrentWriterError', 'DimensionMismatchError', 'Index', 'IndexFormatError',
  'ReadOnlyError', 'SpreadvecError', 'ZnCodec', 'countPoints', 'radiusForBits', 'readCheckpoint', 'readNpy', 'readVecs',
  'vecsInfo', 'writeCheckpoint', 'writeNpy', 'writeVecs',
];
/** One name each subpath must export (a sample of what it owns). */
const SUBPATHS: Record<string, string[]> = {
  train: ['trainOnSplit', 'crossValidate', 'tripletKoleoLoss', 'NativeMlpTrainer', 'fitCatalyzer', 'MIN_FIT_VECTORS', 'WeightAverage'],
  eval: ['knn', 'evaluate', 'oneRecalls'],
  quantizers: ['makeQuantizer', 'kmeans', 'ProductQuantizer', 'fitPca'],
  data: ['readFvecs', 'readBvecs', 'loadSplit', 'parseNpy', 'clusteredVectors'],
  kernels: ['decodeScan', 'flatScan', 'flatScanSync', 'activeIsa', 'sgemm', 'getBackend'],
};

function node(args: string[]): { out: string; err: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { out: r.stdout.trim(), err: r.stderr };
}

test('the root exports exactly the curated names', () => {
  assert.deepEqual(Object.keys(root).sort(), [...ROOT_NAMES].sort());
});

/** The type names the root exports (types leave no runtime key: read from the barrel's source). */
const ROOT_TYPES = [
  'CacheKind', 'CatalyzerOptions', 'CheckpointData', 'DecodedType', 'EncoderLoader', 'FieldType', 'IdsInput', 'IndexCreateOptions', 'IndexEncoder',
  'IndexErrorCode', 'IndexOpenOptions', 'IndexTrainOptions', 'Matrix', 'Metadata', 'MetadataInput', 'MetadataPatch', 'MetadataValue', 'NpyArray', 'NpyDtype',
  'RowRange', 'Schema', 'SearchOptions', 'SearchResult', 'StateErrorCode', 'TorchDtype', 'TorchTensor', 'VecsFormat', 'VecsInfo',
  'VectorsInput', 'VerifyReport', 'Where', 'Metric', 'VectorType', 'TrainProgress', 'TrainReport', 'PartitionOptions', 'PartitionReport',
];

test('the root exports exactly the curated types, the filter types among them', () => {
  const source = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
  const names = [...source.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((s) => s.trim()).filter(Boolean));
  assert.deepEqual(names.sort(), [...ROOT_TYPES].sort());
  // And they are usable from the root (checked by the type checker).
  const schema: root.Schema = { price: 'number', tags: 'string[]' satisfies root.FieldType };
  const record: root.Metadata = { price: 1, tags: ['new'] satisfies root.MetadataValue };
  const where: root.Where = { price: { lt: 2 }, tags: { has: 'new' } };
  const patch: root.MetadataPatch = { price: null };
  const rows: root.MetadataInput = [record, undefined];
  assert.ok(schema && where && patch && rows);
});

const built = existsSync(join(ROOT, 'dist/src/entry/kernels.js'));
const skip = built ? false : 'dist/ not built (npm run build)';

test('the compiled root and every subpath load by require, and the root loads no TensorFlow.js', { skip }, () => {
  const code = `
    const names = (m) => Object.keys(m).sort().join(',');
    const r = require('spreadvec');
    const tf = Object.keys(require.cache).filter((k) => k.includes('@tensorflow')).length;
    const subs = ${JSON.stringify(Object.keys(SUBPATHS))}.map((s) => s + '=' + names(require('spreadvec/' + s)));
    console.log(JSON.stringify({ root: names(r), tf, subs }));`;
  const r = node(['-e', code]);
  const got = JSON.parse(r.out || '{}') as { root: string; tf: number; subs: string[] };
  assert.equal(got.root, [...ROOT_NAMES].sort().join(','), r.err);
  assert.equal(got.tf, 0);
  for (const [s, want] of Object.entries(SUBPATHS)) {
    const line = got.subs.find((l) => l.startsWith(s + '='))!;
    const have = line.slice(s.length + 1).split(',');
    for (const name of want) assert.ok(have.includes(name), `spreadvec/${s} lacks ${name}`);
  }
});

test('the compiled root and subpaths load by import (ESM), with named exports', { skip }, () => {
  const code = `
    import { Index, SpreadvecError } from 'spreadvec';
    import { trainOnSplit } from 'spreadvec/train';
    import { knn } from 'spreadvec/eval';
    import { makeQuantizer } from 'spreadvec/quantizers';
    import { readFvecs } from 'spreadvec/data';
    import { decodeScan } from 'spreadvec/kernels';
    console.log([Index, SpreadvecError, trainOnSplit, knn, makeQuantizer, readFvecs, decodeScan].map((f) => typeof f).join(' '));`;
  const r = node(['--input-type=module', '-e', code]);
  assert.equal(r.out, Array(7).fill('function').join(' '), r.err);
});

/** Every module specifier the declaration files reachable from `entry` import. */
function declarationImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const specifiers = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      specifiers.add(m[1]);
      if (!m[1].startsWith('.')) continue;
      // A folder's barrel ('../filter') is its index.d.ts.
      const asFile = resolve(dirname(file), m[1] + '.d.ts');
      todo.push(existsSync(asFile) ? asFile : resolve(dirname(file), m[1], 'index.d.ts'));
    }
  }
  return specifiers;
}

test('the root\'s type declarations name no TensorFlow.js module (an app importing Index loads no tfjs types)', { skip }, () => {
  const imports = [...declarationImports(join(ROOT, 'dist/src/index.d.ts'))];
  assert.ok(imports.includes('./catalyzer/catalyzer'), 'the walk reaches the Catalyzer');
  assert.deepEqual(imports.filter((s) => s.includes('@tensorflow')), []);
  // spreadvec/kernels does reach them (the Backend type holds the tf namespace): the walk sees them.
  assert.ok([...declarationImports(join(ROOT, 'dist/src/entry/kernels.d.ts'))].some((s) => s.includes('@tensorflow')));
});
