/**
 * One meaning of `threads` in every binding (ThreadsArg, native/napi_args.h): absent,
 * undefined or 0 = the default; 1 to 1024 = that many; anything else is a RangeError
 * "threads must be an integer in [0, 1024]" naming the function. Before, 0 was refused
 * by the scan, PQ and forward bindings, and knnL2 / forwardEval took any count ≥ 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addon } from '../../src/kernels/addon';

const raw = addon();
const D = 24;
const R2 = 10;
const x = new Float32Array(4 * D).map((_, i) => Math.sin(i + 1));
const codes = raw.znQuantizeEncode(D, R2, x, 1);
const pqBooks = new Float32Array(256 * D).map((_, i) => Math.cos(i));
const layers = [{ din: D, dout: 3, w: new Float32Array(D * 3).fill(0.1), b: new Float32Array(3), relu: false }];
const mlp = new raw.NativeMlp(layers);
const trainer = new raw.MlpTrainer(D, 4, 3);

/** Each binding with its threads argument in last place, sync or async. */
const CALLS: Record<string, (t: unknown) => unknown> = {
  znQuantizeEncode: (t) => raw.znQuantizeEncode(D, R2, x, t as number),
  znQuantizeEncodeAsync: (t) => raw.znQuantizeEncodeAsync(D, R2, x, t as number),
  znDecode: (t) => raw.znDecode(D, R2, codes, 'float32', t as number),
  decodeScanSync: (t) => raw.decodeScanSync(codes, 4, null, D, R2, x, 2, t as number),
  decodeScan: (t) => raw.decodeScan(codes, 4, null, D, R2, x, 2, t as number),
  knnSearchSync: (t) => raw.knnSearchSync(x, x, D, 2, 'l2', t as number),
  knnL2: (t) => raw.knnL2(x, x, D, 2, t as number),
  kmeansAssign: (t) => raw.kmeansAssign(x, D, x.subarray(0, 2 * D), t as number),
  pqEncodeSync: (t) => raw.pqEncodeSync(x, D, 1, pqBooks, t as number),
  pqComputeLuts: (t) => raw.pqComputeLuts(x, D, 1, pqBooks, t as number),
  'NativeMlp.runSync': (t) => mlp.runSync(x, t as number),
  forwardEvalSync: (t) => trainer.forwardEvalSync(x, t as number),
};

test('threads: 0, undefined and 1..1024 are accepted by every binding, with the same answer', async () => {
  for (const [name, call] of Object.entries(CALLS)) {
    const one = await call(1);
    for (const t of [0, undefined, 2, 1024]) assert.deepEqual(await call(t), one, `${name} threads=${t}`);
  }
});

test('threads: a negative, fractional, too large or non-number count is the same error everywhere', () => {
  for (const [name, call] of Object.entries(CALLS)) {
    for (const t of [-1, 1.5, 1025, 'two']) {
      const check = (e: Error) => e instanceof (typeof t === 'string' ? TypeError : RangeError) && /threads must be an integer/.test(e.message);
      assert.throws(() => call(t), check, `${name} threads=${String(t)}`);
      if (typeof t !== 'string') assert.throws(() => call(t), /threads must be an integer in \[0, 1024\]/, `${name} threads=${t}`);
    }
  }
});
