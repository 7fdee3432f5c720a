import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Catalyzer } from '../../src/catalyzer/catalyzer';
import { decodeScanReference } from '../reference/scan';
import { ZnCodec } from '../../src/lattice/zn-codec';
import { Index } from '../../src/index/vector-index';
import { randomRows } from '../helpers/test-encoder';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'catalyzer', 'catalyzer_zip.pth');

test('an index built from a .pth catalyzer is self-contained: a moved copy reopens with the same answers', async (t) => {
  if (!fs.existsSync(FIXTURE)) return t.skip(`fixture ${FIXTURE} not present`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-cat-'));
  const dir = path.join(root, 'idx');
  const index = await Index.create(dir, { catalyzer: FIXTURE, quantizer: 'zn_79' });
  assert.equal(index.dim, 128);
  const x = randomRows(500, 128, 41).map((v) => (v + 1) * 60); // SIFT-like non-negative values
  await index.add(x);
  const q = randomRows(6, 128, 42).map((v) => (v + 1) * 60);
  const got = await index.search(q, 5);
  await index.close();

  // Expected: the catalyzer's outputs, the TS codec, the TS scan.
  const cat = await Catalyzer.load(FIXTURE);
  const codes = new ZnCodec(24, 79).quantizeEncodeBatch(await cat.encode(x));
  const want = decodeScanReference({ codes, n: 500, removed: null, dim: 24, r2: 79, queries: await cat.encode(q), k: 5 });
  await cat.close();
  for (let i = 0; i < got.distances.length; i++) assert.ok(Math.abs(got.distances[i] - want.distances[i]) <= 1e-5, `place ${i}`);
  const agree = [...got.ids].filter((id, i) => id === BigInt(want.slots[i])).length;
  assert.ok(agree >= got.ids.length - 2, `ids agree at ${agree} of ${got.ids.length} places`);

  const moved = path.join(root, 'moved');
  fs.renameSync(dir, moved);
  const again = await Index.open(moved);
  assert.equal(again.size, 500);
  assert.deepEqual(await again.search(q, 5), got);
  await again.close();
});
