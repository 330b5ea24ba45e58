/**
 * Partial-order reduction on random small models (random-models.ts) with declared accesses —
 * exact, or widened by random extra fields (an over-approximation must stay sound): the reduced
 * search finds exactly the violated properties and the deadlock verdict of the full one, stores
 * no more states, and its traces are real executions (they replay).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { explore } from '../../src/engine/explore.js';
import type { Result } from '../../src/engine/result.js';
import { replay } from '../../src/engine/trace.js';
import { verifyAccesses } from '../../src/engine/reduce/verify.js';
import { arbSpec, buildModel, type Cond, type Spec } from './random-models.js';

const RUNS = Number(process.env['FC_RUNS'] ?? 500);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;

/** Violated properties other than covers (a cover not reached under reduction is undecided). */
const violated = (r: Result): string[] => r.violations.filter((v) => v.kind !== 'sometimes').map((v) => v.property).sort();

const arbExtra = fc.array(fc.array(fc.nat(12), { maxLength: 2 }), { maxLength: 14 });

/**
 * Models with room for reduction: 2-3 processes, each with a local field, and one shared field
 * that a few steps read or write (random-models' arbSpec reads any field anywhere: every step
 * depends on every other).
 */
const arbLocalSpec: fc.Arbitrary<Spec> = fc
  .record({
    n: fc.integer({ min: 2, max: 3 }),
    pcs: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 3, maxLength: 3 }),
    steps: fc.array(
      fc.record({ proc: fc.nat(2), from: fc.nat(2), to: fc.nat(2), shared: fc.nat(5), c: fc.nat(2), inc: fc.boolean(), fail: fc.nat(9) }),
      { minLength: 3, maxLength: 10 },
    ),
    always: fc.option(fc.record({ f: fc.nat(3), c: fc.nat(2) }), { freq: 2 }),
  })
  .map((r): Spec => {
    const n = r.n;
    const shared = n; // data fields: local 0..n-1, then the shared one
    const data = Array.from({ length: n + 1 }, () => ({ min: 0, size: 3 }));
    const pcs = r.pcs.slice(0, n);
    const cmp = (f: number, c: number): Cond => ({ k: 'cmp', f, op: '==', c });
    return {
      data,
      pcs,
      steps: r.steps.map((st) => {
        const proc = st.proc % n;
        const np = pcs[proc]!;
        // shared: 0 reads it in the guard, 1 writes it, otherwise local only
        const target = st.shared === 1 ? shared : proc;
        return {
          proc,
          from: st.from % np,
          to: st.to % np,
          guard: st.shared === 0 ? cmp(shared, st.c) : { k: 'true' },
          effect: [{ f: target, e: st.inc ? { k: 'field', f: target, d: 1 } : { k: 'const', c: st.c } }],
          drop: null,
          fail: st.fail === 0 ? { cond: cmp(proc, 2), prop: 'a1' } : null,
        };
      }),
      inits: [data.map(() => 0)],
      always: r.always && { k: 'not', a: cmp(r.always.f % (n + 1), r.always.c) },
      terminal: null,
      validEnd: null,
      sometimes: [],
      transition: null,
    };
  });

/** Full and reduced search agree; returns whether the reduced one cut anything. */
function agree(spec: Spec, extra: readonly (readonly number[])[]): boolean {
  const model = buildModel(spec, { extra: (i) => extra[i] ?? [] });
  assert.deepEqual(verifyAccesses(model, 2000).problems, [], 'the declarations hold');
  const full = explore(model, { allViolations: true });
  const por = explore(model, { allViolations: true, por: true });
  assert.deepEqual(violated(por), violated(full));
  if (!por.stats.por?.used) {
    // every two steps dependent: searched without the reduction, which could not have cut a state
    assert.equal(por.stats.por?.offBy, 'all-dependent');
    assert.deepEqual([por.stats.states, por.stats.transitions], [full.stats.states, full.stats.transitions]);
    return false;
  }
  assert.ok(por.stats.states <= full.stats.states);
  for (const v of por.violations) {
    if (!v.trace) continue;
    // a real execution: replaying its step ids from its initial state gives the same states
    replay(model, v.trace.steps.map((s) => s.step), v.trace.initial, v.trace.states);
  }
  for (const c of por.covers) if (c.reached) assert.ok(full.covers.find((x) => x.property === c.property)?.reached, 'a cover reached under reduction is reachable');
  return por.stats.por!.reducedStates! > 0;
}

test('random models with declared accesses: the reduced search finds the same violations and deadlocks, with traces that replay', () => {
  fc.assert(
    fc.property(arbSpec, arbExtra, (spec, extra) => void agree(spec, extra)),
    { numRuns: RUNS, seed: SEED },
  );
});

test('random models with local fields: the same, and the reduction does cut', () => {
  let cut = 0;
  fc.assert(
    fc.property(arbLocalSpec, arbExtra, (spec, extra) => {
      if (agree(spec, extra)) cut++;
    }),
    { numRuns: RUNS, seed: SEED },
  );
  // not vacuous: many of these models were reduced (counted over the runs)
  assert.ok(cut > RUNS / 10, `only ${cut} of ${RUNS} random models were reduced`);
});
