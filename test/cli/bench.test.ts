import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '../..');

test('spreadvec bench says, in one line, that the benchmark runs from a source checkout (bench/pq.ts)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'bench', '--n', '10'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'spreadvec: bench is not part of the installed command; from a source checkout run: npx tsx bench/pq.ts [options]\n');
});
