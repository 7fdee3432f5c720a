/**
 * Every asynchronous native call survives its caller detaching (transferring) the
 * input and output buffers while it runs, or, for buffers in a SharedArrayBuffer,
 * overwriting them: each case runs in a child process (test/helpers/detach-child.cjs),
 * where a crash (SIGSEGV/SIGBUS) fails the test and a result or a clean error passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const CHILD = path.join(__dirname, '..', 'helpers', 'detach-child.cjs');
const CASES = [
  'decodeScan',
  'znQuantizeEncodeAsync',
  'znDecodeAsync',
  'knnSearch',
  'knnL2',
  'trainBatches',
  'forwardEval',
  'kmeansTrain',
  'pqEncode',
  'pqAdcSearch',
  'pqMatmul',
];

/** Runs one case in a child; resolves with how it ended. */
async function runCase(name: string, mode: string): Promise<{ signal: string | null; code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--expose-gc', CHILD, name, mode], { encoding: 'utf8', timeout: 60_000 });
    return { signal: null, code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { signal?: string | null; code?: number; stdout?: string; stderr?: string };
    return { signal: err.signal ?? null, code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

for (const mode of ['detached', 'shared'] as const) {
  test(`async native calls with their buffers ${mode === 'detached' ? 'detached' : 'overwritten (SharedArrayBuffer)'} meanwhile do not crash`, async () => {
    // Two children at a time (each kernel runs on one thread).
    const results = new Map<string, Awaited<ReturnType<typeof runCase>>>();
    const queue = [...CASES];
    await Promise.all(
      [0, 1].map(async () => {
        for (let name = queue.shift(); name; name = queue.shift()) results.set(name, await runCase(name, mode));
      }),
    );
    for (const name of CASES) {
      const r = results.get(name)!;
      assert.equal(r.signal, null, `${name} (${mode}): the process died of ${r.signal}\n${r.stderr}`);
      assert.equal(r.code, 0, `${name} (${mode}): exit ${r.code}\n${r.stderr}`);
      assert.match(r.stdout.trim(), /^(resolved|rejected: \S.*)$/, `${name} (${mode}): ${r.stdout}`);
    }
  });
}
