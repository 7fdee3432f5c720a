// The command line's conventions and the traps of issue 9 §2/§4 and issue 14
// (CLI parts), each on a tiny synthetic npy dataset written here: one option
// style printed, both accepted; strict numbers; checks before any data is
// loaded; a default checkpoint folder; errors one line on stderr, exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeNpy } from '../../src/data/npy';
import { readStateDictCheckpoint } from '../../src/pth/checkpoint';
import { dimsOfState } from '../../src/train/state';
import { normalizeArgv, parseInteger, parseNumber } from '../../src/cli/options';
import { lcgCentered } from '../helpers/random';

const root = path.join(__dirname, '../..');
// tsx by absolute URL: the CLI also runs from other working directories.
const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-cli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// 600 learn, 300 base, 20 queries of dimension 8, Gaussian-ish; no gt.npy (computed).
const dim = 8;
const rnd = lcgCentered(7);
const rows = (n: number) => Float32Array.from({ length: n * dim }, rnd);
const data = path.join(tmp, 'tiny');
fs.mkdirSync(data);
writeNpy(path.join(data, 'learn.npy'), { shape: [600, dim], data: rows(600) });
writeNpy(path.join(data, 'base.npy'), { shape: [300, dim], data: rows(300) });
writeNpy(path.join(data, 'query.npy'), { shape: [20, dim], data: rows(20) });

interface Run { status: number | null; stdout: string; stderr: string }
function cli(args: string[], cwd = root, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, path.join(root, 'src/cli/main.ts'), ...args], {
      cwd, env: { ...process.env, SPREADVEC_DATASETS: path.join(tmp, 'no-registry.json'), ...env },
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A failure as the conventions want it: exit 1, one line on stderr, no stack trace. */
function assertOneLineError(r: Run, pattern: RegExp): void {
  assert.equal(r.status, 1, `exit status (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^spreadvec: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(lines[0], pattern);
}

const tinyTrain = ['--database', data, '--num_learn', '300', '--size_base', '100', '--query_size', '50', '--dint', '16', '--batch_size', '32', '--rank_negative', '20'];
const guard = { timeout: 60_000 };

test('option spellings: --size-base and --size_base both work, --help prints one style', () => {
  assert.deepEqual(normalizeArgv(['node', 'x', 'eval', '--size-base', '10', '--num-queries=5', '--no_faiss', 'a-b', '--', '--keep-me']),
    ['node', 'x', 'eval', '--size_base', '10', '--num_queries=5', '--no-faiss', 'a-b', '--', '--keep-me']);
});

test('strict numbers: decimal only, ranges named', () => {
  assert.equal(parseInteger('epochs', '16'), 16);
  assert.throws(() => parseInteger('epochs', '0x10'), /--epochs must be a decimal integer, got '0x10'/);
  assert.throws(() => parseInteger('epochs', '1e1'), /decimal integer/);
  assert.throws(() => parseInteger('epochs', '0'), /--epochs must be an integer ≥ 1, got '0'/);
  assert.equal(parseNumber('lambda_uniform', '1e-3', { min: 0 }), 0.001);
  assert.throws(() => parseNumber('lambda_uniform', '-1', { min: 0 }), /--lambda_uniform must be a number ≥ 0, got '-1'/);
  assert.throws(() => parseNumber('x', 'Infinity'), /decimal number/);
  assert.throws(() => parseNumber('x', '0x1p3'), /decimal number/);
});

test('spreadvec --version and eval with dash-style options on a dataset folder', guard, async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const v = await cli(['--version']);
  assert.equal(v.status, 0);
  assert.equal(v.stdout.trim(), pkg.version);

  const r = await cli(['eval', '--ckpt', 'none', '--database', data, '--quantizer', 'none,pq_8', '--size-base', '200', '--num-queries', '10', '--train-size', '300']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^none\t nbit=256:  1\.0000 1\.0000 1\.0000 \npq_8\t nbit=  8:/);
  assert.match(r.stderr, /nb=200 nq=10 d=8, quantizers trained on 300 learn vectors/);

  const help = await cli(['eval', '--help']);
  assert.match(help.stdout, /--size_base <n>/);
  assert.match(help.stdout, /--train_size <n>.*10000/s);
  assert.doesNotMatch(help.stdout, /--size-base|--train-size/);
  const trainHelp = await cli(['train', '--help']);
  assert.match(trainHelp.stdout, /--dout <n>\s+output dimension \(default 24/);
  assert.match(trainHelp.stdout, /--checkpoint_dir <dir>.*\(default: "\.\/checkpoint"\)/s);
});

test('quantizer typos are refused before any data is loaded', guard, async () => {
  // A dataset that does not exist: the quantizer must be refused first.
  for (const typo of ['zn-79', 'opq64']) {
    const r = await cli(['eval', '--ckpt', 'none', '--database', path.join(tmp, 'absent'), '--quantizer', `zn_79,${typo}`]);
    assertOneLineError(r, new RegExp(`unknown quantizer '${typo}' \\(known: none, binary, zn_<r2>, pq_<bits>, opq_<bits>\\)`));
  }
  // Valid syntax, impossible at the data's dimension (8): also before loading.
  const r = await cli(['eval', '--ckpt', 'none', '--database', data, '--quantizer', 'pq_24']);
  assertOneLineError(r, /quantizer pq_24 at dimension 8: .*not a multiple of M = 3/);
  assert.doesNotMatch(r.stderr, /loaded in/);
  const zn = await cli(['eval', '--ckpt', 'pca-24', '--database', data, '--quantizer', 'zn_1000']);
  assertOneLineError(zn, /quantizer zn_1000 at dimension 24: .*more than 65536 atoms/);
});

test('train: strict numbers (--epochs 0x10, --lambda_uniform -1) refused', guard, async () => {
  assertOneLineError(await cli(['train', ...tinyTrain, '--epochs', '0x10']), /--epochs must be a decimal integer, got '0x10'/);
  assertOneLineError(await cli(['train', ...tinyTrain, '--lambda_uniform', '-1']), /--lambda_uniform must be a number ≥ 0, got '-1'/);
  assertOneLineError(await cli(['train', ...tinyTrain, '--lr_schedule', '0.1,0x1']), /--lr_schedule must be a decimal number, got '0x1'/);
});

test('train: a criterion or validation quantizer invalid at this dout is refused before loading, listing valid names', guard, async () => {
  const crit = await cli(['train', ...tinyTrain, '--save_best_criterion', 'zn_80,rank=10'], tmp);
  assertOneLineError(crit, /--save_best_criterion 'zn_80,rank=10' names no validation quantizer at dout 24 \(valid: zn_3,rank=1 zn_3,rank=10 zn_3,rank=100 zn_10,rank=1 .* zn_79,rank=100\)/);
  assert.doesNotMatch(crit.stdout, /load dataset/);
  const vq = await cli(['train', ...tinyTrain, '--validation_quantizers', 'zn_3,zn-79'], tmp);
  assertOneLineError(vq, /--validation_quantizers: unknown quantizer 'zn-79' .*valid at dout 24: .*zn_<r2>.*e\.g\. zn_3, zn_10, zn_79/);
  assert.doesNotMatch(vq.stdout, /load dataset/);
  assert.ok(!fs.existsSync(path.join(tmp, 'checkpoint')), 'no checkpoint folder made for a refused run');
});

test('train: epochs < val_freq still validates and writes; default ./checkpoint; dout 24 by default', guard, async () => {
  const cwd = fs.mkdtempSync(path.join(tmp, 'run-'));
  const r = await cli(['train', ...tinyTrain, '--epochs', '1'], cwd);
  assert.equal(r.status, 0, r.stderr);
  const dir = path.join(fs.realpathSync(cwd), 'checkpoint');
  assert.match(r.stdout, new RegExp(`checkpoints go to ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/checkpoint\\.pth`));
  assert.match(r.stdout, /Validation at epoch 0/);
  const file = path.join(dir, 'checkpoint.pth');
  assert.ok(fs.existsSync(file), 'checkpoint.pth written at the last epoch');
  const ckpt = readStateDictCheckpoint(fs.readFileSync(file));
  assert.equal(dimsOfState(ckpt.state_dict as never).dout, 24);
  const logs = ckpt.logs as { val?: Record<string, number[]> }[];
  assert.deepEqual(Object.keys(logs[0].val ?? {}), ['zn_3', 'zn_10', 'zn_79']);
});

test('train --checkpoint_dir under /proc fails clearly (no endless mkdir)', { ...guard, skip: !fs.existsSync('/proc/self') }, async () => {
  const r = await cli(['train', ...tinyTrain, '--epochs', '1', '--checkpoint_dir', '/proc/spreadvec-no/such'], tmp);
  assertOneLineError(r, /--checkpoint_dir \/proc\/spreadvec-no\/such: cannot create \/proc\/spreadvec-no \(ENOENT\)/);
});

test('zn refuses sizes it cannot count, in one line', guard, async () => {
  assertOneLineError(await cli(['zn', '--dim', '100000', '--r2', '5']), /dim=100000 exceeds 4096/);
  assertOneLineError(await cli(['zn', '--dim', '100000', '--r2', '1']), /dim=100000 exceeds 4096/);
  assertOneLineError(await cli(['zn', '--dim', '24', '--r2', '0x4f']), /--dim|--r2 must be a decimal integer, got '0x4f'/);
  assertOneLineError(await cli(['zn', '--bogus']), /unknown option '--bogus'/);
});
