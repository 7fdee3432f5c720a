/**
 * Exact k-NN throughput: the native blocked-GEMM kernel against the TypeScript
 * reference (baseline) on the same slice of sift-debian-small, in one process.
 *   npx tsx bench/knn.ts [nq] [nb] [k]
 */
import * as path from 'node:path';
import { readBvecs, toFloat32 } from '../src/data/vecs';
import { knnReference } from '../src/knn/knn-reference';
import { knnNative } from '../src/knn/knn-native';
import { activeIsa, addon } from '../src/kernels/addon';

async function main() {
  const [nq = 1000, nb = 329945, k = 100] = process.argv.slice(2).map(Number);
  const dir = path.join(__dirname, '../../shared/data/sift-debian-small');
  const base = toFloat32(readBvecs(path.join(dir, 'bigann_base.bvecs'), { count: nb }).data);
  const queries = toFloat32(readBvecs(path.join(dir, 'bigann_query.bvecs'), { count: nq }).data);
  const dim = 128, rows = base.length / dim, gflop = (2 * nq * rows * dim) / 1e9;
  console.log(`isa=${activeIsa()} nq=${nq} nb=${rows} d=${dim} k=${k} (${gflop.toFixed(1)} GFLOP of products)`);

  // Baseline: the TS reference on a subset of the queries (it is slow), scaled.
  const nqRef = Math.max(1, Math.min(nq, 20));
  let t = performance.now();
  const ref = knnReference(queries.subarray(0, nqRef * dim), base, dim, k);
  const refPerQuery = (performance.now() - t) / 1000 / nqRef;
  console.log(`reference (TS): ${(1 / refPerQuery).toFixed(1)} queries/s (${nqRef} queries)`);

  for (const threads of [1, 2]) {
    await knnNative(queries.subarray(0, 8 * dim), base.subarray(0, 4096 * dim), dim, k, { threads }); // warm-up
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const got = await knnNative(queries, base, dim, k, { threads });
    const s = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    let same = 0;
    for (let i = 0; i < nqRef * k; i++) same += got.indices[i] === ref.indices[i] ? 1 : 0;
    console.log(
      `native, ${threads} thread(s): ${(nq / s).toFixed(1)} queries/s, ${(gflop / s).toFixed(1)} GFLOP/s, ` +
        `${(refPerQuery * nq / s).toFixed(1)}× the reference; ${(gflop / cpuS).toFixed(1)} GFLOP per CPU-second; ` +
        `${((100 * same) / (nqRef * k)).toFixed(2)}% ids identical`,
    );
  }
  // The training module's own L2 top-k (src/kernels/mlp-native.ts), when present.
  if (typeof addon().knnL2 === 'function') {
    t = performance.now();
    const cpu0 = process.cpuUsage();
    await addon().knnL2(queries, base, dim, k, 2);
    const s = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    console.log(
      `mlp knnL2, 2 threads: ${(nq / s).toFixed(1)} queries/s, ${(gflop / s).toFixed(1)} GFLOP/s, ` +
        `${(gflop / cpuS).toFixed(1)} GFLOP per CPU-second`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
