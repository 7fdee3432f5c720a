import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeIsa, detectedIsa, setIsa } from '../../src/kernels/addon';

test('the addon loads and reports a SIMD level it can force down to scalar', () => {
  const best = detectedIsa();
  assert.ok(['scalar', 'neon', 'avx2', 'avx512'].includes(best));
  assert.equal(setIsa('scalar'), true);
  assert.equal(activeIsa(), 'scalar');
  assert.equal(setIsa(best), true);
  assert.equal(activeIsa(), best);
  assert.throws(() => setIsa('mmx' as never), /unknown isa 'mmx'/);
});

test('the reported SIMD level is the one that runs: no kernel has a NEON variant, so never neon', () => {
  const best = detectedIsa();
  assert.notEqual(best, 'neon');
  assert.notEqual(activeIsa(), 'neon');
  assert.equal(setIsa('neon'), false);
  assert.equal(activeIsa(), best);
});
