import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '../..');
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('spreadvec zn --dim 48 --r2 30 prints nv, nbit and natom', () => {
  const r = cli('zn', '--dim', '48', '--r2', '30');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'nv=311097167722066085728512 nbit=79 natom=27\n');
});

test('spreadvec zn --dims --bits prints the radius table', () => {
  const r = cli('zn', '--dims', '24,32,40', '--bits', '16,32,64');
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  assert.deepEqual(rows, [
    ['d', '16bit', '32bit', '64bit'],
    ['24', '3', '10', '79'],
    ['32', '3', '8', '36'],
    ['40', '2', '7', '24'],
  ]);
});

test('spreadvec zn reports bad options and empty spheres', () => {
  const empty = cli('zn', '--dim', '1', '--r2', '2');
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /r2=2 gives an empty sphere at dim=1/);
  const bad = cli('zn', '--dim', 'x', '--r2', '3');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--dim must be a decimal integer, got 'x'/);
});
