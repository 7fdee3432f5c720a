/**
 * Damaged index files must never crash the process: each case runs in a child
 * (test/helpers/store-probe.ts); a signal (SIGSEGV, SIGBUS, SIGABRT) or a hang fails
 * the test, an IndexFormatError with a code passes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { DATA_FILE, LOCK_FILE } from '../../storage/layout';
import { TestEncoder, loadTestEncoder, randomRows, rng } from '../helpers/test-encoder';

const PROBE = path.join(__dirname, '..', 'helpers', 'store-probe.ts');
const PAGE = 4096;

interface ProbeResult {
  signal: NodeJS.Signals | null;
  status: number | null;
  out: { ok?: boolean; error?: { name: string; code?: string; message: string }; at?: string } | null;
  stderr: string;
}

/**
 * Probes `dirs` in one child, in turn. A crash fails the test naming the directory
 * being probed; the others' results are returned.
 */
function runProbes(dirs: string[], uid?: number): Promise<Map<string, ProbeResult>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROBE, 'probe', ...dirs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60000,
      ...(uid !== undefined ? { uid, gid: uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status, signal) => {
      const results = new Map<string, ProbeResult>();
      for (const line of stdout.trim().split('\n').filter((l) => l !== '')) {
        const o = JSON.parse(line) as { dir: string; start?: boolean } & NonNullable<ProbeResult['out']>;
        // A started directory without a result is the one the child died on.
        results.set(o.dir, o.start ? { signal, status, out: null, stderr } : { signal: null, status: 0, out: o, stderr });
      }
      for (const dir of dirs) if (!results.has(dir)) results.set(dir, { signal, status, out: null, stderr });
      resolve(results);
    });
  });
}

async function runProbe(dir: string, uid?: number): Promise<ProbeResult> {
  return (await runProbes([dir], uid)).get(dir) as ProbeResult;
}

/** The probe did not crash and reported an error with `code` (matching `message` if given). */
function assertRefused(r: ProbeResult, code: string | RegExp, message?: RegExp, label = ''): void {
  assert.equal(r.signal, null, `${label}: the child died of ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, `${label}: the child exited with ${r.status}: ${r.stderr}`);
  assert.ok(r.out?.error, `${label}: no error reported: ${JSON.stringify(r.out)}`);
  assert.equal(r.out.error.name, 'IndexFormatError', JSON.stringify(r.out));
  assert.match(r.out.error.code ?? '', code instanceof RegExp ? code : new RegExp(`^${code}$`), JSON.stringify(r.out));
  if (message) assert.match(r.out.error.message, message);
  assert.doesNotMatch(r.out.error.message, /\n/, 'one-line message');
}

let pristine: string | undefined;
/** A closed index (40 vectors) that each case copies and damages. */
async function pristineIndex(): Promise<string> {
  if (!pristine) {
    pristine = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-damage-')), 'pristine');
    const index = await Index.create(pristine, { catalyzer: new TestEncoder(10, 12, 3), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
    await index.add(randomRows(40, 10, 1));
    await index.close();
  }
  return pristine;
}

async function damaged(name: string, damage: (file: string, bytes: Buffer) => void): Promise<string> {
  const src = await pristineIndex();
  const dir = path.join(path.dirname(src), name);
  fs.mkdirSync(dir);
  const bytes = fs.readFileSync(path.join(src, DATA_FILE));
  const file = path.join(dir, DATA_FILE);
  fs.writeFileSync(file, bytes);
  damage(file, bytes);
  return dir;
}

test('the pristine index passes the probe (open, search, add, verify)', async () => {
  const dir = await damaged('intact', () => undefined);
  const r = await runProbe(dir);
  assert.equal(r.signal, null);
  assert.equal(r.out?.ok, true, `${JSON.stringify(r.out)} ${r.stderr}`);
});

test('a truncated index.mdb (28 bytes to one page short) is refused as corrupt, never a crash', async () => {
  const size = fs.statSync(path.join(await pristineIndex(), DATA_FILE)).size;
  const dirs: string[] = [];
  for (const keep of [28, 100, PAGE, PAGE + 100, 2 * PAGE, Math.floor(size / 2), size - PAGE]) {
    dirs.push(await damaged(`truncated-${keep}`, (file) => fs.truncateSync(file, keep)));
  }
  for (const [dir, r] of await runProbes(dirs)) assertRefused(r, 'ECORRUPT', /corrupt index .*truncated|past the end of the file/, dir);
});

test('garbled LMDB meta pages are refused as corrupt', async () => {
  const r = rng(11);
  const cases: [string, (b: Buffer) => void][] = [
    ['meta0-garbage', (b) => { for (let i = 32; i < 168; i++) b[i] = Math.floor(r() * 256); }],
    ['meta1-garbage', (b) => { for (let i = PAGE + 32; i < PAGE + 168; i++) b[i] = Math.floor(r() * 256); }],
    ['meta1-magic', (b) => b.writeUInt32LE(0x12345678, PAGE + 24)],
    ['meta-version', (b) => b.writeUInt32LE(7, 28)],
    ['meta-pagesize', (b) => { b.writeUInt32LE(1000, 48); b.writeUInt32LE(1000, PAGE + 48); }],
    ['meta-txnid', (b) => { b.writeBigUInt64LE(1n << 40n, 152); }],
    ['meta-lastpage', (b) => { b.writeBigUInt64LE(1n << 40n, 144); b.writeBigUInt64LE(1n << 40n, PAGE + 144); }],
    ['meta-mapsize', (b) => { for (const base of [0, PAGE]) b.writeBigUInt64LE(1n << 60n, base + 40); }],
    ['meta-root', (b) => { for (const base of [0, PAGE]) b.writeBigUInt64LE(1n, base + 136); }],
  ];
  const dirs: string[] = [];
  for (const [name, garble] of cases) {
    dirs.push(
      await damaged(name, (file, bytes) => {
        const b = Buffer.from(bytes);
        garble(b);
        fs.writeFileSync(file, b);
      }),
    );
  }
  for (const [dir, r] of await runProbes(dirs)) assertRefused(r, 'ECORRUPT', undefined, dir);
});

test('random bytes carrying the LMDB magic number are refused, never a crash', async () => {
  const dirs: string[] = [];
  for (const seed of [1, 2, 3, 4]) {
    const dir = await damaged(`random-${seed}`, (file) => {
      const r = rng(seed);
      const b = Buffer.alloc(16 * PAGE);
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
      b.writeUInt32LE(0xbeefc0de, 24);
      // Half of them also look like meta pages (flag P_META, version 2, 4 KiB pages).
      if (seed % 2 === 0) {
        for (const base of [0, PAGE]) {
          b.writeBigUInt64LE(BigInt(base / PAGE), base);
          b.writeUInt16LE(0x08, base + 18);
          b.writeUInt32LE(0xbeefc0de, base + 24);
          b.writeUInt32LE(2, base + 28);
          b.writeUInt32LE(PAGE, base + 48);
        }
      }
      fs.writeFileSync(file, b);
    });
    dirs.push(dir);
  }
  for (const [dir, r] of await runProbes(dirs)) assertRefused(r, 'ECORRUPT', undefined, dir);
});

test('every page of the file zeroed or garbled in turn: refused or harmless, never a crash', async () => {
  const pages = fs.statSync(path.join(await pristineIndex(), DATA_FILE)).size / PAGE;
  const dirs: string[] = [];
  for (let p = 0; p < pages; p++) {
    const dir = await damaged(`page-${p}`, (file, bytes) => {
      const b = Buffer.from(bytes);
      const r = rng(100 + p);
      // Keep the page header's first bytes so that LMDB would trust the page.
      for (let i = p * PAGE + 20; i < (p + 1) * PAGE; i++) b[i] = p % 2 ? Math.floor(r() * 256) : 0;
      fs.writeFileSync(file, b);
    });
    dirs.push(dir);
  }
  for (const [dir, res] of await runProbes(dirs)) {
    assert.equal(res.signal, null, `${dir}: the child died of ${res.signal}`);
    assert.ok(res.out?.ok || res.out?.error?.code, `${dir}: ${JSON.stringify(res.out)} ${res.stderr}`);
  }
});

test('a lock path that is a directory, a data file that is a directory or a FIFO: clear errors, no hang', async () => {
  const lockDir = await damaged('lock-dir', (file) => fs.mkdirSync(file + '-lock'));
  assertRefused(await runProbe(lockDir), 'ECORRUPT', new RegExp(`lock file .*${LOCK_FILE} is a directory`));
  const dataDir = path.join(path.dirname(await pristineIndex()), 'data-dir');
  fs.mkdirSync(path.join(dataDir, DATA_FILE), { recursive: true });
  assertRefused(await runProbe(dataDir), 'ENOTINDEX', /index\.mdb is a directory, not a regular file/);
  const fifoDir = path.join(path.dirname(await pristineIndex()), 'fifo');
  fs.mkdirSync(fifoDir);
  try {
    execFileSync('mkfifo', [path.join(fifoDir, DATA_FILE)]);
  } catch {
    return; // no mkfifo here
  }
  assertRefused(await runProbe(fifoDir), 'ENOTINDEX', /index\.mdb is a FIFO, not a regular file/);
});

test('permission problems are reported as such, naming the path (not "not a spreadvec index")', async (t) => {
  const root = process.getuid?.() === 0;
  const fileDenied = await damaged('no-access-file', () => undefined);
  const dirDenied = await damaged('no-access-dir', () => undefined);
  const file = path.join(fileDenied, DATA_FILE);
  let uid: number | undefined;
  if (root) {
    // Root ignores permissions: probe as "nobody", with the directories root's own.
    uid = 65534;
    fs.chmodSync(path.dirname(fileDenied), 0o755);
    fs.chmodSync(fileDenied, 0o755);
    fs.chmodSync(file, 0o600);
    fs.chmodSync(dirDenied, 0o700);
  } else {
    fs.chmodSync(file, 0o000);
    fs.chmodSync(dirDenied, 0o000);
  }
  const results = await runProbes([fileDenied, dirDenied], uid);
  const first = results.get(fileDenied) as ProbeResult;
  if (first.out === null && root && /EACCES|permission/i.test(first.stderr)) {
    t.skip('the unprivileged user cannot run node from this checkout');
    return;
  }
  const quote = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assertRefused(first, 'EACCES', new RegExp(`^permission denied while opening for writing ${quote(file)}$`));
  assertRefused(results.get(dirDenied) as ProbeResult, 'EACCES', new RegExp(`^permission denied while opening ${quote(dirDenied)}$`));
  fs.chmodSync(dirDenied, 0o755);
});
