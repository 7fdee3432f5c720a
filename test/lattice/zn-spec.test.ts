import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZnSpec, znRadiusOf, ZN_SPEC_PATTERN } from '../../src/lattice/zn-spec';
import { checkQuantizerSpec } from '../../src/quantizers';

test('parseZnSpec reads r2 from zn_<r2> (r2 ≥ 1, no leading zeros) and nothing else', () => {
  assert.equal(parseZnSpec('zn_79'), 79);
  assert.equal(parseZnSpec('zn_1'), 1);
  for (const bad of ['zn_0', 'zn_079', 'zn_', 'zn_7a', 'zn_-3', ' zn_79', 'ZN_79', 'pq_64', 'zn_99999999999999999999']) {
    assert.equal(parseZnSpec(bad), undefined, bad);
  }
});

test('znRadiusOf throws a RangeError naming the spec; the registry routes every zn_<digits> name to it', () => {
  assert.equal(znRadiusOf('zn_10'), 10);
  assert.throws(() => znRadiusOf('zn_0'), /quantizer must be 'zn_<r2>' with r2 ≥ 1 \(e\.g\. 'zn_79'\), got 'zn_0'/);
  assert.ok(ZN_SPEC_PATTERN.test('zn_0'));
  assert.throws(() => checkQuantizerSpec('zn_0', 24), /quantizer zn_0 at dimension 24: quantizer must be 'zn_<r2>'/);
  assert.doesNotThrow(() => checkQuantizerSpec('zn_79', 24));
});
