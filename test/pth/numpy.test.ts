/**
 * Checkpoints as the paper's trainer writes them (numpy scalars in the logs), numpy
 * scalars of every numeric dtype and byte order, and the numpy objects that must stay
 * refused. Fixtures: test/fixtures/pth/ (make_fixtures.py, PyTorch 1.13 / NumPy 1.24).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint, CheckpointError } from '../../src/pth/checkpoint';
import { unpickle } from '../../src/pth/pickle';
import { PickleWriter } from '../../src/pth/pickle-writer';

const FIX = join(__dirname, '../fixtures/pth');
const load = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));

for (const file of ['paper_zip.pth', 'paper_legacy.pth']) {
  test(`${file} (the paper's train.py after two validations): args, logs with numpy.float64 recalls, times tuples`, () => {
    const ckpt = readCheckpoint(load(file)) as Record<string, unknown>;
    assert.equal(ckpt.epoch, 1);
    const args = ckpt.args as Record<string, unknown>;
    assert.equal((args as { __class__?: string }).__class__, 'argparse.Namespace');
    assert.equal(args.dint, 128);
    assert.equal(args.dout, 24);
    assert.equal(args.save_best_criterion, 'zn_79,rank=10');
    assert.deepEqual(args.validation_quantizers, ['zn_3', 'zn_10', 'zn_79']);
    const logs = ckpt.logs as Record<string, unknown>[];
    assert.equal(logs.length, 2);
    // the values train.py printed: "zn_79 nbit= 64: 0.2890 0.6120 0.8700" then "0.3180 0.6885 0.9320"
    assert.deepEqual(logs[0].val, { zn_3: [0.059, 0.2675, 0.609], zn_10: [0.1955, 0.4785, 0.8105], zn_79: [0.289, 0.612, 0.87] });
    assert.deepEqual((logs[1].val as Record<string, number[]>).zn_79, [0.318, 0.6885, 0.932]);
    assert.equal(logs[0].offending, 1564);
    assert.equal(logs[1].offending, 2481);
    const times = logs[0].times as number[];
    assert.ok(Object.isFrozen(times) && times.length === 3 && times.every((t) => typeof t === 'number' && t > 0), 'times is a tuple of 3 floats');
    assert.equal(logs[1].times, undefined, 'the last epoch is saved before its times are set');
  });
}

const expected = JSON.parse(readFileSync(join(FIX, 'scalars.json'), 'utf8')) as Record<string, boolean | string>;

function checkScalars(ckpt: Record<string, unknown>): void {
  assert.equal(ckpt.epoch, 3); // numpy.int64
  assert.equal(ckpt.best, 0.5); // numpy.float64
  const got = (ckpt.logs as Record<string, unknown>[])[0];
  assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
  for (const [key, want] of Object.entries(expected)) {
    const v = got[key];
    if (typeof want === 'boolean') assert.equal(v, want, key);
    else if (key.includes('f')) assert.equal(v, Number(want), key);
    else {
      const big = BigInt(want);
      const safe = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
      assert.equal(v, safe ? Number(big) : big, key); // bigint only beyond ±2^53
    }
  }
}

for (const file of ['scalars_zip.pth', 'scalars_legacy.pth']) {
  test(`${file}: numpy scalars of every numeric dtype, both byte orders, read as the values NumPy holds`, () => {
    checkScalars(readCheckpoint(load(file)) as Record<string, unknown>);
  });
}

test("NumPy 2's module name numpy._core.multiarray reads the same", () => {
  const b = Buffer.from(load('scalars_legacy.pth'));
  const from = Buffer.from('numpy.core.multiarray\nscalar\n');
  const at = b.indexOf(from);
  assert.ok(at > 0);
  const renamed = Buffer.concat([b.subarray(0, at), Buffer.from('numpy._core.multiarray\nscalar\n'), b.subarray(at + from.length)]);
  checkScalars(readCheckpoint(new Uint8Array(renamed)) as Record<string, unknown>);
});

for (const [file, reason] of [
  ['evil_object_array.pth', /refusing to call numpy\.core\.multiarray\._reconstruct/],
  ['evil_object_dtype.pth', /refusing numpy\.dtype\('O8'\)/],
  ['evil_fields.pth', /refusing numpy\.dtype\('V8'\)/],
  ['evil_dtype_state.pth', /numpy\.dtype\('f8'\) with an unsupported state \(metadata\)/],
  ['evil_scalar_length.pth', /numpy scalar <f8 holds 4 bytes, needs 8/],
] as const) {
  test(`${file} is refused`, () => {
    assert.throws(() => readCheckpoint(load(file)), (e: unknown) => e instanceof CheckpointError && reason.test(e.reason));
  });
}

/** numpy.core.multiarray.scalar(numpy.dtype(typestr, False, True) BUILD state, raw). */
function scalarPickle(typestr: string, state: (w: PickleWriter) => void, raw: Uint8Array): Uint8Array {
  const w = new PickleWriter();
  w.global('numpy.core.multiarray', 'scalar');
  w.global('numpy', 'dtype');
  w.mark();
  w.str(typestr);
  w.bool(false);
  w.bool(true);
  w.tupleFromMark();
  w.reduce();
  state(w);
  w.bytes(raw);
  w.byte(0x86); // TUPLE2 (dtype, raw)
  w.reduce();
  return w.finish();
}
/** Writes `(items...)` then BUILD. */
const stateTuple = (...items: unknown[]) => (w: PickleWriter) => {
  w.mark();
  for (const x of items) w.value(x);
  w.tupleFromMark();
  w.build();
};
const f8 = new Uint8Array(new Float64Array([1.25]).buffer);

test('a hand-written numpy scalar with the standard state reads; odd BUILD states are refused', () => {
  assert.equal(unpickle(scalarPickle('f8', stateTuple(3, '<', null, null, null, -1, -1, 0), f8)).value, 1.25);
  assert.equal(unpickle(scalarPickle('b1', stateTuple(3, '|', null, null, null, -1, -1, 0), Uint8Array.of(1))).value, true);
  const odd: [unknown[], RegExp][] = [
    [[3, '<', null, null, null, -1, -1, 63], /flags 63/],
    [[3, '=', null, null, null, -1, -1, 0], /byte order "="/],
    [[3, '<', null, ['a'], { a: 1 }, -1, -1, 0], /fields/],
    [[3, '<', [1, 2], null, null, -1, -1, 0], /subarray/],
    [[3, '<', null, null, null, 16, 8, 0], /elsize 16/],
    [[2, '<', null, null, null, -1, -1, 0], /version 2/],
    [[3, '<', null, null, null, -1, -1], /version 3 with 7 items/],
    [[], /version undefined/],
  ];
  for (const [state, reason] of odd) {
    assert.throws(() => unpickle(scalarPickle('f8', stateTuple(...state), f8)), (e: unknown) => e instanceof CheckpointError && reason.test(e.reason), JSON.stringify(state));
  }
  // a one-byte dtype with a byte order, a state that is not a tuple, no BUILD at all
  assert.throws(() => unpickle(scalarPickle('u1', stateTuple(3, '<', null, null, null, -1, -1, 0), Uint8Array.of(1))), /byte order "<"/);
  const dictState = (w: PickleWriter) => {
    w.value({ a: 1 });
    w.build();
  };
  assert.throws(() => unpickle(scalarPickle('f8', dictState, f8)), /not a tuple/);
  assert.throws(() => unpickle(scalarPickle('f8', () => {}, f8)), /used before its state/);
  for (const typestr of ['O8', 'c16', 'U1', 'S3', 'M8', 'f16', 'V8']) {
    assert.throws(() => unpickle(scalarPickle(typestr, stateTuple(3, '|', null, null, null, -1, -1, 0), f8)), (e: unknown) =>
      e instanceof CheckpointError && e.reason.startsWith(`refusing numpy.dtype('${typestr}')`),
    );
  }
});
