import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open } from 'lmdb';

import { Index } from '../../src/index/vector-index';
import { IndexFormatError } from '../../storage/errors';
import { crc32 } from 'node:zlib';

import { DATA_FILE, DB, META_KEY, recordChecksum, modelFields, seal, unseal } from '../../storage/layout';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 10;
const DOUT = 12;
const opts = { loadCatalyzer: loadTestEncoder };

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-format-'));
}

async function built(n = 40): Promise<string> {
  const dir = path.join(tmp(), 'idx');
  const index = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT, 3), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await index.add(randomRows(n, DIN, 1));
  await index.close();
  return dir;
}

/** Runs `fn` on the raw LMDB databases of a closed index. */
async function patch(dir: string, fn: (dbs: Record<string, ReturnType<ReturnType<typeof open>['openDB']>>) => void): Promise<void> {
  const env = open({ path: path.join(dir, DATA_FILE), noSubdir: true, maxDbs: 16 });
  const dbs = {
    meta: env.openDB({ name: DB.meta }),
    blobs: env.openDB({ name: DB.blobs, encoding: 'binary' }),
    codes: env.openDB({ name: DB.codes, encoding: 'binary', keyEncoding: 'uint32' }),
    slots: env.openDB({ name: DB.slots, encoding: 'binary', keyEncoding: 'uint32' }),
  };
  env.transactionSync(() => fn(dbs));
  await env.close();
}

async function rejectsWith(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IndexFormatError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

/** A copy of a committed index fixture (test/fixtures/index-v<version>) in a fresh directory. */
function fixtureCopy(version: number): string {
  const dir = path.join(tmp(), `v${version}`);
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(__dirname, '..', 'fixtures', `index-v${version}`, DATA_FILE), path.join(dir, DATA_FILE));
  return dir;
}

test('format-1 (no checksums) and format-2 indexes open, answer like a format-3 one, take writes, verify, and keep their format', async () => {
  const v1 = fixtureCopy(1);
  const v2 = fixtureCopy(2);
  const v3 = await built(40);
  const q = randomRows(5, DIN, 9);
  const indexes = [await Index.open(v1, opts), await Index.open(v2, opts), await Index.open(v3, opts)];
  const first = await indexes[2].search(q, 6);
  for (const index of indexes) {
    assert.equal(index.trained, true);
    assert.equal(index.metric, 'l2');
    assert.deepEqual(await index.search(q, 6), first);
  }
  for (const index of indexes) {
    await index.add(randomRows(3, DIN, 5), [1, 50, 51]);
    assert.equal(await index.remove([2, 3]), 2);
  }
  const after = await indexes[2].search(q, 6);
  for (const index of indexes) assert.deepEqual(await index.search(q, 6), after);
  const reports = await Promise.all(indexes.map((index) => index.verify()));
  assert.deepEqual(reports.map((r) => [r.formatVersion, r.checksums, r.live, r.slots, r.removed]), [
    [1, false, 40, 43, 3],
    [2, true, 40, 43, 3],
    [3, true, 40, 43, 3],
  ]);
  // The old formats keep no vectors: get, refine and train say so.
  await assert.rejects(indexes[1].get([1]), /storeVectors: false/);
  await assert.rejects(indexes[1].train(), /storeVectors: false|format 2/);
  // They compact in their own layout too.
  for (const index of indexes) assert.equal(await index.compact(), 3);
  for (const index of indexes) assert.deepEqual(await index.search(q, 6), after);
  for (const index of indexes) await index.close();
});

test('a flipped code chunk, id or catalyzer byte is caught when read (ECORRUPT), not used', async () => {
  const cases: [string, (d: Record<string, ReturnType<ReturnType<typeof open>['openDB']>>) => void, RegExp][] = [
    ['codes', (d) => { const v = Buffer.from(d.codes.get(0) as Buffer); v[5] ^= 1; d.codes.putSync(0, v); }, /codes chunk 0 fails its checksum/],
    ['slots', (d) => { const v = Buffer.from(d.slots.get(4) as Buffer); v[0] ^= 2; d.slots.putSync(4, v); }, /the id of slot 4 fails its checksum/],
    ['catalyzer', (d) => { const v = Buffer.from(d.blobs.get('catalyzer') as Buffer); v[3] ^= 4; d.blobs.putSync('catalyzer', v); }, /catalyzer checkpoint fails its checksum/],
  ];
  for (const [name, damage, message] of cases) {
    const dir = await built();
    await patch(dir, damage);
    if (name === 'slots') {
      // Found at the search that returns slot 4, and by verify.
      const index = await Index.open(dir, opts);
      await rejectsWith(index.verify(), 'ECORRUPT', message);
      await rejectsWith(index.search(randomRows(40, DIN, 1), 40), 'ECORRUPT', message);
      await index.close();
    } else {
      await rejectsWith(Index.open(dir, opts), 'ECORRUPT', message);
    }
  }
});

test('a model record whose code size does not match its quantizer is refused, even with a valid checksum', async () => {
  const dir = await built();
  await patch(dir, (d) => {
    const c = d.meta.get(META_KEY.model) as Record<string, unknown>;
    const bad: Record<string, unknown> = { ...c, nbit: 16, codeBytes: 2 };
    bad.crc = recordChecksum(modelFields(bad as never));
    d.meta.putSync(META_KEY.model, bad);
  });
  await rejectsWith(Index.open(dir, opts), 'ECORRUPT', /zn_8 at dimension 12 has \d+-bit codes of 3 bytes, the record says 16 bits in 2 bytes/);
  // A forged but checksummed chunk of the wrong size is refused too.
  const dir2 = await built();
  await patch(dir2, (d) => d.codes.putSync(0, seal(Buffer.from([0, 0, 0, 0]), Buffer.alloc(7))));
  await rejectsWith(Index.open(dir2, opts), 'ECORRUPT', /codes chunk 0 holds 7 bytes, expected 40 codes of 3 bytes/);
});

test('spreadvec verify: one summary line and exit 0; one line and exit 1 on damage', async () => {
  const dir = await built();
  const cli = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
  const ok = spawnSync(process.execPath, ['--import', 'tsx', cli, 'verify', dir], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^ok: .*: format 3, 40 live vectors in 40 slots \(0 removed\), 1 code chunks, 0 bitmap chunks/);
  await patch(dir, (d) => { const v = Buffer.from(d.slots.get(9) as Buffer); v[1] ^= 1; d.slots.putSync(9, v); });
  const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'verify', dir], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^spreadvec: corrupt index .*: the id of slot 9 fails its checksum\n$/);
});

test('a create killed (SIGKILL) midway leaves nothing that blocks opening or creating again', async () => {
  const root = tmp();
  for (let trial = 0; trial < 4; trial++) {
    const dir = path.join(root, `idx-${trial}`);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'crash-creator.ts'), dir, String(24 << 20)], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Kill as soon as an LMDB file exists anywhere under root for this trial: the
    // create is then between opening its environment and committing.
    const killed = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        const names = fs.readdirSync(root).filter((n) => n.includes(`idx-${trial}`));
        if (names.some((n) => fs.existsSync(path.join(root, n, DATA_FILE)))) {
          child.kill('SIGKILL');
          clearInterval(timer);
        }
      }, 1);
      child.on('exit', (_code, signal) => {
        clearInterval(timer);
        resolve(signal === 'SIGKILL');
      });
    });
    if (!killed) continue; // it finished first: nothing to check
    // The index is either absent (ENOTINDEX) or whole; creating again works.
    try {
      const index = await Index.open(dir, opts);
      await index.close();
    } catch (e) {
      assert.ok(e instanceof IndexFormatError && e.code === 'ENOTINDEX', String(e));
      const index = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT, 3), quantizer: 'zn_8' });
      await index.add(randomRows(3, DIN, 1));
      await index.close();
      assert.equal((await (await Index.open(dir, opts)).verify()).live, 3);
    }
  }
  // A killed create's temporary sibling was removed by the create that followed it.
  assert.deepEqual(fs.readdirSync(root).filter((n) => n.startsWith('.')), []);
});

test('a full disk is reported as "no space left on device" (ENOSPC), and the index keeps its committed batches', async (t) => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    t.skip('needs root to mount a small tmpfs');
    return;
  }
  const mnt = tmp();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
  } catch {
    t.skip('cannot mount a tmpfs here');
    return;
  }
  try {
    const dir = path.join(mnt, 'idx');
    const index = await Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT, 3), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
    await index.add(randomRows(100, DIN, 1));
    let error: unknown;
    for (let b = 0; b < 50 && !error; b++) {
      try {
        await index.add(randomRows(20000, DIN, 2 + b));
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof IndexFormatError, `expected an IndexFormatError, got ${String(error)}`);
    assert.equal(error.code, 'ENOSPC');
    assert.match(error.message, /^no space left on device while writing .*index\.mdb$/);
    const size = index.size;
    await index.close();
    const again = await Index.open(dir, opts);
    assert.equal(again.size, size);
    await again.verify();
    await again.close();
  } finally {
    execFileSync('umount', [mnt]);
  }
});

test('sealed values carry zlib CRC-32 of key then payload, for short and long payloads', () => {
  for (const len of [0, 1, 4, 8, 12, 63, 64, 65, 4096]) {
    const key = Buffer.from([1, 2, 3, 4]);
    const payload = Buffer.from(randomRows(1, len, len).map((v) => Math.floor((v + 1) * 127)));
    const sealed = seal(key, payload);
    assert.equal(sealed.readUInt32LE(len), crc32(payload, crc32(key)), `length ${len}`);
    assert.deepEqual(unseal(key, sealed), payload);
    const flipped = Buffer.from(sealed);
    flipped[Math.floor(len / 2)] ^= 0x10;
    assert.equal(unseal(key, flipped), null);
    assert.equal(unseal(Buffer.from([1, 2, 3, 5]), sealed), null, 'another key');
  }
});
