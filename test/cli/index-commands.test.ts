/**
 * `spreadvec build`, `search`, `stats` and `demo` as a user runs them: results on
 * stdout, one-line errors with exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { writeVecs } from '../../src/data/vecs';
import { writeNpy } from '../../src/data/npy';
import { lcgSigned } from '../helpers/random';

const root = path.join(__dirname, '../..');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
}

test('build from .fvecs and .npy, search (lines and --json), stats: the exact answers of the vectors given', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-cli-'));
  const dim = 6;
  const r = lcgSigned(11);
  const x = Float32Array.from({ length: 50 * dim }, () => r());
  writeVecs(path.join(tmp, 'base.fvecs'), x, dim);
  writeNpy(path.join(tmp, 'more.npy'), { shape: [10, dim], data: x.slice(0, 10 * dim) });
  writeVecs(path.join(tmp, 'q.fvecs'), x.slice(3 * dim, 5 * dim), dim);
  const dir = path.join(tmp, 'idx');
  const b = cli('build', dir, '--input', path.join(tmp, 'base.fvecs'), '--metric', 'cosine');
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /added 50 vectors .*; 50 live, untrained \(exact search\)/);
  const again = cli('build', dir, '--input', path.join(tmp, 'more.npy'));
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /added 10 vectors .*; 60 live/);
  // Queries are rows 3 and 4: each finds itself first (ids 3, 4) and its copy from more.npy (53, 54).
  const s = cli('search', dir, '--queries', path.join(tmp, 'q.fvecs'), '--k', '2', '--json');
  assert.equal(s.status, 0, s.stderr);
  const rows = s.stdout.trim().split('\n').map((l) => JSON.parse(l) as { query: number; ids: number[]; distances: number[] });
  assert.deepEqual(rows.map((row) => row.ids), [[3, 53], [4, 54]]);
  for (const row of rows) for (const d of row.distances) assert.ok(Math.abs(d) < 1e-6);
  const lines = cli('search', dir, '--queries', path.join(tmp, 'q.fvecs'), '--k', '1');
  assert.deepEqual(lines.stdout.trim().split('\n').map((l) => l.split('\t')[0]), ['3', '4']);
  const st = cli('stats', dir, '--json');
  assert.equal(st.status, 0, st.stderr);
  const stats = JSON.parse(st.stdout) as Record<string, unknown>;
  assert.deepEqual([stats.dim, stats.metric, stats.trained, stats.size, stats.storedVectors, stats.formatVersion], [dim, 'cosine', false, 60, 60, 3]);
  // Mistakes: one line on stderr, exit 1.
  const bad = cli('build', dir, '--input', path.join(tmp, 'more.npy'), '--metric', 'ip');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^spreadvec: .* is an index already: --metric, --dtype and --catalyzer apply to a new one\n$/);
  const wrong = cli('search', dir, '--queries', path.join(tmp, 'q.fvecs'), '--refine', '0');
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /--refine must be an integer ≥ 1, got '0'/);
  const ext = cli('build', path.join(tmp, 'x'), '--input', path.join(tmp, 'base.txt'));
  assert.equal(ext.status, 1);
  assert.match(ext.stderr, /vectors must be a \.fvecs, \.bvecs or \.npy file/);
});

test('demo builds, trains and reports recall, timing and memory on generated vectors', () => {
  const d = cli('demo', '--n', '3000', '--dim', '32', '--queries', '100', '--epochs', '2');
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /added 3000 vectors .* untrained, exact search; 128 B\/vector in memory/);
  assert.match(d.stdout, /trained on 3000 vectors: 2 epochs, 32 → 24, zn_79 \(64-bit codes\)/);
  const m = /codes ([\d.]+) \/ ([\d.]+) \/ ([\d.]+); refine 10: ([\d.]+) \/ ([\d.]+)/.exec(d.stdout);
  assert.ok(m, d.stdout);
  const [r1, r10, r100, f1] = m.slice(1).map(Number);
  assert.ok(r1 <= r10 && r10 <= r100 && f1 >= r1, d.stdout);
  assert.ok(r100 > 0.9, `codes 1-recall@100 ${r100}`);
  assert.match(d.stdout, /one query \(k 10\): p50 [\d.]+ ms/);
});
