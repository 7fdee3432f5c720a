import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';
import { killWriterMidBatch } from '../helpers/kill-child';

const DIN = 10;
const DOUT = 16;
const BATCH = 20000;

test('a writer killed (SIGKILL) in the middle of a large add leaves exactly its committed batches', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-crash-')), 'idx');
  const created = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT, 7), quantizer: 'zn_30', loadCatalyzer: loadTestEncoder });
  await created.close();

  const reported = await killWriterMidBatch('crash-writer', [dir, String(BATCH), '1000']);

  const index = await Index.open(dir, { loadCatalyzer: loadTestEncoder });
  // The child may have committed one batch more than it got to report before dying,
  // but never a part of one.
  assert.equal(index.size % BATCH, 0, `size ${index.size} is not a whole number of batches`);
  const held = index.size / BATCH;
  assert.ok(held === reported || held === reported + 1, `holds ${held} batches, ${reported} reported`);
  // Each held batch is there with its ids (auto ids are batch × BATCH + row).
  for (let b = 0; b < held; b++) {
    const rows = randomRows(BATCH, DIN, 1000 + b);
    const pick = [0, BATCH - 1].map((i) => rows.subarray(i * DIN, (i + 1) * DIN));
    const q = new Float32Array(2 * DIN);
    pick.forEach((r, i) => q.set(r, i * DIN));
    const { ids, distances } = await index.search(q, 3);
    [0, BATCH - 1].forEach((row, i) => {
      const own = BigInt(b * BATCH + row);
      const at = [...ids.subarray(i * 3, i * 3 + 3)].indexOf(own);
      assert.ok(at >= 0 && distances[i * 3 + at] === distances[i * 3], `batch ${b} row ${row} is not found at its own distance`);
    });
  }
  // The state is consistent: auto ids continue right after the held batches.
  const next = await index.add(randomRows(2, DIN, 5));
  assert.deepEqual([...next], [BigInt(held * BATCH), BigInt(held * BATCH + 1)]);
  await index.close();
});
