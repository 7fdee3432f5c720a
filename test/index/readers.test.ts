import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { Index } from '../../src/index/vector-index';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 8;
const BATCH = 2000;

test('a reader in another process sees each committed batch whole while the writer keeps adding', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-readers-')), 'idx');
  const writer = await Index.create(dir, { catalyzer: new TestEncoder(DIN, 12, 4), quantizer: 'zn_20', loadCatalyzer: loadTestEncoder });
  await writer.add(randomRows(BATCH, DIN, 1));

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'index-reader.ts'), dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('reader exited early');
    return r.value;
  };
  const ask = async () => {
    child.stdin.write('search\n');
    return JSON.parse(await next()) as { size: number; live: number };
  };
  try {
    assert.equal(await next(), 'ready');
    assert.deepEqual(await ask(), { size: BATCH, live: BATCH });

    // The reader searches while the writer commits batch after batch: every state it
    // sees is a whole number of batches, never going back.
    let seen = BATCH;
    const observe = (async () => {
      for (let i = 0; i < 12; i++) {
        const { size, live } = await ask();
        assert.equal(size % BATCH, 0, `reader saw ${size} vectors: part of a batch`);
        assert.equal(live, size);
        assert.ok(size >= seen, 'the reader went back in time');
        seen = size;
      }
    })();
    for (let b = 2; b <= 6; b++) await writer.add(randomRows(BATCH, DIN, b));
    await observe;
    // After the writer's last commit, the next search sees all of it, removals included.
    assert.equal(await writer.remove([0, 1, 2]), 3);
    assert.deepEqual(await ask(), { size: 6 * BATCH - 3, live: 6 * BATCH - 3 });
  } finally {
    child.stdin.write('exit\n');
    await new Promise((r) => child.on('exit', r));
    await writer.close();
  }
});
