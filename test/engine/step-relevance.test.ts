/**
 * Step relevance (src/engine/step-relevance.ts): Observer skips, on a state reached by step i, the
 * invariants and covers i cannot change. Its premise is checked here on every edge of breadth-first
 * searches: an invariant the step is not listed for has the same value after the edge as before, a
 * cover likewise, and an invariant listed with some of its components fails after the edge only if
 * it failed before or one of those components fails. On the Xen model (several variants and
 * bounds) and on random models with declared accesses; and end to end, a search with the skipping
 * finds exactly what the search of the same model without declarations (every property evaluated
 * on every state) finds. A model whose declaration lies is caught (the check is not vacuous).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { explore } from '../../src/engine/explore.js';
import type { AlwaysProperty, Model, SometimesProperty } from '../../src/engine/model.js';
import { Layout } from '../../src/engine/schema.js';
import { RecordingCtx } from '../../src/engine/trace.js';
import { StepRelevance } from '../../src/engine/step-relevance.js';
import { buildXenTimer } from '../../models/xen-timer/index.js';
import { arbSpec, buildModel } from './random-models.js';

const RUNS = Number(process.env['FC_RUNS'] ?? 200);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;

interface PremiseReport {
  readonly edges: number;
  /** (edge, property) pairs the relevance tables let the observer skip or shortcut. */
  readonly skipped: number;
  readonly problems: string[];
}

/** The relevance premise on every edge of a breadth-first search of `model` (up to maxStates states). */
function checkPremise(model: Model, maxStates: number): PremiseReport {
  const always = model.properties.filter((p): p is AlwaysProperty => p.kind === 'always');
  const covers = model.properties.filter((p): p is SometimesProperty => p.kind === 'sometimes');
  const rel = StepRelevance.build(model, always, covers);
  assert.ok(rel, 'the model declares accesses');
  const problems: string[] = [];
  const note = (m: string): void => {
    if (problems.length < 10 && !problems.includes(m)) problems.push(m);
  };
  const seen = new Set<string>();
  const queue: Uint8Array[] = [];
  for (const s of model.init()) if (!seen.has(s.join(','))) (seen.add(s.join(',')), queue.push(s));
  const ctx = new RecordingCtx();
  let edges = 0;
  let skipped = 0;
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q]!;
    const before = always.map((p) => p.check(s));
    const coverBefore = covers.map((c) => c.check(s));
    model.steps.forEach((st, i) => {
      if (!st.guard(s)) return;
      const t = s.slice();
      ctx.reset();
      if (st.apply(t, ctx) === false) return;
      edges++;
      always.forEach((p, k) => {
        const r = rel.invariants[i]!.find((x) => x.prop === k);
        if (r && r.parts === null) return;
        skipped++;
        const after = p.check(t);
        if (!r && after !== before[k]) note(`step ${st.id} is not listed for ${p.id}, which it changes (${before[k]} -> ${after})`);
        if (r && before[k] && !after && r.parts!.every((h) => h(t))) note(`step ${st.id} breaks ${p.id} though each component listed for it holds`);
      });
      covers.forEach((c, k) => {
        if (rel.covers[i]!.includes(k)) return;
        skipped++;
        if (c.check(t) !== coverBefore[k]) note(`step ${st.id} is not listed for cover ${c.id}, which it changes`);
      });
      const key = t.join(',');
      if (!seen.has(key) && seen.size < maxStates) (seen.add(key), queue.push(t));
    });
  }
  return { edges, skipped, problems };
}

const XEN_CASES: { name: string; params: Parameters<typeof buildXenTimer>[0] }[] = [
  { name: 'proposed-fix, K=2', params: { variant: 'proposed-fix', ops: 2 } },
  { name: 'baseline, K=2, PREEMPT_RT', params: { variant: 'baseline', ops: 2, preemptRt: true } },
  { name: 'upstream-v3, two vCPUs, K=1', params: { variant: 'upstream-v3', vcpus: 2, ops: 1 } },
  { name: 'seed-v2, a VMM sender, vcpu_info invalidations', params: { variant: 'seed-v2', ops: 2, sends: 1, vcpuInfoInvalidations: 1 } },
];

for (const c of XEN_CASES) {
  test(`xen-timer (${c.name}): every property a step is not listed for keeps its value on its edges`, () => {
    const r = checkPremise(buildXenTimer(c.params), 15000);
    assert.deepEqual(r.problems, []);
    // not vacuous: most (edge, property) pairs are skipped
    assert.ok(r.skipped > r.edges, `only ${r.skipped} skips over ${r.edges} edges`);
  });
}

test('random models with declared accesses: the premise holds on every edge', () => {
  fc.assert(
    fc.property(arbSpec, (spec) => {
      const r = checkPremise(buildModel(spec, { extra: () => [] }), 2000);
      assert.deepEqual(r.problems, []);
    }),
    { numRuns: RUNS, seed: SEED },
  );
});

test('random models: a search that skips finds what the search evaluating every property on every state finds', () => {
  fc.assert(
    fc.property(arbSpec, (spec) => {
      // without declarations nothing is skipped: every property is evaluated on every state
      const full = explore(buildModel(spec), { allViolations: true, por: false });
      const fast = explore(buildModel(spec, { extra: () => [] }), { allViolations: true, por: false });
      assert.deepEqual(fast.violations, full.violations);
      assert.deepEqual(fast.covers, full.covers);
      assert.equal(fast.stats.states, full.stats.states);
    }),
    { numRuns: RUNS, seed: SEED },
  );
});

test('a step that writes a field its declaration leaves out is caught by the premise check', () => {
  // x counts up to 3 under pc p; the invariant x < 2 reads x; the step declares writing only its pc
  const L = new Layout();
  const x = L.int('x', 0, 3);
  const pc = L.enum('p.pc', ['run'], 'p');
  const schema = L.finish();
  const lying: Model = {
    name: 'lying',
    schema,
    processes: ['p'],
    init: () => [schema.blank()],
    steps: [{ id: 'inc', process: 'p', source: { file: 't', func: 't', line: 'x++' }, guard: (s) => s[x.offset]! < 3, apply: (s) => void s[x.offset]!++, access: { reads: ['x', pc.name], writes: [pc.name] } }],
    properties: [{ kind: 'always', id: 'x-small', description: 'x < 2', check: (s) => s[x.offset]! < 2, reads: { fields: ['x'] } }],
  };
  assert.match(checkPremise(lying, 100).problems.join('\n'), /step inc is not listed for x-small/);
});

/**
 * Two interchangeable counters, x0 and x1 (0..2), each stepped by its own process, starting at 0
 * and 1; the invariant "no counter is 2" has one component per process. A counter at 0 while the
 * other is at 1 may jump to 2 — past the other, so under symmetry the canonical image of that
 * successor (whichever of the two orders it prefers) has the counters swapped: the component of
 * the process that stepped is satisfied there, the other process's is the one that fails.
 */
function twoCounters(): Model {
  const L = new Layout();
  const x = [L.int('x0', 0, 2, 'p0'), L.int('x1', 0, 2, 'p1')];
  const pc = [L.enum('p0.pc', ['run'], 'p0'), L.enum('p1.pc', ['run'], 'p1')];
  const schema = L.finish();
  const get = (s: Uint8Array, p: number): number => schema.get(s, x[p]!);
  const steps = [0, 1].map((p) => ({
    id: `jump${p}`,
    process: `p${p}`,
    source: { file: 'two-counters', func: `p${p}`, line: 'x = 2' },
    access: { reads: [x[0]!.name, x[1]!.name], writes: [x[p]!.name] },
    guard: (s: Uint8Array) => get(s, p) === 0 && get(s, 1 - p) === 1,
    apply: (s: Uint8Array) => {
      schema.set(s, x[p]!, 2);
      return true;
    },
  }));
  const part = (p: number) => ({ owners: [pc[p]!.name], reads: [x[p]!.name], holds: (s: Uint8Array) => get(s, p) !== 2 });
  return {
    name: 'two-counters',
    schema,
    processes: ['p0', 'p1'],
    init: () => {
      const s = schema.blank();
      schema.set(s, x[1]!, 1);
      return [s];
    },
    steps,
    properties: [{ kind: 'always', id: 'below-two', description: 'no counter reaches 2', check: (s) => get(s, 0) !== 2 && get(s, 1) !== 2, reads: { fields: [], components: [part(0), part(1)] } }],
    symmetry: {
      size: 2,
      description: 'the two counters',
      invariantProperties: true,
      apply: (_g, src, dst) => {
        dst.set(src);
        schema.set(dst, x[0]!, schema.get(src, x[1]!));
        schema.set(dst, x[1]!, schema.get(src, x[0]!));
      },
    },
  };
}

test('under symmetry a step touching one component of an invariant has it checked whole: the canonical image may have moved the component', () => {
  const plain = explore(twoCounters(), { deadlock: false });
  const sym = explore(twoCounters(), { deadlock: false, symmetry: true });
  assert.equal(plain.status, 'violation', 'without symmetry');
  assert.equal(sym.status, 'violation', 'with symmetry');
  assert.deepEqual(sym.violations.map((v) => v.property), ['below-two']);
  assert.equal(sym.stats.states, 2);
});
