/**
 * Invariant components (PropertyReads.components) under partial-order reduction: an invariant is
 * the conjunction of its components — the reduction takes a stored source state's components to
 * hold while their invariant is not violated (SourceMemo), and verifyAccesses reports an invariant
 * that is not their conjunction. Two processes each move their pc from 0 to 2; the invariant "not
 * both at 2" has one component per process (owner: its pc; it reads the other's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layout } from '../../src/engine/schema.js';
import type { AlwaysProperty, Model } from '../../src/engine/model.js';
import { explore } from '../../src/engine/explore.js';
import { verifyAccesses } from '../../src/engine/reduce/verify.js';

/** P and Q each step their pc 0 -> 1 -> 2; `check` is the invariant's check (its components are fixed). */
function counters(check: (p: number, q: number) => boolean): Model {
  const L = new Layout();
  const p = L.int('p.pc', 0, 2);
  const q = L.int('q.pc', 0, 2);
  const schema = L.finish();
  const stepsOf = (name: string, f: typeof p) =>
    [0, 1].map((at) => ({
      id: `${name}.${at}`,
      process: name,
      source: { file: 'c', func: name, line: `pc = ${at + 1}` },
      guard: (s: Uint8Array) => s[f.offset] === at,
      apply: (s: Uint8Array) => void (s[f.offset] = at + 1),
      access: { reads: [], writes: [f.name], at: { field: f.name, value: at, to: [at + 1] } },
    }));
  const notBoth: AlwaysProperty = {
    kind: 'always',
    id: 'not-both-done',
    description: 'P and Q are not both at 2',
    check: (s) => check(s[p.offset]!, s[q.offset]!),
    reads: {
      fields: [],
      components: [
        { owners: ['p.pc'], reads: ['q.pc'], holds: (s) => !(s[p.offset] === 2 && s[q.offset] === 2) },
        { owners: ['q.pc'], reads: ['p.pc'], holds: (s) => !(s[p.offset] === 2 && s[q.offset] === 2) },
      ],
    },
  };
  return { name: 'counters', schema, processes: ['P', 'Q'], init: () => [schema.blank()], steps: [...stepsOf('P', p), ...stepsOf('Q', q)], properties: [notBoth] };
}

test('an invariant that is the conjunction of its components: no problem reported, and the reduced search finds its violation as the full one does', () => {
  const model = counters((p, q) => !(p === 2 && q === 2));
  assert.deepEqual(verifyAccesses(model).problems, []);
  const full = explore(model, { deadlock: false });
  const por = explore(counters((p, q) => !(p === 2 && q === 2)), { deadlock: false, por: true });
  assert.deepEqual(full.violations.map((v) => v.property), ['not-both-done']);
  assert.deepEqual(por.violations.map((v) => v.property), ['not-both-done']);
});

test('verifyAccesses reports an invariant that holds where one of its components does not, and one that fails where all hold', () => {
  // holds everywhere, while its components fail at (2, 2)
  const weaker = verifyAccesses(counters(() => true)).problems;
  assert.ok(weaker.some((m) => m.includes('not-both-done holds in a state where one of its components does not')), weaker.join('; '));
  // fails at (1, 1), where both components hold
  const stronger = verifyAccesses(counters((p, q) => !(p === 2 && q === 2) && !(p === 1 && q === 1))).problems;
  assert.ok(stronger.some((m) => m.includes('not-both-done fails in a state where each of its components holds')), stronger.join('; '));
});
