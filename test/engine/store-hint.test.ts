/** ExploreOptions.expectedStates: a hint that sizes the store's index up front, never changing a result. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore, indexBitsFor } from '../../src/engine/explore.js';
import { buildRegistered } from '../../models/index.js';

test('indexBitsFor: the smallest power of two of slots holding the count at load <= 0.75, within 2^16 .. 2^28', () => {
  assert.equal(indexBitsFor(undefined), 16);
  assert.equal(indexBitsFor(0), 16);
  assert.equal(indexBitsFor(1000), 16);
  // 0.75 x 2^16 = 49152 fit 2^16 slots; one more needs 2^17
  assert.equal(indexBitsFor(49152), 16);
  assert.equal(indexBitsFor(49153), 17);
  // 0.75 x 2^20 = 786432
  assert.equal(indexBitsFor(786432), 20);
  assert.equal(indexBitsFor(786433), 21);
  assert.equal(indexBitsFor(1e12), 28);
});

test('a right, a low and a high hint give the unhinted result; the right one ends with a store no larger', () => {
  const build = () => buildRegistered({ name: 'xen-timer', params: { ops: 2 } });
  const plain = explore(build(), { allViolations: true });
  const n = plain.stats.states;
  for (const hint of [n, Math.floor(n / 10), n * 10]) {
    const r = explore(build(), { allViolations: true, expectedStates: hint });
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.levels, r.violations.map((v) => [v.property, v.trace?.steps.length])], [n, plain.stats.transitions, plain.stats.levels, plain.violations.map((v) => [v.property, v.trace?.steps.length])]);
    // (without a hint the index starts at 2^20 slots, more than this space needs)
    if (hint === n) assert.ok(r.stats.storeBytes <= plain.stats.storeBytes, `${r.stats.storeBytes} <= ${plain.stats.storeBytes}`);
  }
});
