/**
 * The import direction between the folders of src/ (and storage/), read from the
 * sources: no import runs upward, data/ and eval/ stay apart, and lattice/ reaches
 * the addon only through its own facade (lattice/zn-native.ts → kernels/addon.ts).
 * A new folder must be placed in LAYERS below before its code may be imported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '../..');

/**
 * What each unit may import. A unit is a folder of src/ (or storage/); the Index
 * is one unit whether it lives in src/index/ or src/vector-index.ts. Files at the
 * top of src/ other than the barrel (validate.ts, progress.ts, errors.ts, ...) are
 * the foundation: anyone may import them, they import no folder.
 */
const LAYERS: Record<string, readonly string[]> = {
  kernels: [],
  pth: [],
  errors: [],
  filter: [],
  lattice: ['kernels'],
  knn: ['kernels'],
  quantizers: ['kernels', 'knn', 'lattice'],
  catalyzer: ['kernels', 'pth'],
  data: ['knn'],
  eval: ['catalyzer', 'knn', 'lattice', 'quantizers'],
  train: ['catalyzer', 'data', 'eval', 'kernels', 'knn', 'lattice', 'pth', 'quantizers'],
  storage: ['lattice', 'kernels', 'filter'],
  ivf: ['kernels', 'knn'],
  index: ['catalyzer', 'filter', 'ivf', 'kernels', 'knn', 'lattice', 'storage', 'train'],
  cli: ['*'],
  barrel: ['*'],
  entry: ['*'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The unit of a file: its folder under src/, 'storage', 'index', 'barrel', or 'foundation'. */
function unitOf(file: string): string {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'storage') return 'storage';
  if (rel[0] !== 'src') return 'outside';
  if (rel.length > 2) return rel[1];
  if (rel[1] === 'index.ts') return 'barrel';
  if (rel[1] === 'vector-index.ts') return 'index';
  return 'foundation';
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const p of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  }
  return undefined;
}

interface Edge { from: string; to: string; spec: string }

/** Every relative import of the sources: `from '…'`, `import('…')`, `require('…')`. */
function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of [...sources(path.join(root, 'src')), ...sources(path.join(root, 'storage'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const to = resolve(file, m[1]);
      assert.ok(to, `${path.relative(root, file)} imports '${m[1]}', which does not exist`);
      out.push({ from: file, to, spec: m[1] });
    }
  }
  return out;
}

const rel = (p: string) => path.relative(root, p);

test('the layer table is acyclic and names only known units', () => {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (u: string, trail: string[]): void => {
    if (state.get(u) === 'done') return;
    assert.notEqual(state.get(u), 'open', `layer cycle: ${[...trail, u].join(' → ')}`);
    state.set(u, 'open');
    for (const v of LAYERS[u] ?? []) {
      if (v === '*') continue;
      assert.ok(v in LAYERS, `${u} may import unknown unit ${v}`);
      visit(v, [...trail, u]);
    }
    state.set(u, 'done');
  };
  for (const u of Object.keys(LAYERS)) visit(u, []);
});

test('no import runs upward between the folders of src/ and storage/', () => {
  const bad: string[] = [];
  const all = edges();
  assert.ok(all.length > 50, `only ${all.length} imports found: the scan is broken`);
  for (const { from, to, spec } of all) {
    const a = unitOf(from), b = unitOf(to);
    if (a === b || b === 'foundation') continue;
    if (a === 'foundation') {
      bad.push(`${rel(from)} (foundation) imports ${spec}`);
      continue;
    }
    const allowed = LAYERS[a];
    assert.ok(allowed, `${rel(from)}: unit '${a}' is not in the layer table`);
    if (!allowed.includes('*') && !allowed.includes(b)) bad.push(`${rel(from)} (${a}) imports ${spec} (${b})`);
  }
  assert.deepEqual(bad, []);
});

test('data/ and eval/ do not import each other', () => {
  const bad = edges().filter(({ from, to }) => {
    const pair = `${unitOf(from)}>${unitOf(to)}`;
    return pair === 'data>eval' || pair === 'eval>data';
  });
  assert.deepEqual(bad.map((e) => `${rel(e.from)} imports ${e.spec}`), []);
});

test('lattice/ reaches the addon only through lattice/zn-native.ts, and that only through kernels/addon.ts', () => {
  const bad = edges()
    .filter(({ from, to }) => unitOf(from) === 'lattice' && unitOf(to) === 'kernels')
    .filter(({ from, to }) => rel(from) !== path.join('src', 'lattice', 'zn-native.ts') || rel(to) !== path.join('src', 'kernels', 'addon.ts'));
  assert.deepEqual(bad.map((e) => `${rel(e.from)} imports ${e.spec}`), []);
});
