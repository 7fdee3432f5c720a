/**
 * Every asynchronous native call survives its caller detaching (transferring) the
 * input and output buffers while it runs, or, for buffers in a SharedArrayBuffer,
 * overwriting them: each case runs in a child process (test/helpers/detach-child.cjs),
 * where a crash (SIGSEGV/SIGBUS) fails the test and a result or a clean error passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'helpers', 'detach-child.cjs');
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

for (const mode of ['detached', 'shared'] as const) {
  test(`async native calls with their buffers ${mode === 'detached' ? 'detached' : 'overwritten (SharedArrayBuffer)'} meanwhile do not crash`, () => {
    for (const name of CASES) {
      const r = spawnSync(process.execPath, ['--expose-gc', CHILD, name, mode], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.signal, null, `${name} (${mode}): the process died of ${r.signal}\n${r.stderr}`);
      assert.equal(r.status, 0, `${name} (${mode}): exit ${r.status}\n${r.stderr}`);
      assert.match(r.stdout.trim(), /^(resolved|rejected: \S.*)$/, `${name} (${mode}): ${r.stdout}`);
    }
  });
}
