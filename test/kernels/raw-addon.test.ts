/**
 * RawAddon (src/kernels/addon.ts) lists the addon's exports exactly: the table below
 * must name every key of the interface (the compiler checks that), and the loaded
 * binary must export exactly those names, each of the kind the interface says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addon, type RawAddon } from '../../src/kernels/addon';

/** Each export, and for the two classes a method their prototype must have. */
const CLASSES: Record<keyof RawAddon, false | string> = {
  activeIsa: false, detectedIsa: false, setIsa: false,
  znInfo: false, znQuantizeEncode: false, znQuantizeEncodeAsync: false, znQuantize: false, znEncode: false, znDecode: false, znDecodeAsync: false,
  decodeScan: false, decodeScanSync: false, flatScan: false, flatScanSync: false,
  sgemm: false, sgemmReference: false, tripletKoleoLoss: false, knnL2: false, MlpTrainer: 'trainBatches', NativeMlp: 'runSync',
  kmeansTrain: false, kmeansAssign: false,
  pqEncode: false, pqEncodeSync: false, pqDecode: false, pqComputeLuts: false, pqAdcSearch: false, pqAdcSearchSync: false, pqMatmul: false,
  knnSearch: false, knnSearchSync: false,
};

test('the addon exports exactly the functions RawAddon types', () => {
  const raw = addon() as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(raw).sort(), Object.keys(CLASSES).sort());
  for (const [name, method] of Object.entries(CLASSES)) {
    assert.equal(typeof raw[name], 'function', name);
    if (method) assert.equal(typeof (raw[name] as { prototype: Record<string, unknown> }).prototype[method], 'function', `${name}.${method}`);
  }
});
