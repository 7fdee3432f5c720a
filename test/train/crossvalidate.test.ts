import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossValidate } from '../../src/train/crossvalidate';
import { TRAIN_DEFAULTS } from '../../src/train/trainer';

test('crossvalidate trains one catalyzer per lambda on a pool and picks the best validation score', async () => {
  const lines: string[] = [];
  const res = await crossValidate(
    {
      ...TRAIN_DEFAULTS, database: 'sift-debian-small', sizeBase: 1000, querySize: 100, numLearn: 1500,
      dint: 64, dout: 24, epochs: 1, valFreq: 1, lambdas: [0.002, 0.05], workers: 2, validationQuantizers: 'zn_79',
    },
    { log: (l) => lines.push(l) },
  );
  assert.deepEqual(res.scores.map((s) => s.lambda), [0.002, 0.05]);
  const best = res.scores.reduce((a, b) => (b.score > a.score ? b : a));
  assert.equal(res.bestLambda, best.lambda);
  for (const s of res.scores) assert.ok(s.score > 0 && s.score <= 1);
  assert.equal(res.test.length, 1);
  assert.equal(res.test[0].quantizer, 'zn_79');
  assert.ok(res.test[0].r100 >= res.test[0].r10 && res.test[0].r10 >= res.test[0].r1);
  assert.ok(lines.includes(`best lambda = ${res.bestLambda}`));
  // Each worker's log carries its λ.
  assert.ok(lines.some((l) => l.startsWith('[lambda 0.05] epoch 0, times:')));
});
