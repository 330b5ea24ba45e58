import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import type { Model } from '../../src/engine/model.js';
import { Layout } from '../../src/engine/schema.js';
import { replay, ReplayError } from '../../src/engine/trace.js';

/** x in 0..3 counts up by `inc`; `reset` (x == 3) sets it back to 0 and raises an assertion. */
function counter(): Model {
  const L = new Layout();
  const x = L.int('x', 0, 3);
  const phase = L.enum('phase', ['up', 'down']);
  const schema = L.finish();
  return {
    name: 'cnt',
    schema,
    processes: ['P'],
    init: () => [schema.blank(), schema.encode({ x: 2 })],
    steps: [
      { id: 'inc', process: 'P', source: { file: 'c', func: 'f', line: 'x++' }, guard: (s) => s[x.offset]! < 3, apply: (s) => void s[x.offset]!++ },
      {
        id: 'reset',
        process: 'P',
        source: { file: 'c', func: 'f', line: 'x = 0; WARN_ON(1)' },
        guard: (s) => s[x.offset] === 3,
        apply: (s, ctx) => {
          ctx.fail('warn', 'reset at 3');
          s[x.offset] = 0;
          s[phase.offset] = 1;
        },
      },
    ],
    properties: [{ kind: 'assert', id: 'warn', description: 'WARN_ON' }],
  };
}

test('replay re-executes step ids from an initial state, with per-step changes and failures', () => {
  const m = counter();
  const out = replay(m, ['inc', 'reset'], 1);
  assert.equal(out.trace.initial, 1);
  assert.deepEqual(out.trace.states, [
    { x: 2, phase: 'up' },
    { x: 3, phase: 'up' },
    { x: 0, phase: 'down' },
  ]);
  assert.deepEqual(out.trace.steps.map((s) => [s.step, s.process, s.changes]), [
    ['inc', 'P', { x: 3 }],
    ['reset', 'P', { x: 0, phase: 'down' }],
  ]);
  assert.deepEqual(out.failures, [[], [{ property: 'warn', message: 'reset at 3' }]]);
});

test('replay errors name the failing step: unknown id, disabled step, bad initial index, diverging state', () => {
  const m = counter();
  const err = (f: () => unknown, at: number, re: RegExp): void =>
    assert.throws(f, (e: unknown) => e instanceof ReplayError && e.at === at && re.test(e.message));
  err(() => replay(m, ['inc', 'jump']), 1, /step 2 'jump' is not a step/);
  err(() => replay(m, ['inc', 'reset']), 1, /step 2 'reset' is not enabled/);
  err(() => replay(m, [], 2), -1, /initial state 2 does not exist/);
  err(() => replay(m, ['inc'], 0, [{ x: 0 }, { x: 2 }]), 0, /state 1: field 'x' is 1, the trace says 2/);
  err(() => replay(m, [], 0, [{ y: 0 }]), -1, /no field 'y'/);
});

test('explorer traces start at the right initial state and replay to the same states', () => {
  const m = counter();
  const r = explore(m);
  const v = r.violations[0]!;
  assert.equal(v.property, 'warn');
  // from x = 2 (initial state 1): inc, reset is 2 steps; from x = 0 it would be 4
  assert.equal(v.trace!.initial, 1);
  assert.deepEqual(v.trace!.steps.map((s) => s.step), ['inc', 'reset']);
  const out = replay(m, v.trace!.steps.map((s) => s.step), v.trace!.initial, v.trace!.states);
  assert.deepEqual(out.trace, v.trace);
});
