/**
 * The reduction's enabling sets and group tables (reduce/por-tables.ts) against their definitions
 * computed the plain way here, on the Xen model with one, two and three vCPUs and on a BEEM model:
 * - nesGuard[i]: the steps other than i that write a part step i reads (their declared bit sets
 *   intersect), increasing;
 * - groups.dep[i]: the groups of step i and of the steps dependent on it, increasing, each once;
 * - groups.nesGuard[i]: the groups of nesGuard[i], increasing, each once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildRegistered } from '../../models/index.js';
import { loadDve } from '../../src/dve/index.js';
import { FieldIndex, PorAnalysis } from '../../src/engine/reduce/por.js';
import { BitSets, intersects, stepAccesses } from '../../src/engine/reduce/por-tables.js';
import type { Model } from '../../src/engine/model.js';

function sortedUnique(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function check(model: Model): void {
  const b = PorAnalysis.build(model);
  assert.ok(b.ok, model.name);
  const a = b.analysis;
  const n = model.steps.length;
  // the steps' read and write bit sets, as the analysis declares them
  const { reads, writes } = stepAccesses(model, new BitSets(new FieldIndex(model)));
  for (let i = 0; i < n; i++) {
    const writersOfReads: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i && intersects(writes[j]!, reads[i]!)) writersOfReads.push(j);
    assert.deepEqual(Array.from(a.nesGuard[i]!), writersOfReads, `${model.name}: nesGuard[${i}]`);
  }
  const g = a.groups;
  if (g === null) return;
  for (let i = 0; i < n; i++) {
    assert.deepEqual(Array.from(g.dep[i]!), sortedUnique([i, ...a.dep[i]!].map((j: number): number => g.ofStep[j]!)), `groups.dep[${i}]`);
    assert.deepEqual(Array.from(g.nesGuard[i]!), sortedUnique(Array.from(a.nesGuard[i]!, (j: number): number => g.ofStep[j]!)), `groups.nesGuard[${i}]`);
  }
}

test('enabling sets and group tables match their definitions: Xen with 1, 2 and 3 vCPUs', () => {
  check(buildRegistered({ name: 'xen-timer', params: { variant: 'proposed-fix' } }));
  check(buildRegistered({ name: 'xen-timer', params: { variant: 'seed-v2', vcpus: 2, ops: 1 } }));
  check(buildRegistered({ name: 'xen-timer', params: { variant: 'baseline', vcpus: 3, ops: 1, invalidations: 0, placement: 'other' } }));
});

test('enabling sets and group tables match their definitions: BEEM peterson.1', () => {
  check(loadDve(join('test', 'fixtures', 'beem', 'models', 'peterson.1.dve')));
});
