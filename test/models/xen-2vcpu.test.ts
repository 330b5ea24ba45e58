/**
 * The two-vCPU matrix (models/xen-timer/expected-2vcpu.json: K = 1, M = 1, M' = 1, every variant,
 * no reduction, so covers are decided). Re-running all of it takes minutes (4.4–10.5 M states per
 * variant), so the suite re-checks its smallest row for real and cross-checks the rest against a
 * cheap computation: FINDINGS.md says a second vCPU at K = 1 changes no verdict and no shortest
 * trace, which a one-vCPU run at the same bounds (about 10 k states per variant) confirms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findModel } from '../../models/index.js';
import { diffMatrix, runMatrix } from '../../models/matrix.js';
import { XEN_EXPECTED_2VCPU as expected } from './xen-expected.js';

test('expected-2vcpu.json: two vCPUs, one operation each, for every variant', () => {
  assert.equal(expected.params.vcpus, 2);
  assert.equal(expected.params.ops, 1);
  const variants = findModel('xen-timer')!.params.find((p) => p.name === 'variant')!.values!;
  assert.deepEqual(Object.keys(expected.variants).sort(), [...variants].sort());
});

test('two vCPUs, K = 1: the smallest row (baseline) re-checked gives the stored counts and verdicts', () => {
  const m = runMatrix(findModel('xen-timer')!, expected.params, ['baseline']);
  const row = m.rows[0]!;
  assert.ok(row.result.complete);
  const only = { ...expected, variants: { baseline: expected.variants.baseline! } };
  assert.deepEqual(diffMatrix(only, m), []);
});

test('two vCPUs, K = 1: every verdict and shortest trace equals one vCPU at the same bounds', () => {
  const one = runMatrix(findModel('xen-timer')!, { ...expected.params, vcpus: 1 });
  for (const r of one.rows) {
    assert.ok(r.result.complete);
    assert.deepEqual(expected.variants[r.variant]!.verdicts, r.verdicts, r.variant);
    assert.ok(expected.variants[r.variant]!.states > r.states * 100, `${r.variant}: the second vCPU multiplies the space`);
  }
});
