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

/** test/helpers/index-reader.ts in another process: each `ask` runs a search there and returns its report. */
function startReader<R>(dir: string, ...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'index-reader.ts'), dir, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error('reader exited early');
    return r.value;
  };
  const ask = async (): Promise<R> => {
    child.stdin.write('search\n');
    return JSON.parse(await next()) as R;
  };
  const exit = async (): Promise<void> => {
    child.stdin.write('exit\n');
    await new Promise((r) => child.on('exit', r));
  };
  return { next, ask, exit };
}

test('a reader in another process sees each committed batch whole while the writer keeps adding', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-readers-')), 'idx');
  const writer = await Index.create(dir, { catalyzer: new TestEncoder(DIN, 12, 4), quantizer: 'zn_20', loadCatalyzer: loadTestEncoder });
  await writer.add(randomRows(BATCH, DIN, 1));

  const { next, ask, exit } = startReader<{ size: number; live: number }>(dir);
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
    await exit();
    await writer.close();
  }
});

test('a reader in another process reloads whole after a compaction, even once the slots have grown back past what it held', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-readers-')), 'idx');
  const writer = await Index.create(dir, { catalyzer: new TestEncoder(DIN, 12, 4), quantizer: 'zn_20', loadCatalyzer: loadTestEncoder, compactAt: false });
  for (let b = 1; b <= 3; b++) await writer.add(randomRows(BATCH, DIN, b));
  // Half the slots die: the first batch is removed, half the second is replaced.
  await writer.remove(Array.from({ length: BATCH }, (_, i) => i));
  await writer.add(randomRows(BATCH / 2, DIN, 9), Array.from({ length: BATCH / 2 }, (_, i) => BATCH + 2 * i));

  const { next, ask, exit } = startReader<{ size: number; live: number; top: string[] }>(dir, 'top');
  const q = randomRows(1, DIN, 77); // the reader's query
  const writerSees = async () => {
    const { ids } = await writer.search(q, 100000);
    return { size: writer.size, live: ids.filter((id) => id >= 0n).length, top: [...ids.subarray(0, 10)].map(String) };
  };
  try {
    assert.equal(await next(), 'ready');
    const before = await ask();
    assert.deepEqual(before, await writerSees());
    assert.equal(await writer.compact(), 1.5 * BATCH);
    // Same vectors, moved slots: the reader's answers are unchanged.
    assert.deepEqual(await ask(), before);
    // Slots grow past the 3.5 batches the reader held before the compaction: reading
    // only the slots past those would miss codes and misplace the rest.
    for (let b = 4; b <= 6; b++) await writer.add(randomRows(BATCH, DIN, b));
    const now = await ask();
    assert.deepEqual(now, await writerSees());
    assert.equal(now.size, 5 * BATCH);
    assert.equal(now.live, 5 * BATCH);
  } finally {
    await exit();
    await writer.close();
  }
});
