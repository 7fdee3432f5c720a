import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readCheckpoint, writeCheckpoint } from '../../src/pth/checkpoint';
import { DTYPES, type TorchDtype, type TorchTensor } from '../../src/pth/tensor';

const dtypes = Object.keys(DTYPES) as TorchDtype[];

function tensorOf(dtype: TorchDtype, shape: number[], seed: number): TorchTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new DTYPES[dtype].array(n) as TorchTensor['data'];
  for (let i = 0; i < n; i++) {
    const v = ((i + 1) * 2654435761 + seed) % 251;
    if (data instanceof BigInt64Array) data[i] = BigInt(v) * -12345678901n;
    else if (data instanceof Float32Array || data instanceof Float64Array) data[i] = (v - 125) / 7;
    else if (dtype === 'bool') data[i] = v & 1;
    else (data as Int32Array)[i] = v - (data instanceof Uint8Array || data instanceof Uint16Array ? 0 : 125);
  }
  return { dtype, shape, data };
}

const arbTensor = fc
  .record({
    dtype: fc.constantFrom(...dtypes),
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
    seed: fc.nat(1000),
  })
  .map(({ dtype, shape, seed }) => tensorOf(dtype, shape, seed));

// Values that survive Python: ints, non-integral floats, strings, bools, None, lists, dicts.
const arbValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt({ min: -(1n << 100n), max: 1n << 100n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string().filter((k) => !/^\d+$/.test(k)), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

test('writeCheckpoint → readCheckpoint round trip (random tensors, args, logs)', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ minLength: 1 }).filter((k) => !/^\d+$/.test(k)), arbTensor, { maxKeys: 5, noNullPrototype: true }),
      fc.dictionary(fc.string().filter((k) => !/^\d+$/.test(k)), arbValue, { maxKeys: 6, noNullPrototype: true }),
      fc.array(fc.dictionary(fc.string().filter((k) => !/^\d+$/.test(k)), arbValue, { maxKeys: 3, noNullPrototype: true }), { maxLength: 3 }),
      fc.nat(),
      (stateDict, args, logs, epoch) => {
        const back = readCheckpoint(writeCheckpoint({ state_dict: stateDict, args, logs, epoch })) as Record<string, unknown>;
        assert.deepEqual(back.args, args);
        assert.deepEqual(back.logs, logs);
        assert.equal(back.epoch, epoch);
        const sd = back.state_dict as Record<string, TorchTensor>;
        assert.deepEqual(Object.keys(sd), Object.keys(stateDict));
        for (const [k, t] of Object.entries(stateDict)) {
          assert.equal(sd[k].dtype, t.dtype);
          assert.deepEqual(sd[k].shape, t.shape);
          assert.deepEqual(Array.from(sd[k].data as ArrayLike<number>), Array.from(t.data as ArrayLike<number>));
        }
        return true;
      },
    ),
    { numRuns: 100 },
  );
});

test('args are written as an argparse.Namespace, state_dict as an OrderedDict (as PyTorch writes them)', () => {
  const bytes = writeCheckpoint({ state_dict: { w: tensorOf('float32', [2], 0) }, args: { dint: 8 } });
  const text = Buffer.from(bytes).toString('latin1');
  assert.ok(text.includes('argparse\nNamespace\n'));
  assert.ok(text.includes('collections\nOrderedDict\n'));
  assert.ok(text.includes('torch._utils\n_rebuild_tensor_v2\n'));
});

// Debian's python3-torch installs for /usr/bin/python3, which may not be the python3 on PATH.
const PYTHON = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
const hasTorch = PYTHON !== undefined;

test('PyTorch loads a checkpoint we wrote', { skip: hasTorch ? false : 'python3 with torch is not installed here: PyTorch cross-check skipped' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'spreadvec-pth-'));
  try {
    const file = join(dir, 'ckpt.pth');
    writeFileSync(
      file,
      writeCheckpoint({
        state_dict: { '0.weight': tensorOf('float32', [3, 2], 1), '1.num_batches_tracked': tensorOf('int64', [], 2) },
        epoch: 7,
        args: { dint: 256, lambda_uniform: 0.02 },
        logs: [{ offending: 17773 }],
      }),
    );
    const script = `
import torch, sys
w = c = None
try:
    c = torch.load(sys.argv[1], weights_only=False)
except TypeError:
    c = torch.load(sys.argv[1])
w = c['state_dict']['0.weight']
print(c['epoch'], c['args'].dint, c['args'].lambda_uniform, c['logs'][0]['offending'], list(w.shape), round(float(w.sum()), 4), int(c['state_dict']['1.num_batches_tracked']))
`;
    const out = execFileSync(PYTHON!, ['-c', script, file], { encoding: 'utf8' }).trim();
    const w = tensorOf('float32', [3, 2], 1).data as Float32Array;
    const sum = w.reduce((a, b) => a + b, 0);
    const nbt = (tensorOf('int64', [], 2).data as BigInt64Array)[0];
    assert.equal(out, `7 256 0.02 17773 [3, 2] ${Math.round(sum * 1e4) / 1e4} ${nbt}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PyTorch runs the catalyzer we re-wrote and matches the golden outputs', { skip: hasTorch ? false : 'python3 with torch is not installed here: PyTorch cross-check skipped' }, () => {
  const FIX = join(__dirname, '../../../shared/fixtures/catalyzer');
  const ckpt = readCheckpoint(require('node:fs').readFileSync(join(FIX, 'catalyzer_legacy.pth'))) as Record<string, unknown>;
  const dir = mkdtempSync(join(tmpdir(), 'spreadvec-pth-'));
  try {
    const file = join(dir, 'rewritten.pth');
    writeFileSync(file, writeCheckpoint(ckpt as never));
    const script = `
import sys, torch, numpy as np
c = torch.load(sys.argv[1], weights_only=False)
a = c['args']
net = torch.nn.Sequential(torch.nn.Linear(128, a.dint), torch.nn.BatchNorm1d(a.dint), torch.nn.ReLU(),
    torch.nn.Linear(a.dint, a.dint), torch.nn.BatchNorm1d(a.dint), torch.nn.ReLU(), torch.nn.Linear(a.dint, a.dout))
net.load_state_dict(c['state_dict'])
net.eval()
x = torch.from_numpy(np.load(sys.argv[2] + '/golden_input.npy'))
y = torch.nn.functional.normalize(net(x), dim=-1).detach().numpy()
print(float(np.abs(y - np.load(sys.argv[2] + '/golden_output.npy')).max()) < 1e-5, c['logs'][0]['offending'], c['epoch'])
`;
    const out = execFileSync(PYTHON!, ['-c', script, file, FIX], { encoding: 'utf8' }).trim();
    assert.equal(out, `True 17773 ${ckpt.epoch}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
