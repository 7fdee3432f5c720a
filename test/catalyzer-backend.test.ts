/**
 * Backend selection. Each case runs in a child process because a thread loads one
 * backend once. @tensorflow/tfjs-node(-gpu) are optional and usually absent: then
 * automatic selection must fall back to wasm, and forcing them must fail clearly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

function run(code: string, env: Record<string, string | undefined>): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { out: r.stdout.trim(), err: r.stderr.trim(), status: r.status };
}

const PRINT_BACKEND = `require('./src/catalyzer/backend.ts').getBackend().then((b) => console.log(b.name), (e) => { console.log('ERROR ' + e.message); });`;

function installed(id: string): boolean {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

test('automatic selection falls back to wasm when tfjs-node is absent', () => {
  const { out } = run(PRINT_BACKEND, { SPREADVEC_BACKEND: undefined });
  if (installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu')) {
    assert.match(out, /^tfjs-node(-gpu)?$/);
  } else {
    assert.equal(out, 'wasm');
  }
});

test('SPREADVEC_BACKEND forces a backend; an unavailable or unknown one fails clearly', () => {
  assert.equal(run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'wasm' }).out, 'wasm');
  if (!installed('@tensorflow/tfjs-node')) {
    assert.match(run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'node' }).out, /^ERROR backend tfjs-node cannot be used: Cannot find module '@tensorflow\/tfjs-node'$/);
  }
  const bogus = run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'tpu' });
  assert.match(bogus.out + bogus.err, /SPREADVEC_BACKEND must be one of auto, gpu, node, wasm, cpu, native; got 'tpu'/);
});

test('SPREADVEC_BACKEND=cpu: the pure-JS backend gives the same golden outputs', () => {
  const code = `
    const { Catalyzer } = require('./src/catalyzer/catalyzer.ts');
    const { readNpy } = require('./src/data/npy.ts');
    const F = '../shared/fixtures/catalyzer/';
    (async () => {
      const c = await Catalyzer.load(F + 'catalyzer_legacy.pth', { workers: 1 });
      const y = await c.encode(readNpy(F + 'golden_input.npy').data);
      const g = readNpy(F + 'golden_output.npy').data;
      let m = 0; for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - g[i]));
      console.log(c.backend, m <= 1e-5 ? 'match' : 'diff ' + m);
      await c.close();
    })();`;
  assert.equal(run(code, { SPREADVEC_BACKEND: 'cpu' }).out, 'cpu match');
});

test('SPREADVEC_BACKEND=native (addon sgemm, opt-in): golden outputs in the calling thread and in two workers', () => {
  const code = `
    const { Catalyzer } = require('./src/catalyzer/catalyzer.ts');
    const { readNpy } = require('./src/data/npy.ts');
    const F = '../shared/fixtures/catalyzer/';
    (async () => {
      const x = readNpy(F + 'golden_input.npy').data, g = readNpy(F + 'golden_output.npy').data;
      const big = new Float32Array(x.length * 40); for (let k = 0; k < 40; k++) big.set(x, k * x.length);
      const res = [];
      for (const workers of [1, 2]) {
        const c = await Catalyzer.load(F + 'catalyzer_zip.pth', { workers });
        const y = await c.encode(big);
        let m = 0; for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - g[i % g.length]));
        res.push(c.backend + (m <= 1e-5 ? ' match' : ' diff ' + m));
        await c.close();
      }
      console.log(res.join(', '));
    })();`;
  const r = run(code, { SPREADVEC_BACKEND: 'native' });
  assert.equal(r.out, 'native match, native match', r.err);
});

test('spreadvec info prints the backend', () => {
  const { out, err } = run(`process.argv = [process.argv[0], 'spreadvec', 'info']; require('./src/cli/main.ts');`, { SPREADVEC_BACKEND: 'cpu' });
  assert.match(out, /^backend=cpu$/m, err);
});

const DIST_INDEX = join(ROOT, 'dist/src/index.js');
const distBuilt = require('node:fs').existsSync(DIST_INDEX);
test(
  'compiled build (plain node, no tsx): the worker pool runs from dist',
  { skip: distBuilt ? false : 'dist/ not built (npm run build): compiled worker check skipped' },
  () => {
    const code = `
      const { Catalyzer, readNpy } = require(${JSON.stringify(DIST_INDEX)});
      const F = ${JSON.stringify(join(ROOT, '../shared/fixtures/catalyzer/'))};
      (async () => {
        const c = await Catalyzer.load(F + 'catalyzer_zip.pth', { workers: 2 });
        const x = readNpy(F + 'golden_input.npy').data, g = readNpy(F + 'golden_output.npy').data;
        const big = new Float32Array(x.length * 40); for (let k = 0; k < 40; k++) big.set(x, k * x.length);
        const y = await c.encode(big);
        let m = 0; for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - g[i % g.length]));
        console.log(m <= 1e-5 ? 'match' : 'diff ' + m);
        await c.close();
      })();`;
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.stdout.trim(), 'match', r.stderr);
  },
);
