import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.join(__dirname, '../..');
const SIFT = path.join(root, '../shared/data/sift-debian-small');
const CKPT = path.join(root, '../shared/fixtures/catalyzer/catalyzer_zip.pth');
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'eval', ...args], { cwd: root });
const LINE = /^(\S+)\t nbit=([ \d]{3,}):  (\d\.\d{4}) (\d\.\d{4}) (\d\.\d{4}) $/;

test('spreadvec eval prints one eval.py line per quantizer', { skip: !fs.existsSync(SIFT) || !fs.existsSync(CKPT) }, async () => {
  const slice = ['--database', 'sift-debian-small', '--size_base', '3000', '--num_queries', '40'];
  const raw = await cli('--ckpt', 'none', '--quantizer', 'none', ...slice);
  assert.deepEqual(raw.stdout.split('\n').filter(Boolean), ['none\t nbit=4096:  1.0000 1.0000 1.0000 ']);

  // A catalyzer checkpoint (din 128 → dout 24): zn_79 codes in 64 bits.
  const net = await cli('--ckpt', CKPT, '--quantizer', 'zn_79,binary', ...slice);
  const lines = net.stdout.split('\n').filter(Boolean);
  assert.equal(lines[0], 'Loading net');
  const parsed = lines.slice(1).map((l) => LINE.exec(l));
  assert.deepEqual(parsed.map((m) => m && [m[1], m[2].trim()]), [['zn_79', '64'], ['binary', '24']]);
  for (const m of parsed) {
    const [r1, r10, r100] = m!.slice(3).map(Number);
    assert.ok(r1 <= r10 && r10 <= r100 && r100 > 0, m![0]);
  }

  await assert.rejects(cli('--ckpt', 'missing.pth', '--quantizer', 'none', ...slice), /--ckpt missing\.pth: no such file/);
});
