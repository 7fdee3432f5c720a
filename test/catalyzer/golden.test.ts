import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalyzer } from '../../src/catalyzer/catalyzer';
import { CheckpointError, readStateDictCheckpoint } from '../../src/pth/checkpoint';
import { Index } from '../../src/index/vector-index';
import { readNpy } from '../../src/data/npy';

const FIX = join(__dirname, '../../../shared/fixtures/catalyzer');
const input = readNpy(join(FIX, 'golden_input.npy'));
const golden = readNpy(join(FIX, 'golden_output.npy'));
const opened: Catalyzer[] = [];
after(async () => {
  for (const c of opened) await c.close();
});

function maxAbsDiff(a: Float32Array, b: Float32Array, period = b.length): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i % period]));
  return m;
}

for (const file of ['catalyzer_zip.pth', 'catalyzer_legacy.pth']) {
  test(`${file}: loads, args read back, golden outputs to 1e-5`, async () => {
    const c = await Catalyzer.load(join(FIX, file), { workers: 1 });
    opened.push(c);
    assert.equal(c.din, 128);
    assert.equal(c.dout, 24);
    assert.equal(c.args.dint, 256);
    assert.equal(c.args.dout, 24);
    assert.equal(c.args.lambda_uniform, 0.02);
    assert.deepEqual(input.shape, [64, 128]);
    const y = await c.encode(input.data as Float32Array);
    assert.equal(y.length, 64 * 24);
    assert.ok(maxAbsDiff(y, golden.data as Float32Array) <= 1e-5, `max abs diff ${maxAbsDiff(y, golden.data as Float32Array)}`);
  });
}

test('a large batch split across two workers equals the golden outputs', async () => {
  const c = await Catalyzer.load(readFileSync(join(FIX, 'catalyzer_zip.pth')), { workers: 2 });
  opened.push(c);
  const reps = 80; // 5120 rows: above the pool threshold, several tasks
  const x = new Float32Array(reps * 64 * 128);
  for (let k = 0; k < reps; k++) x.set(input.data as Float32Array, k * 64 * 128);
  const y = await c.encode(x);
  assert.equal(y.length, reps * 64 * 24);
  assert.ok(maxAbsDiff(y, golden.data as Float32Array) <= 1e-5);
  // uint8 input (the golden inputs are integers 0..255, SIFT-like) gives the same result
  const yu = await c.encode(Uint8Array.from(x));
  assert.ok(maxAbsDiff(yu, golden.data as Float32Array) <= 1e-5);
});

test('toCheckpoint() bytes load back into an identical encoder', async () => {
  const c = await Catalyzer.load(join(FIX, 'catalyzer_legacy.pth'), { workers: 1 });
  opened.push(c);
  const c2 = await Catalyzer.load(c.toCheckpoint(), { workers: 1 });
  opened.push(c2);
  assert.deepEqual(c2.args, c.args);
  assert.deepEqual(await c2.encode(input.data as Float32Array), await c.encode(input.data as Float32Array));
});

test('bad encode input gets a clear error', async () => {
  const c = await Catalyzer.load(join(FIX, 'catalyzer_zip.pth'), { workers: 1 });
  opened.push(c);
  await assert.rejects(c.encode(new Float32Array(127)), /127 values, not a multiple of the input dimension din=128/);
  const x = new Float32Array(256);
  x[130] = NaN;
  await assert.rejects(c.encode(x), /NaN at row 1, column 2/);
  await assert.rejects(c.encode([1, 2] as never), /Float32Array or a Uint8Array/);
});

test('a state dict that is not a catalyzer is refused with a reason', async () => {
  const t = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  await assert.rejects(Catalyzer.fromStateDict({ '0.weight': t([4, 3]), '2.weight': t([5, 6]) }), (e: unknown) =>
    e instanceof CheckpointError && /takes 6 inputs but the previous layer gives 4/.test(e.reason),
  );
  await assert.rejects(Catalyzer.fromStateDict({ 'fc.weight': t([4, 3]) }), CheckpointError);
});

// ---- a catalyzer trained by the paper's own train.py (test/fixtures/pth/make_fixtures.py) ----

const PAPER = join(__dirname, '../fixtures/pth');
const paperInput = readNpy(join(PAPER, 'paper_golden_input.npy'));
const paperGolden = readNpy(join(PAPER, 'paper_golden_output.npy'));

for (const file of ['paper_zip.pth', 'paper_legacy.pth']) {
  test(`${file} (written by the paper's train.py, numpy scalars in its logs): loads, encodes like PyTorch to 1e-4`, async () => {
    const c = await Catalyzer.load(join(PAPER, file), { workers: 1 });
    opened.push(c);
    assert.equal(c.din, 128);
    assert.equal(c.dout, 24);
    assert.equal(c.args.dint, 128);
    assert.deepEqual(paperInput.shape, [64, 128]);
    const y = await c.encode(paperInput.data as Float32Array);
    const diff = maxAbsDiff(y, paperGolden.data as Float32Array);
    assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
    // toCheckpoint keeps the logs, with the recalls as plain floats
    const again = readStateDictCheckpoint(c.toCheckpoint());
    assert.deepEqual((again.logs![1].val as Record<string, number[]>).zn_79, [0.318, 0.6885, 0.932]);
  });
}

test('the paper-trained checkpoint builds an Index whose searches find the added vectors', async () => {
  const root = mkdtempSync(join(tmpdir(), 'spreadvec-paper-'));
  try {
    const index = await Index.create(join(root, 'idx'), { catalyzer: join(PAPER, 'paper_zip.pth'), quantizer: 'zn_79' });
    const x = paperInput.data as Float32Array;
    await index.add(x);
    assert.equal(index.size, 64);
    const res = await index.search(x, 1);
    // each SIFT query's nearest stored code is its own (64-bit zn_79 codes of distinct vectors)
    const self = [...res.ids].filter((id, i) => id === BigInt(i)).length;
    assert.ok(self >= 62, `${self} of 64 find themselves`);
    await index.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
