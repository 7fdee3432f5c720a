// With progress bars on (the CLI), training's neighbour searches run in chunks of
// queries; the result must be the same as in one call (bars off).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRAIN_DEFAULTS, trainOnSplit, type TrainOptions } from '../../src/train/trainer';
import { lcgCentered } from '../helpers/random';

test('training with progress bars (chunked neighbour searches) equals training without', async () => {
  const d = 8, nt = 9000, nb = 200, nq = 20; // nt > the 8192-row chunk
  const rnd = lcgCentered(11);
  const base = Float32Array.from({ length: nb * d }, rnd);
  const queries = Float32Array.from({ length: nq * d }, rnd);
  const train = Float32Array.from({ length: nt * d }, rnd);
  const gt = new Int32Array(nq);
  const split = { dim: d, train, base, queries, gt, gtK: 1 };
  const opts: TrainOptions = { ...TRAIN_DEFAULTS, database: 'synthetic', dint: 16, dout: 24, epochs: 1, batchSize: 256, rankNegative: 10, seed: 3 };
  const plain = await trainOnSplit(split, opts, { log: () => {} });
  const barred = await trainOnSplit(split, opts, { log: () => {}, progress: true });
  const strip = (l: (typeof plain.logs)[number]) => ({ ...l, times: undefined });
  assert.deepEqual(barred.logs.map(strip), plain.logs.map(strip));
  for (const k of Object.keys(plain.state)) assert.deepEqual(barred.state[k].data, plain.state[k].data, k);
});
