/**
 * Catalyzer encoding throughput of the native forward pass (the default encoder)
 * against PyTorch CPU, side by side in one run, on the catalyzer shapes
 * 128→1024→1024→24 (SIFT) and 784→1024→1024→24 (MNIST-sized), for batches and for
 * single rows. Both sides run on one thread and are measured per CPU-second of
 * their whole process (process.cpuUsage / time.process_time), which resists a
 * shared machine far better than wall-clock; rounds alternate native and PyTorch
 * and the median ratio is printed.
 *
 *   npx tsx bench/encode.ts [--rounds 3] [--batch-rows 50000] [--single-rows 2000] [--tfjs]
 *
 * PyTorch is Debian's python3-torch (`/usr/bin/python3`), with OpenBLAS
 * (`apt-get install python3-torch libopenblas0-pthread`), OMP/OpenBLAS threads = 1,
 * the paper's network in eval mode, batches of 1024 under no_grad. `--tfjs` adds
 * TensorFlow.js wasm (when installed) for comparison.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { Catalyzer } from '../src/catalyzer/catalyzer';
import type { TorchTensor } from '../src/pth/tensor';

const ROUNDS = arg('rounds', 3);
const BATCH_ROWS = arg('batch-rows', 50_000);
const SINGLE_ROWS = arg('single-rows', 2000);
const DINT = 1024;
const DOUT = 24;
const SHAPES = [128, 784];

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function randomStateDict(din: number): Record<string, TorchTensor> {
  const r = rng(42);
  const f = (n: number, scale: number, offset = 0) => Float32Array.from({ length: n }, () => offset + (r() * 2 - 1) * scale);
  const sd: Record<string, TorchTensor> = {};
  const dims = [din, DINT, DINT, DOUT];
  let idx = 0;
  for (let l = 0; l < 3; l++) {
    const [i, o] = [dims[l], dims[l + 1]];
    sd[`${idx}.weight`] = { dtype: 'float32', shape: [o, i], data: f(o * i, 1 / Math.sqrt(i)) };
    sd[`${idx}.bias`] = { dtype: 'float32', shape: [o], data: f(o, 0.1) };
    if (l < 2) {
      sd[`${idx + 1}.weight`] = { dtype: 'float32', shape: [o], data: f(o, 0.2, 1) };
      sd[`${idx + 1}.bias`] = { dtype: 'float32', shape: [o], data: f(o, 0.1) };
      sd[`${idx + 1}.running_mean`] = { dtype: 'float32', shape: [o], data: f(o, 0.5) };
      sd[`${idx + 1}.running_var`] = { dtype: 'float32', shape: [o], data: f(o, 0.5, 1) };
      sd[`${idx + 1}.num_batches_tracked`] = { dtype: 'int64', shape: [], data: new BigInt64Array([100n]) };
    }
    idx += 3;
  }
  return sd;
}

/** uint8 rows (SIFT / MNIST pixels): mostly small values with a long tail. */
function inputs(n: number, din: number): Uint8Array {
  const r = rng(7);
  return Uint8Array.from({ length: n * din }, () => Math.floor(r() * r() * 256));
}

type Mode = 'batch' | 'single';
interface Rate {
  vecPerSec: number;
  vecPerCpuSec: number;
}

/** Rows per second (wall) and per CPU-second (whole process) of `body` encoding `rows` rows. */
async function measure(rows: number, body: () => Promise<void>): Promise<Rate> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await body();
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { vecPerSec: rows / s, vecPerCpuSec: rows / ((c.user + c.system) / 1e6) };
}

async function measureCatalyzer(c: Catalyzer, din: number, mode: Mode, x: Uint8Array): Promise<Rate> {
  if (mode === 'batch') return measure(BATCH_ROWS, async () => void (await c.encode(x)));
  return measure(SINGLE_ROWS, async () => {
    for (let i = 0; i < SINGLE_ROWS; i++) await c.encode(x.subarray(i * din, (i + 1) * din));
  });
}

const PYTORCH = `
import sys, time, json, torch, numpy as np
torch.set_num_threads(1)
din, dint, dout, nb, ns = int(sys.argv[1]), ${DINT}, ${DOUT}, int(sys.argv[2]), int(sys.argv[3])
net = torch.nn.Sequential(torch.nn.Linear(din, dint), torch.nn.BatchNorm1d(dint), torch.nn.ReLU(),
    torch.nn.Linear(dint, dint), torch.nn.BatchNorm1d(dint), torch.nn.ReLU(), torch.nn.Linear(dint, dout)).eval()
r = np.random.RandomState(7)
x = torch.from_numpy((r.rand(nb, din) * r.rand(nb, din) * 256).astype('uint8'))
def run(mode):
    with torch.no_grad():
        t0, c0 = time.time(), time.process_time()
        if mode == 'batch':
            for i in range(0, nb, 1024):
                torch.nn.functional.normalize(net(x[i:i + 1024].float()), dim=-1)
            n = nb
        else:
            for i in range(ns):
                torch.nn.functional.normalize(net(x[i:i + 1].float()), dim=-1)
            n = ns
        return {'vecPerSec': n / (time.time() - t0), 'vecPerCpuSec': n / (time.process_time() - c0)}
with torch.no_grad():
    net(x[:1024].float())
print(json.dumps({'version': torch.__version__, 'batch': run('batch'), 'single': run('single')}))
`;
import { numberArg as arg } from './util';

function pytorch(din: number): { version: string; batch: Rate; single: Rate } | string {
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  let why = '';
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', PYTORCH, String(din), String(BATCH_ROWS), String(SINGLE_ROWS)], { encoding: 'utf8', env });
    if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop()!);
    why = (r.stderr || String(r.error)).trim().split('\n').pop() ?? '';
  }
  return `no PyTorch baseline (${why}): apt-get install python3-torch libopenblas0-pthread`;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');

async function tfjsRates(din: number): Promise<Record<Mode, Rate> | string> {
  try {
    require.resolve('@tensorflow/tfjs-backend-wasm');
  } catch {
    return '@tensorflow/tfjs-backend-wasm not installed';
  }
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--tfjs-child', String(din), '--batch-rows', String(BATCH_ROWS), '--single-rows', String(SINGLE_ROWS)], {
    env: { ...process.env, SPREADVEC_BACKEND: 'wasm' },
    encoding: 'utf8',
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return r.status === 0 && line.startsWith('{') ? JSON.parse(line) : `failed: ${r.stderr.trim().split('\n').pop()}`;
}

async function tfjsChild(din: number): Promise<void> {
  const c = await Catalyzer.fromStateDict(randomStateDict(din), {}, { workers: 1 });
  const x = inputs(BATCH_ROWS, din);
  await c.encode(x.subarray(0, 1024 * din));
  const out = { batch: await measureCatalyzer(c, din, 'batch', x), single: await measureCatalyzer(c, din, 'single', x) };
  await c.close();
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--tfjs-child');
  if (child > 0) return tfjsChild(Number(process.argv[child + 1]));
  console.log(`catalyzer encode, native (default encoder) vs PyTorch CPU, 1 thread each, ${ROUNDS} alternating rounds`);
  console.log(`batch: ${BATCH_ROWS} rows (native: one encode call; PyTorch: batches of 1024); single: ${SINGLE_ROWS} calls of one row`);
  for (const din of SHAPES) {
    const c = await Catalyzer.fromStateDict(randomStateDict(din), {}, { workers: 1 });
    if (c.backend !== 'native') throw new Error(`expected the native encoder, got ${c.backend} (unset SPREADVEC_BACKEND)`);
    const x = inputs(BATCH_ROWS, din);
    await c.encode(x.subarray(0, 1024 * din)); // warm-up: packing, thread pool
    const native: Record<Mode, Rate[]> = { batch: [], single: [] };
    const torch: Record<Mode, Rate[]> = { batch: [], single: [] };
    let version = '';
    let missing = '';
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['batch', 'single'] as Mode[]) native[mode].push(await measureCatalyzer(c, din, mode, x));
      const t = pytorch(din);
      if (typeof t === 'string') missing = t;
      else {
        version = t.version;
        torch.batch.push(t.batch);
        torch.single.push(t.single);
      }
    }
    await c.close();
    console.log(`\n${din}→${DINT}→${DINT}→${DOUT} (${((2 * (din * DINT + DINT * DINT + DINT * DOUT)) / 1e6).toFixed(2)} MFLOP per vector)`);
    for (const mode of ['batch', 'single'] as Mode[]) {
      const n = median(native[mode].map((r) => r.vecPerCpuSec));
      const nw = median(native[mode].map((r) => r.vecPerSec));
      let line = `  ${mode.padEnd(6)} native ${fmt(n)} vec/CPU-s (${fmt(nw)} vec/s wall)`;
      if (torch[mode].length) {
        const p = median(torch[mode].map((r) => r.vecPerCpuSec));
        const pw = median(torch[mode].map((r) => r.vecPerSec));
        const ratios = native[mode].map((r, i) => r.vecPerCpuSec / torch[mode][i].vecPerCpuSec);
        line += ` | PyTorch ${version} ${fmt(p)} vec/CPU-s (${fmt(pw)} wall) | native/PyTorch per CPU-second: median ×${median(ratios).toFixed(2)}, rounds ${ratios.map((v) => v.toFixed(2)).join(' ')}`;
      }
      console.log(line);
    }
    if (missing) console.log(`  ${missing}`);
    if (process.argv.includes('--tfjs')) {
      const t = await tfjsRates(din);
      if (typeof t === 'string') console.log(`  tfjs wasm: ${t}`);
      else for (const mode of ['batch', 'single'] as Mode[]) console.log(`  ${mode.padEnd(6)} tfjs wasm (1 thread) ${fmt(t[mode].vecPerCpuSec)} vec/CPU-s (${fmt(t[mode].vecPerSec)} wall)`);
    }
  }
  console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')}: per-CPU-second ratios from the same rounds resist a shared machine; wall-clock rates do not`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
