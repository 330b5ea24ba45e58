/**
 * Property-based tests of explore(): random small models (a few fields with small domains, 1-4
 * processes with program counters, random guards / effects / drops / assertion failures from a
 * small expression vocabulary) are explored by the engine and by a naive reference explorer
 * written here (JS arrays of numbers, a Map keyed by strings, a queue). The same vocabulary is
 * compiled to closures over packed bytes for the engine and interpreted over number arrays for
 * the reference, so the two sides share no evaluation code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { explore, DEADLOCK_ID } from '../../src/engine/explore.js';
import type { Model } from '../../src/engine/model.js';
import type { Result } from '../../src/engine/result.js';
import { Layout } from '../../src/engine/schema.js';
import { replay } from '../../src/engine/trace.js';
import { arbSpec, buildModel, domainOf, stepId, wrap, type Cond, type Spec } from './random-models.js';

// ---------------------------------------------------------------------------------------------
// Reference side: interpret the spec over number arrays, explore with a Map and a queue

function holds(c: Cond, v: readonly number[]): boolean {
  switch (c.k) {
    case 'true':
      return true;
    case 'cmp': {
      const x = v[c.f]!;
      return c.op === '==' ? x === c.c : c.op === '!=' ? x !== c.c : c.op === '<' ? x < c.c : x >= c.c;
    }
    case 'and':
      return holds(c.a, v) && holds(c.b, v);
    case 'or':
      return holds(c.a, v) || holds(c.b, v);
    case 'not':
      return !holds(c.a, v);
  }
}

interface Move {
  readonly step: number;
  readonly next: number[] | null; // null: dropped
  readonly fail: string | null;
}

function moves(spec: Spec, v: readonly number[]): Move[] {
  const out: Move[] = [];
  const nd = spec.data.length;
  spec.steps.forEach((st, i) => {
    if (v[nd + st.proc] !== st.from || !holds(st.guard, v)) return;
    const fail = st.fail && holds(st.fail.cond, v) ? st.fail.prop : null;
    if (st.drop && holds(st.drop, v)) {
      out.push({ step: i, next: null, fail });
      return;
    }
    const n = [...v];
    for (const a of st.effect) {
      const raw = a.e.k === 'const' ? a.e.c : n[a.e.f]! + a.e.d;
      n[a.f] = wrap(spec.data[a.f]!, raw);
    }
    n[nd + st.proc] = st.to;
    out.push({ step: i, next: n, fail });
  });
  return out;
}

interface Reference {
  readonly dist: Map<string, number>;
  readonly states: number;
  readonly edges: number;
  readonly levels: number;
  readonly fired: number[];
  /** Shortest trace length per violated property id (null: an unreached sometimes). */
  readonly violated: Map<string, number | null>;
  readonly covers: Map<string, number>;
}

const key = (v: readonly number[]): string => v.join(',');
const minInto = (m: Map<string, number | null>, k: string, d: number): void => {
  const cur = m.get(k);
  if (cur === undefined || (cur !== null && d < cur)) m.set(k, d);
};

function reference(spec: Spec): Reference {
  const dist = new Map<string, number>();
  const queue: number[][] = [];
  for (const init of spec.inits) {
    const v = [...init, ...spec.pcs.map(() => 0)];
    if (!dist.has(key(v))) {
      dist.set(key(v), 0);
      queue.push(v);
    }
  }
  let edges = 0;
  const fired = spec.steps.map(() => 0);
  const violated = new Map<string, number | null>();
  const covers = new Map<string, number>();
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    const d = dist.get(key(v))!;
    if (spec.always && !holds(spec.always, v)) minInto(violated, 'always', d);
    spec.sometimes.forEach((c, i) => {
      if (holds(c, v) && !covers.has(`sometimes${i}`)) covers.set(`sometimes${i}`, d);
    });
    let live = 0;
    for (const m of moves(spec, v)) {
      if (!m.next) continue;
      live++;
      edges++;
      fired[m.step]!++;
      if (m.fail) minInto(violated, m.fail, d + 1);
      if (spec.transition && m.step % 2 === spec.transition.parity && m.next[spec.transition.f]! < v[spec.transition.f]!) minInto(violated, 'transition', d + 1);
      if (!dist.has(key(m.next))) {
        dist.set(key(m.next), d + 1);
        queue.push(m.next);
      }
    }
    if (live === 0) {
      if (spec.terminal && !holds(spec.terminal, v)) minInto(violated, 'terminal', d);
      if (!(spec.validEnd && holds(spec.validEnd, v))) minInto(violated, DEADLOCK_ID, d);
    }
  }
  spec.sometimes.forEach((_, i) => {
    if (!covers.has(`sometimes${i}`)) violated.set(`sometimes${i}`, null);
  });
  return { dist, states: queue.length, edges, levels: Math.max(...dist.values()) + 1, fired, violated, covers };
}

// ---------------------------------------------------------------------------------------------
// Checks

const lengths = (r: Result): Map<string, number | null> => new Map(r.violations.map((v) => [v.property, v.trace ? v.trace.steps.length : null]));

/** Replay every violation trace and check that it ends in a state (or step) that violates the property. */
function checkTraces(spec: Spec, model: Model, r: Result, ref: Reference): void {
  const nd = spec.data.length;
  for (const v of r.violations) {
    if (!v.trace) {
      assert.equal(v.kind, 'sometimes');
      continue;
    }
    const ids = v.trace.steps.map((s) => s.step);
    const out = replay(model, ids, v.trace.initial, v.trace.states);
    assert.deepEqual(out.trace.states, v.trace.states, `${v.property}: replay reproduces the trace`);
    // the initial state is one of the spec's initial states
    const names = model.schema.fields.map((f) => f.name);
    const values = (st: Readonly<Record<string, unknown>>): number[] =>
      names.map((n, i) => (i < nd ? (st[n] as number) : Number(String(st[n]).slice(1)))); // pc values are l0, l1, ...
    const first = values(v.trace.states[0]!);
    assert.ok(spec.inits.some((init) => key([...init, ...spec.pcs.map(() => 0)]) === key(first)), 'starts in an initial state');
    const last = values(v.trace.states.at(-1)!);
    const before = v.trace.states.length > 1 ? values(v.trace.states.at(-2)!) : null;
    switch (v.kind) {
      case 'always':
        assert.equal(holds(spec.always!, last), false, 'ends in a state violating the invariant');
        assert.equal(ref.dist.get(key(last)), ids.length, 'no shorter path to that state');
        break;
      case 'terminal':
      case 'deadlock': {
        assert.equal(moves(spec, last).filter((m) => m.next).length, 0, 'ends in a state without steps');
        if (v.kind === 'terminal') assert.equal(holds(spec.terminal!, last), false);
        else assert.equal(!!spec.validEnd && holds(spec.validEnd, last), false);
        assert.equal(ref.dist.get(key(last)), ids.length);
        break;
      }
      case 'assert':
        assert.ok(out.failures.at(-1)!.some((f) => f.property === v.property), 'the last step raises it');
        assert.equal(ref.dist.get(key(before!)), ids.length - 1);
        break;
      case 'transition': {
        const { f, parity } = spec.transition!;
        const step = Number(ids.at(-1)!.split('.s')[1]);
        assert.ok(step % 2 === parity && last[f]! < before![f]!, 'the last step decreases the field');
        assert.equal(ref.dist.get(key(before!)), ids.length - 1);
        break;
      }
      default:
        assert.fail(`unexpected kind ${v.kind}`);
    }
  }
}

const strip = (r: Result): unknown => ({ ...r, stats: { ...r.stats, seconds: 0, statesPerSecond: 0, peakRssBytes: 0 } });

/** FC_RUNS / FC_SEED override the defaults (e.g. FC_RUNS=20000 FC_SEED=$RANDOM for a long bug hunt). */
const RUNS = Number(process.env['FC_RUNS'] ?? 1000);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;

test('random models: same states, edges, levels, coverage and violations as the reference explorer; traces replay and are shortest', () => {
  fc.assert(
    fc.property(arbSpec, (spec) => {
      const model = buildModel(spec);
      const ref = reference(spec);
      // the reference counts an unreached sometimes as violated (null): ask for that rule
      const r = explore(model, { allViolations: true, failOnUnreachedCover: true });
      assert.equal(r.complete, true);
      assert.equal(r.stats.states, ref.states, 'distinct states');
      assert.equal(r.stats.transitions, ref.edges, 'edges');
      assert.equal(r.stats.levels, ref.levels, 'BFS levels');
      assert.deepEqual(r.coverage.map((c) => c.fired), ref.fired, 'coverage per step');
      assert.deepEqual(lengths(r), ref.violated, 'each violated property once, with the shortest trace length');
      assert.equal(r.status, ref.violated.size > 0 ? 'violation' : 'pass');
      for (const c of r.covers) {
        assert.equal(c.reached, ref.covers.has(c.property));
        if (c.reached) assert.equal(c.depth, ref.covers.get(c.property));
      }
      checkTraces(spec, model, r, ref);
    }),
    { numRuns: RUNS, seed: SEED ?? 20240611 },
  );
});

test('random models: stop at the first violation reports one violated property with its shortest trace', () => {
  fc.assert(
    fc.property(arbSpec, (spec) => {
      const model = buildModel(spec);
      const ref = reference(spec);
      const r = explore(model);
      const found = r.violations.filter((v) => v.trace !== null);
      const real = [...ref.violated].filter(([, d]) => d !== null) as [string, number][];
      if (real.length === 0) {
        assert.equal(found.length, 0);
        assert.equal(r.complete, true);
        return;
      }
      // exploration stops at the first state or edge with a violation; every property violated
      // right there is reported (e.g. a terminal property and the deadlock of the same state)
      assert.ok(r.violations.length >= 1);
      assert.equal(r.complete, false);
      assert.equal(r.status, 'violation');
      const len = r.violations[0]!.trace!.steps.length;
      for (const v of r.violations) {
        assert.equal(v.trace!.steps.length, ref.violated.get(v.property), `${v.property}: its own shortest trace`);
        assert.equal(v.trace!.steps.length, len, 'all found at the same point');
      }
      // BFS finds it no later than one layer after the globally shortest violation
      assert.ok(len <= Math.min(...real.map(([, d]) => d)) + 1);
      checkTraces(spec, model, r, ref);
    }),
    { numRuns: RUNS, seed: SEED ?? 42 },
  );
});

test('random models: exploring twice gives identical results (determinism)', () => {
  fc.assert(
    fc.property(arbSpec, fc.boolean(), (spec, all) => {
      const a = explore(buildModel(spec), { allViolations: all });
      const b = explore(buildModel(spec), { allViolations: all });
      assert.deepEqual(strip(a), strip(b));
    }),
    { numRuns: Math.ceil(RUNS / 3), seed: SEED ?? 7 },
  );
});

test('random models: budgets give incomplete (never pass) unless the whole space fits', () => {
  fc.assert(
    fc.property(arbSpec, fc.nat(60), fc.nat(12), (spec, maxStates, maxDepth) => {
      const model = buildModel(spec);
      const ref = reference(spec);
      const depth = ref.levels - 1;
      const s = explore(model, { allViolations: true, failOnUnreachedCover: true, maxStates: Math.max(1, maxStates) });
      if (Math.max(1, maxStates) < ref.states) {
        // never pass: a violation seen within the budget, otherwise incomplete
        assert.equal(s.status, s.violations.length > 0 ? 'violation' : 'incomplete');
        assert.equal(s.complete, false);
        assert.ok(s.stats.states <= Math.max(1, maxStates));
      } else {
        assert.equal(s.stats.states, ref.states);
        assert.equal(s.complete, true);
      }
      // states up to maxDepth steps deep are stored; the edges out of all of them (the last layer
      // included) are counted and checked, so maxDepth == depth is already a complete run
      const d = explore(model, { allViolations: true, failOnUnreachedCover: true, maxDepth });
      if (maxDepth < depth) {
        assert.equal(d.status, d.violations.length > 0 ? 'violation' : 'incomplete');
        assert.equal(d.incompleteReason, 'max-depth');
        const within = [...ref.dist].filter(([, x]) => x <= maxDepth);
        assert.equal(d.stats.states, within.length);
        assert.equal(d.stats.levels, maxDepth + 1);
        const edges = within.reduce((n, [k]) => n + moves(spec, k.split(',').map(Number)).filter((m) => m.next).length, 0);
        assert.equal(d.stats.transitions, edges);
      } else {
        assert.equal(d.complete, true);
        assert.equal(d.stats.states, ref.states);
        assert.equal(d.stats.transitions, ref.edges);
        assert.deepEqual(lengths(d), ref.violated);
      }
    }),
    { numRuns: RUNS, seed: SEED ?? 99 },
  );
});

// ---------------------------------------------------------------------------------------------
// Random explicit graphs: BFS depth of each node against Floyd-Warshall shortest paths

test('random graphs: the cover trace of every node is as short as the brute-force shortest path', () => {
  const arbGraph = fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }),
      inits: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 3 }),
    }),
  );
  fc.assert(
    fc.property(arbGraph, ({ n, edges, inits }) => {
      const L = new Layout();
      const node = L.int('node', 0, n - 1);
      const schema = L.finish();
      const model: Model = {
        name: 'graph',
        schema,
        processes: ['walker'],
        init: () => inits.map((i) => schema.encode({ node: i })),
        steps: edges.map(([u, v], k) => ({
          id: `e${k}:${u}->${v}`,
          process: 'walker',
          source: { file: 'graph', func: 'walk', line: `${u} -> ${v}` },
          guard: (s) => s[node.offset] === u,
          apply: (s) => void (s[node.offset] = v),
        })),
        properties: Array.from({ length: n }, (_, t) => ({ kind: 'sometimes' as const, id: `at${t}`, description: `node ${t}`, check: (s: Uint8Array) => s[node.offset] === t })),
        validEnd: () => true,
      };
      // Floyd-Warshall
      const INF = Infinity;
      const D = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : INF)));
      for (const [u, v] of edges) D[u]![v] = Math.min(D[u]![v]!, u === v ? 0 : 1);
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (D[i]![k]! + D[k]![j]! < D[i]![j]!) D[i]![j] = D[i]![k]! + D[k]![j]!;
      const best = Array.from({ length: n }, (_, t) => Math.min(...inits.map((i) => D[i]![t]!)));
      const r = explore(model, { allViolations: true });
      const reachable = best.filter((b) => b < INF);
      assert.equal(r.stats.states, reachable.length);
      assert.equal(r.stats.levels, Math.max(...reachable) + 1);
      assert.equal(r.stats.transitions, edges.filter(([u]) => best[u]! < INF).length);
      for (let t = 0; t < n; t++) {
        const c = r.covers[t]!;
        assert.equal(c.reached, best[t]! < INF, `node ${t} reached`);
        if (!c.reached) continue;
        assert.equal(c.depth, best[t], `node ${t}: trace length = shortest path`);
        const out = replay(model, c.trace!.steps.map((s) => s.step), c.trace!.initial);
        assert.equal(out.trace.states.at(-1)!['node'], t);
      }
    }),
    { numRuns: RUNS, seed: SEED ?? 3 },
  );
});
