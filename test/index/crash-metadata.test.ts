/**
 * A writer killed (SIGKILL) during adds with metadata: after reopening, each batch's
 * vectors and metadata are there together or not at all (one LMDB transaction).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { randomRows } from '../helpers/test-encoder';
import { killWriterMidBatch } from '../helpers/kill-child';

const DIN = 8;
const BATCH = 5000;

test('a writer killed during adds with metadata leaves whole batches: vectors and records together', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-crash-meta-')), 'idx');
  const created = await Index.create(dir, { dim: DIN, fields: { batch: 'number' } });
  await created.close();

  const reported = await killWriterMidBatch('crash-metadata-writer', [dir, String(BATCH), '1000']);

  const index = await Index.open(dir);
  try {
    assert.equal(index.size % BATCH, 0, `size ${index.size} is not a whole number of batches`);
    const held = index.size / BATCH;
    assert.ok(held === reported || held === reported + 1, `holds ${held} batches, ${reported} reported`);
    for (let b = 0; b < held; b++) {
      // Every vector of the batch has its record (auto ids are b × BATCH + row).
      const ids = Array.from({ length: BATCH }, (_, i) => BigInt(b * BATCH + i));
      const records = await index.getMetadata(ids);
      records.forEach((r, i) => assert.deepEqual(r, { batch: b, row: i }, `batch ${b} row ${i}`));
      // The field index holds the batch too: a filter finds its first row at distance 0.
      const q = randomRows(1, DIN, 2000 + b);
      const r = await index.search(q, 3, { where: { batch: b } });
      assert.equal(r.ids[0], BigInt(b * BATCH));
      for (const id of r.ids) assert.equal(id / BigInt(BATCH), BigInt(b));
    }
    // No record past the held batches: the index and the undeclared field agree.
    const rowZero = await index.search(randomRows(1, DIN, 1), held + 2, { where: { row: 0 } });
    assert.equal([...rowZero.ids].filter((id) => id >= 0n).length, held);
    assert.equal((await index.search(randomRows(1, DIN, 1), 1, { where: { batch: held } })).ids[0], -1n);
    await index.verify();
  } finally {
    await index.close();
  }
});
