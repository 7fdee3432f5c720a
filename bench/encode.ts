/**
 * Catalyzer encoding throughput: 100k random SIFT-like vectors (integers 0..255)
 * through a din=128, dint=1024, dout=24 catalyzer with random weights, for each
 * TensorFlow.js backend that loads and 1 or 2 workers. Baseline in the same run:
 * PyTorch CPU (the paper's forward pass) when `python3 -c 'import torch'` works.
 *
 *   npx tsx bench/encode.ts [--n 100000]
 *
 * Each backend runs in a child process (a thread loads one tfjs backend once).
 * `native` (opt-in, not TensorFlow.js) runs the same layers through the addon's sgemm.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { Catalyzer } from '../src/catalyzer/catalyzer';
import type { TorchTensor } from '../src/catalyzer/tensor';

const DIN = 128;
const DINT = 1024;
const DOUT = 24;
const argN = process.argv.indexOf('--n');
const N = argN > 0 ? Number(process.argv[argN + 1]) : 100_000;

/** Deterministic pseudo-random numbers (xorshift32) so every process builds the same net. */
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

function randomStateDict(): Record<string, TorchTensor> {
  const r = rng(42);
  const f = (n: number, scale: number, offset = 0) => Float32Array.from({ length: n }, () => offset + (r() * 2 - 1) * scale);
  const sd: Record<string, TorchTensor> = {};
  const dims = [DIN, DINT, DINT, DOUT];
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

function siftLike(n: number): Uint8Array {
  const r = rng(7);
  // SIFT components are mostly small with a long tail: square a uniform draw
  return Uint8Array.from({ length: n * DIN }, () => Math.floor(r() * r() * 256));
}

async function child(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  const x = siftLike(N);
  for (const workers of [1, 2]) {
    const c = await Catalyzer.fromStateDict(randomStateDict(), {}, { workers });
    await c.encode(x.subarray(0, 8192 * DIN)); // warm-up: tfjs init, weights upload, worker start
    const t0 = performance.now();
    const cpu0 = process.cpuUsage(); // whole process: main and worker threads
    await c.encode(x);
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    results.push({ backend: c.backend, workers, vecPerSec: N / s, vecPerCpuSec: N / ((cpu.user + cpu.system) / 1e6) });
    await c.close();
  }
  if (results[0]?.backend === 'wasm') results.push(...(await matMulGflops()));
  process.stdout.write(JSON.stringify(results) + '\n');
}

/** Plain and transposed wasm matMul at the catalyzer's biggest layer (1024×1024). */
async function matMulGflops(): Promise<Record<string, unknown>[]> {
  const { getBackend } = await import('../src/catalyzer/backend');
  const tf = (await getBackend()).tf!;
  const out: Record<string, unknown>[] = [];
  const [m, k, n] = [1024, 1024, 1024];
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  for (const transposeB of [false, true]) {
    const reps = transposeB ? 1 : 5;
    tf.matMul(a, b, false, transposeB).dispose();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) {
      const c = tf.matMul(a, b, false, transposeB);
      c.dataSync();
      c.dispose();
    }
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const flop = 2 * m * k * n * reps;
    out.push({ matMul: transposeB ? 'transposeB' : 'plain', shape: `${m}x${k}x${n}`, gflops: flop / s / 1e9, gflopsPerCpuSec: flop / ((cpu.user + cpu.system) / 1e6) / 1e9 });
  }
  return out;
}

const PYTORCH = `
import sys, time, json, torch, numpy as np
din, dint, dout, n = ${DIN}, ${DINT}, ${DOUT}, int(sys.argv[1])
net = torch.nn.Sequential(torch.nn.Linear(din, dint), torch.nn.BatchNorm1d(dint), torch.nn.ReLU(),
    torch.nn.Linear(dint, dint), torch.nn.BatchNorm1d(dint), torch.nn.ReLU(), torch.nn.Linear(dint, dout)).eval()
x = torch.from_numpy(np.random.RandomState(7).randint(0, 256, size=(n, din)).astype('float32'))
res = []
for threads, bs in ((1, 1024), (2, 65536)):
    torch.set_num_threads(threads)
    with torch.no_grad():
        net(x[:bs])
        t0, c0 = time.time(), time.process_time()
        for i in range(0, n, bs):
            torch.nn.functional.normalize(net(x[i:i + bs]), dim=-1)
        res.append({'backend': 'pytorch %s' % torch.__version__, 'threads': threads, 'batch': bs,
                    'vecPerSec': n / (time.time() - t0), 'vecPerCpuSec': n / (time.process_time() - c0)})
print(json.dumps(res))
`;

function pytorchBaseline(): Record<string, number | string>[] | string {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', PYTORCH, String(N)], { encoding: 'utf8' });
    if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop()!);
  }
  return 'python3 with torch not found: no PyTorch baseline in this run';
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) return child();
  console.log(`encode ${N} SIFT-like vectors, catalyzer ${DIN}→${DINT}→${DINT}→${DOUT}`);
  const rows: Record<string, unknown>[] = [];
  for (const backend of ['gpu', 'node', 'wasm', 'native']) {
    const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', '--n', String(N)], {
      env: { ...process.env, SPREADVEC_BACKEND: backend },
      encoding: 'utf8',
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('[')) {
      const why = (r.stderr.match(/backend \S+ cannot be used: [^\n]*/) ?? [r.stderr.trim().split('\n').pop()])[0];
      console.log(`  ${backend}: unavailable (${why})`);
      continue;
    }
    rows.push(...JSON.parse(line));
  }
  const torch = pytorchBaseline();
  const best = typeof torch === 'string' ? 22_900 : Math.max(...torch.map((t) => t.vecPerSec as number));
  if (typeof torch === 'string') console.log(`  ${torch}; using the issue's reference 22,900 vec/s (PyTorch 1.13, 1 thread, batch 1024)`);
  else {
    for (const t of torch) {
      console.log(`  ${t.backend} threads=${t.threads} batch=${t.batch}: ${Math.round(t.vecPerSec as number)} vec/s, ${Math.round(t.vecPerCpuSec as number)} vec per CPU-second`);
    }
  }
  const torch1 = typeof torch === 'string' ? undefined : (torch.find((t) => t.threads === 1)?.vecPerCpuSec as number | undefined);
  for (const r of rows) {
    if ('vecPerSec' in r) {
      const v = r.vecPerSec as number;
      const c = r.vecPerCpuSec as number;
      const perCpu = torch1 ? `; per CPU-second ${(c / torch1).toFixed(2)}× PyTorch 1 thread` : '';
      console.log(`  ${r.backend === 'native' ? 'native (addon sgemm)' : `tfjs ${r.backend}`} workers=${r.workers}: ${Math.round(v)} vec/s, ${Math.round(c)} vec per CPU-second  (wall ${(v / best).toFixed(2)}× PyTorch best ${Math.round(best)}${perCpu})`);
    } else {
      console.log(`  wasm matMul ${r.matMul} ${r.shape}: ${(r.gflops as number).toFixed(1)} GFLOP/s wall, ${(r.gflopsPerCpuSec as number).toFixed(1)} GFLOP per CPU-second`);
    }
  }
  const flopPerVec = 2 * (DIN * DINT + DINT * DINT + DINT * DOUT);
  console.log(`  (${(flopPerVec / 1e6).toFixed(2)} MFLOP per vector; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores:`);
  console.log('   wall-clock rates are only comparable between runs on a quiet machine; per-CPU-second rates resist sharing)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
