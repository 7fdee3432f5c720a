/**
 * Bounded work and strict classes for hostile checkpoints (issue 14): memo
 * expansion ("billion laughs"), deep nesting, cycles, copies by reconstructors,
 * INST/OBJ/NEWOBJ of arbitrary classes, zip CRCs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, writeCheckpoint, CheckpointError } from '../../src/pth/checkpoint';
import { unpickle, MAX_DEPTH } from '../../src/pth/pickle';
import { Index } from '../../src/index/vector-index';

const enc = (s: string) => [...Buffer.from(s, 'latin1')];
const legacy = new Uint8Array(readFileSync(join(__dirname, '../../../shared/fixtures/catalyzer/catalyzer_legacy.pth')));

/** A legacy torch.save stream whose main pickle is `{'logs': <body>}` and that has no storages. */
function legacyCheckpoint(body: number[]): Uint8Array {
  const header = legacy.subarray(0, 137); // magic, protocol version, sys info of a real file
  const main = [0x80, 2, 0x7d, 0x58, 4, 0, 0, 0, ...enc('logs'), ...body, 0x73, 0x2e]; // {} 'logs' body SETITEM STOP
  return Uint8Array.from([...header, ...main, 0x80, 2, 0x5d, 0x2e]); // storage keys: []
}
const refuses = (bytes: Uint8Array, reason: RegExp) =>
  assert.throws(() => readCheckpoint(bytes), (e: unknown) => e instanceof CheckpointError && reason.test(e.reason));

test('billion laughs: lists that reference one memoized list many times are refused', () => {
  // L0 = [1]*10; L(k+1) = [Lk]*10, memoized at k: nine levels expand to 10^9 leaves in ~250 bytes
  const body: number[] = [0x5d, 0x71, 0, 0x28, ...Array(10).fill([0x4b, 1]).flat(), 0x65, 0x30];
  for (let k = 1; k < 9; k++) body.push(0x5d, 0x71, k, 0x28, ...Array(10).fill([0x68, k - 1]).flat(), 0x65, ...(k < 8 ? [0x30] : []));
  const bomb = legacyCheckpoint(body);
  assert.ok(bomb.length < 600);
  refuses(bomb, /value too large/);
  // the same shape, small enough, reads (and keeps the shared references shared)
  const ok: number[] = [0x5d, 0x71, 0, 0x28, 0x4b, 1, 0x4b, 2, 0x65, 0x30, 0x5d, 0x28, 0x68, 0, 0x68, 0, 0x65];
  const logs = (readCheckpoint(legacyCheckpoint(ok)) as { logs: number[][] }).logs;
  assert.deepEqual(logs, [[1, 2], [1, 2]]);
  assert.equal(logs[0], logs[1]);
});

test('logs nested 1e5 deep are refused (no stack overflow later)', () => {
  const n = 100_000;
  const body = [...Array(n).fill(0x5d), ...Array(n - 1).fill(0x61)]; // EMPTY_LIST × n, APPEND × (n-1)
  refuses(legacyCheckpoint(body), new RegExp(`nested deeper than ${MAX_DEPTH} levels`));
  // MAX_DEPTH - 1 levels inside {'logs': ...} still read, and write back
  const d = MAX_DEPTH - 1;
  const fine = readCheckpoint(legacyCheckpoint([...Array(d).fill(0x5d), ...Array(d - 1).fill(0x61)])) as { logs: unknown[] };
  const w = writeCheckpoint({ state_dict: {}, logs: fine.logs as never });
  assert.ok(w.length > 0);
});

test('a list that contains itself is refused', () => {
  refuses(legacyCheckpoint([0x5d, 0x71, 0, 0x68, 0, 0x61]), /cyclic/); // L = []; L.append(L)
});

test('a reconstructor that copies one memoized list again and again is refused (copy budget)', () => {
  // L = [1]*5000 (memo 0); set(L) 5000 times, each result popped: 2.5e7 copies from ~45 KB
  const body: number[] = [0x5d, 0x71, 0, 0x28, ...Array(5000).fill([0x4b, 1]).flat(), 0x65, ...enc('c__builtin__\nset\n'), 0x71, 1];
  for (let i = 0; i < 5000; i++) body.push(0x68, 1, 0x68, 0, 0x85, 0x52, 0x30);
  body.push(0x30); // pop the global: 'logs' gets L
  refuses(legacyCheckpoint(body), /copies more data than its size justifies/);
});

test('INST, OBJ, NEWOBJ and copyreg._reconstructor of a class outside the record allow-list are refused', () => {
  const cases: [string, number[]][] = [
    ['INST os.system', [0x28, 0x58, 2, 0, 0, 0, ...enc('id'), 0x69, ...enc('os\nsystem\n')]],
    ['OBJ os.system', [0x28, ...enc('cos\nsystem\n'), 0x58, 2, 0, 0, 0, ...enc('id'), 0x6f]],
    ['NEWOBJ subprocess.Popen', [...enc('csubprocess\nPopen\n'), 0x29, 0x81]],
    ['NEWOBJ_EX os.system', [...enc('cos\nsystem\n'), 0x29, 0x7d, 0x92]],
    ['copyreg._reconstructor os.system', [...enc('ccopy_reg\n_reconstructor\n'), 0x28, ...enc('cos\nsystem\ncbuiltins\nobject\n'), 0x4e, 0x74, 0x52]],
  ];
  for (const [what, body] of cases) {
    const cls = what.split(' ')[1].replace(/[.]/g, '\\.');
    assert.throws(
      () => readCheckpoint(legacyCheckpoint(body)),
      (e: unknown) => e instanceof CheckpointError && new RegExp(`refusing to instantiate ${cls}`).test(e.reason),
      what,
    );
  }
  // argparse.Namespace (what the trainer stores) still reads, by NEWOBJ and by protocol 0–1's reconstructor
  const ns = unpickle(Uint8Array.from([0x80, 2, ...enc('cargparse\nNamespace\n'), 0x29, 0x81, 0x7d, 0x58, 1, 0, 0, 0, 0x61, 0x4b, 5, 0x73, 0x62, 0x2e])).value;
  assert.deepEqual({ ...(ns as object) }, { a: 5 });
});

test('a flipped byte in a stored weight is a CheckpointError naming the zip entry (CRC-32)', () => {
  const file = new Uint8Array(readFileSync(join(__dirname, '../fixtures/pth/paper_zip.pth')));
  assert.doesNotThrow(() => readCheckpoint(file));
  const b = file.slice();
  b[40_000] ^= 0x40; // inside checkpoint/data/0 (the first layer's weights: bytes 3325 + header … 68860)
  refuses(b, /zip entry checkpoint\/data\/0 is corrupt \(CRC-32 [0-9a-f]{8}, expected [0-9a-f]{8}\)/);
});

test('Index.create with a small checkpoint whose logs expand to 10^9 values refuses it, fast', async () => {
  // evil_billion_laughs.pth: 6.7 KB written by torch.save, a valid catalyzer (8 → 8 → 8 → 24)
  const file = join(__dirname, '../fixtures/pth/evil_billion_laughs.pth');
  const root = mkdtempSync(join(tmpdir(), 'spreadvec-bomb-'));
  try {
    await assert.rejects(
      Index.create(join(root, 'idx'), { catalyzer: file, quantizer: 'zn_79' }),
      (e: unknown) => e instanceof CheckpointError && /value too large/.test(e.reason),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
