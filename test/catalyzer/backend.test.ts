/**
 * Encoder (backend) selection. Each case runs in a child process because a thread
 * loads one backend once. The default is the native forward pass; TensorFlow.js
 * packages are optional peers, usually absent for users (test/helpers/hide-packages.cjs
 * hides them here), and loaded only for a GPU or when asked for by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const HIDE = join(__dirname, '../helpers/hide-packages.cjs');
const FAKE_GPU = join(__dirname, '../helpers/fake-tfjs-node-gpu.cjs');
const TFJS = '@tensorflow/tfjs,@tensorflow/tfjs-core,@tensorflow/tfjs-backend-wasm,@tensorflow/tfjs-node,@tensorflow/tfjs-node-gpu';

function run(code: string, env: Record<string, string | undefined>): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--require', HIDE, '--import', 'tsx', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { out: r.stdout.trim(), err: r.stderr.trim(), status: r.status };
}

const PRINT_BACKEND = `require('./src/catalyzer/backend.ts').getBackend().then((b) => console.log(b.name + ' | ' + b.reason), (e) => { console.log('ERROR ' + e.message); });`;

function installed(id: string): boolean {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

test('automatic selection: native when @tensorflow/tfjs-node-gpu is not installed, whether or not other tfjs packages are', () => {
  const noGpuPackage = { SPREADVEC_BACKEND: undefined, SPREADVEC_TEST_HIDE: '@tensorflow/tfjs-node-gpu' };
  assert.equal(run(PRINT_BACKEND, noGpuPackage).out, 'native | automatic: the default CPU encoder (tfjs-node-gpu: @tensorflow/tfjs-node-gpu is not installed)');
  const noTfjs = { SPREADVEC_BACKEND: undefined, SPREADVEC_TEST_HIDE: TFJS };
  assert.equal(run(PRINT_BACKEND, noTfjs).out, 'native | automatic: the default CPU encoder (tfjs-node-gpu: @tensorflow/tfjs-node-gpu is not installed)');
});

test('automatic selection: an installed tfjs-node-gpu is used only with a CUDA device, and one that fails to load is passed over', () => {
  const env = { SPREADVEC_BACKEND: undefined, SPREADVEC_TEST_FAKE: `@tensorflow/tfjs-node-gpu=${FAKE_GPU}` };
  const code = PRINT_BACKEND.replace("console.log(b.name + ' | ' + b.reason)", "console.log(b.name + ' | ' + b.reason + ' | loaded=' + !!globalThis.__fakeTfjsNodeGpuLoaded)");
  const { out, err } = run(code, env);
  if (existsSync('/dev/nvidia0')) {
    assert.equal(out, 'native | automatic: the default CPU encoder (tfjs-node-gpu: fake tfjs-node-gpu: libtensorflow is missing) | loaded=true', err);
  } else {
    // No GPU: the package is not even loaded (loading tfjs-node-gpu costs seconds).
    assert.equal(out, 'native | automatic: the default CPU encoder (tfjs-node-gpu: no CUDA device (/dev/nvidia0) is visible) | loaded=false', err);
  }
});

test('SPREADVEC_BACKEND forces a backend; a missing package or an unknown name fails clearly', () => {
  assert.equal(run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'native' }).out, 'native | SPREADVEC_BACKEND or the backend option asks for native');
  if (installed('@tensorflow/tfjs-backend-wasm')) {
    assert.equal(run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'wasm' }).out, 'wasm | SPREADVEC_BACKEND or the backend option asks for wasm');
  }
  assert.equal(
    run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'wasm', SPREADVEC_TEST_HIDE: TFJS }).out,
    'ERROR backend wasm cannot be used: @tensorflow/tfjs is not installed (npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm)',
  );
  assert.equal(
    run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'wasm', SPREADVEC_TEST_HIDE: '@tensorflow/tfjs-backend-wasm' }).out,
    'ERROR backend wasm cannot be used: @tensorflow/tfjs-backend-wasm is not installed (npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm)',
  );
  assert.equal(
    run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'node', SPREADVEC_TEST_HIDE: TFJS }).out,
    'ERROR backend tfjs-node cannot be used: @tensorflow/tfjs-node is not installed (npm install @tensorflow/tfjs-node)',
  );
  const bogus = run(PRINT_BACKEND, { SPREADVEC_BACKEND: 'tpu' });
  assert.match(bogus.out + bogus.err, /SPREADVEC_BACKEND must be one of auto, gpu, node, wasm, cpu, native; got 'tpu'/);
});

test('importing spreadvec (Index and all) loads no TensorFlow.js, and the default encoder runs without it', () => {
  const code = `
    const api = require('./src/index.ts');
    const tf = () => Object.keys(require.cache).filter((k) => k.includes('@tensorflow')).length;
    const atImport = tf();
    const F = '../shared/fixtures/catalyzer/';
    (async () => {
      const c = await api.Catalyzer.load(F + 'catalyzer_zip.pth');
      const y = await c.encode(api.readNpy(F + 'golden_input.npy').data);
      const g = api.readNpy(F + 'golden_output.npy').data;
      let m = 0; for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - g[i]));
      console.log(typeof api.Index, atImport, c.backend, m <= 1e-5 ? 'match' : 'diff ' + m, tf());
      await c.close();
    })();`;
  const r = run(code, { SPREADVEC_BACKEND: undefined });
  assert.equal(r.out, 'function 0 native match 0', r.err);
});

test('SPREADVEC_BACKEND=cpu (when @tensorflow/tfjs is installed): the pure-JS backend gives the same golden outputs', { skip: installed('@tensorflow/tfjs') ? false : '@tensorflow/tfjs not installed' }, () => {
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

test('native encoder (the default): golden outputs with one and two threads, for batches and single rows, float32 and uint8', () => {
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
        for (let r = 0; r < 64; r++) {
          const one = await c.encode(x.subarray(r * 128, (r + 1) * 128));
          for (let j = 0; j < 24; j++) m = Math.max(m, Math.abs(one[j] - g[r * 24 + j]));
        }
        const u = Uint8Array.from(big, (v) => Math.min(255, Math.round(Math.abs(v) * 40)));
        const yu = await c.encode(u), yf = await c.encode(Float32Array.from(u));
        const same = yu.length === yf.length && yu.every((v, i) => v === yf[i]);
        res.push(c.backend + (m <= 1e-5 ? ' match' : ' diff ' + m) + (same ? '' : ' uint8 differs'));
        await c.close();
      }
      console.log(res.join(', '));
    })();`;
  const r = run(code, { SPREADVEC_BACKEND: 'native' });
  assert.equal(r.out, 'native match, native match', r.err);
});

test('spreadvec info says which encoder runs and why, and where the addon comes from', () => {
  const info = (env: Record<string, string | undefined>) => run(`process.argv = [process.argv[0], 'spreadvec', 'info']; require('./src/cli/main.ts');`, env);
  const auto = info({ SPREADVEC_BACKEND: undefined, SPREADVEC_TEST_HIDE: TFJS });
  assert.match(auto.out, /^encoder=native$/m, auto.err);
  assert.match(auto.out, /^encoder_why=automatic: the default CPU encoder \(tfjs-node-gpu: @tensorflow\/tfjs-node-gpu is not installed\)$/m);
  assert.match(auto.out, /^addon=(prebuilt|local build) \/.*spreadvec.*\.node$/m);
  if (installed('@tensorflow/tfjs')) {
    const cpu = info({ SPREADVEC_BACKEND: 'cpu' });
    assert.match(cpu.out, /^encoder=cpu\nencoder_why=SPREADVEC_BACKEND or the backend option asks for cpu$/m, cpu.err);
  }
});

const DIST_INDEX = join(ROOT, 'dist/src/index.js');
const distBuilt = require('node:fs').existsSync(DIST_INDEX);
test(
  'compiled build (plain node, no tsx): the native encoder, and the tfjs worker pool, run from dist',
  { skip: distBuilt ? false : 'dist/ not built (npm run build): compiled worker check skipped' },
  () => {
    // 2560 rows with 2 workers: a tfjs CPU backend splits them across the piscina pool.
    const backends = installed('@tensorflow/tfjs') ? ['native', 'cpu'] : ['native'];
    const code = `
      const { Catalyzer, readNpy } = require(${JSON.stringify(DIST_INDEX)});
      const F = ${JSON.stringify(join(ROOT, '../shared/fixtures/catalyzer/'))};
      (async () => {
        const c = await Catalyzer.load(F + 'catalyzer_zip.pth', { workers: 2 });
        const x = readNpy(F + 'golden_input.npy').data, g = readNpy(F + 'golden_output.npy').data;
        const big = new Float32Array(x.length * 40); for (let k = 0; k < 40; k++) big.set(x, k * x.length);
        const y = await c.encode(big);
        let m = 0; for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - g[i % g.length]));
        console.log(c.backend + (m <= 1e-5 ? ' match' : ' diff ' + m));
        await c.close();
      })();`;
    for (const backend of backends) {
      const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SPREADVEC_BACKEND: backend } });
      assert.equal(r.stdout.trim(), `${backend} match`, r.stderr);
    }
  },
);
