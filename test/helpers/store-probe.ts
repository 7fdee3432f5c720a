/**
 * Child process of the store damage tests (test/storage/damage.test.ts,
 * test/storage/fuzz.test.ts): works on possibly damaged index directories so that a
 * crash (SIGSEGV, SIGBUS, abort) kills this process, not the test runner.
 *
 * `probe <dir>…`: for each directory, open, search, add, search, verify, close;
 *   prints `{ dir, start: true }` before and `{ dir, ok: true }` or
 *   `{ dir, error: { name, code, message }, at }` after each.
 * `fuzz <pristine dir> <flips file>`: the flips file is JSON `[[offset, xor], …]`; for
 *   each, copies the pristine `index.mdb` with that byte changed into a fresh
 *   directory, opens it, searches, and prints one JSON line per flip:
 *   `{ i, outcome: 'same' | 'detected' | 'wrong' | 'error', … }`: 'same' when the
 *   results equal the pristine index's, 'detected' for an IndexFormatError with a
 *   code, 'wrong' for different results, 'error' for any other error. It then adds
 *   and searches again (which must not crash either).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { IndexFormatError } from '../../storage/errors';
import { DATA_FILE } from '../../storage/layout';
import { loadTestEncoder, randomRows } from './test-encoder';

const K = 5;

function describe(e: unknown): { name: string; code?: string; message: string } {
  const err = e as Error & { code?: string };
  return { name: err?.name ?? typeof e, code: err?.code, message: String(err?.message ?? e) };
}

async function searchOnce(index: Index): Promise<string> {
  const r = await index.search(randomRows(4, index.dim, 4242), K);
  return JSON.stringify([[...r.ids].map(String), [...r.distances]]);
}

async function probe(dir: string): Promise<void> {
  process.stdout.write(JSON.stringify({ dir, start: true }) + '\n');
  let at = 'open';
  try {
    const index = await Index.open(dir, { loadCatalyzer: loadTestEncoder });
    try {
      at = 'search';
      await searchOnce(index);
      at = 'add';
      await index.add(randomRows(3, index.dim, 77));
      at = 'search after add';
      await searchOnce(index);
      at = 'verify';
      await index.verify();
    } finally {
      await index.close();
    }
    process.stdout.write(JSON.stringify({ dir, ok: true }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ dir, error: describe(e), at }) + '\n');
  }
}

async function fuzz(pristine: string, flipsFile: string): Promise<void> {
  const flips = JSON.parse(fs.readFileSync(flipsFile, 'utf8')) as [number, number][];
  const bytes = fs.readFileSync(path.join(pristine, DATA_FILE));
  const expected = await (async () => {
    const index = await Index.open(pristine, { readOnly: true, loadCatalyzer: loadTestEncoder });
    try {
      return await searchOnce(index);
    } finally {
      await index.close();
    }
  })();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-fuzz-child-'));
  for (let i = 0; i < flips.length; i++) {
    const [offset, xor] = flips[i];
    const dir = path.join(root, String(i));
    fs.mkdirSync(dir);
    const damaged = Buffer.from(bytes);
    damaged[offset] ^= xor;
    fs.writeFileSync(path.join(dir, DATA_FILE), damaged);
    // Announce the case first: if it crashes, the parent knows which one.
    process.stdout.write(JSON.stringify({ i, start: true }) + '\n');
    let line: Record<string, unknown>;
    let index: Index | undefined;
    try {
      index = await Index.open(dir, { loadCatalyzer: loadTestEncoder });
      const got = await searchOnce(index);
      line = got === expected ? { i, outcome: 'same' } : { i, outcome: 'wrong', got, expected };
      if (got === expected) {
        // A write over the damage must not crash either (an error is fine).
        try {
          await index.add(randomRows(2, index.dim, 7));
          await searchOnce(index);
        } catch (e) {
          if (!(e instanceof IndexFormatError)) line = { i, outcome: 'error', at: 'add', error: describe(e) };
        }
      }
    } catch (e) {
      line = e instanceof IndexFormatError && e.code ? { i, outcome: 'detected', code: e.code } : { i, outcome: 'error', error: describe(e) };
    } finally {
      await index?.close().catch(() => undefined);
    }
    process.stdout.write(JSON.stringify(line) + '\n');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.rmSync(root, { recursive: true, force: true });
}

async function probeAll(dirs: string[]): Promise<void> {
  for (const dir of dirs) await probe(dir);
}

const [mode, ...args] = process.argv.slice(2);
(mode === 'fuzz' ? fuzz(args[0], args[1]) : probeAll(args)).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(String((e as Error)?.stack ?? e));
    process.exit(2);
  },
);
