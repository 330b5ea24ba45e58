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
import type { Model, Property, Step } from '../../src/engine/model.js';
import type { Result } from '../../src/engine/result.js';
import { Layout, type Field } from '../../src/engine/schema.js';
import { replay } from '../../src/engine/trace.js';

// ---------------------------------------------------------------------------------------------
// Model specs (plain data)

interface Domain {
  readonly min: number;
  readonly size: number;
}
type Cond =
  | { readonly k: 'true' }
  | { readonly k: 'cmp'; readonly f: number; readonly op: '==' | '!=' | '<' | '>='; readonly c: number }
  | { readonly k: 'and' | 'or'; readonly a: Cond; readonly b: Cond }
  | { readonly k: 'not'; readonly a: Cond };
/** Value assigned to a data field, wrapped into its domain. */
type Expr = { readonly k: 'const'; readonly c: number } | { readonly k: 'field'; readonly f: number; readonly d: number };
interface Assign {
  readonly f: number;
  readonly e: Expr;
}
interface StepSpec {
  readonly proc: number;
  readonly from: number;
  readonly to: number;
  readonly guard: Cond;
  readonly effect: readonly Assign[];
  readonly drop: Cond | null;
  readonly fail: { readonly cond: Cond; readonly prop: 'a0' | 'a1' } | null;
}
interface Spec {
  /** Data fields, then one pc field per process (domain 0..pcs-1); conditions may read all. */
  readonly data: readonly Domain[];
  readonly pcs: readonly number[];
  readonly steps: readonly StepSpec[];
  /** Initial data values (pcs start at 0). */
  readonly inits: readonly (readonly number[])[];
  readonly always: Cond | null;
  readonly terminal: Cond | null;
  readonly validEnd: Cond | null;
  readonly sometimes: readonly Cond[];
  /** Steps with index parity `parity` must not decrease data field `f`. */
  readonly transition: { readonly f: number; readonly parity: number } | null;
}

const domainOf = (spec: Pick<Spec, 'data' | 'pcs'>, f: number): Domain => (f < spec.data.length ? spec.data[f]! : { min: 0, size: spec.pcs[f - spec.data.length]! });
const wrap = (d: Domain, v: number): number => d.min + ((((v - d.min) % d.size) + d.size) % d.size);

// ---------------------------------------------------------------------------------------------
// Arbitraries: raw integers normalised against the spec being built (so shrinking stays simple)

const arbDomain: fc.Arbitrary<Domain> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ min: fc.constant(0), size: fc.integer({ min: 2, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ min: fc.integer({ min: -3, max: -1 }), size: fc.integer({ min: 2, max: 4 }) }) }, // signed byte
  { weight: 1, arbitrary: fc.record({ min: fc.constantFrom(-300, 1000, 32764), size: fc.integer({ min: 2, max: 3 }) }) }, // 16-bit
  { weight: 1, arbitrary: fc.record({ min: fc.constant(253), size: fc.integer({ min: 2, max: 3 }) }) }, // top of a byte
);

type RawCond = { k: 'true' } | { k: 'cmp'; f: number; op: number; c: number } | { k: 'and' | 'or'; a: RawCond; b: RawCond } | { k: 'not'; a: RawCond };

const { cond: arbRawCond } = fc.letrec<{ cond: RawCond }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant({ k: 'true' as const }) },
    { weight: 5, arbitrary: fc.record({ k: fc.constant('cmp' as const), f: fc.nat(20), op: fc.nat(3), c: fc.integer({ min: -1, max: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('and' as const, 'or' as const), a: tie('cond'), b: tie('cond') }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('not' as const), a: tie('cond') }) },
  ),
}));

// guards are often true so that state spaces are not all trivially small
const arbGuard: fc.Arbitrary<RawCond> = fc.oneof({ weight: 3, arbitrary: fc.constant({ k: 'true' as const }) }, { weight: 2, arbitrary: arbRawCond });

const arbRawStep = fc.record({
  proc: fc.nat(10),
  from: fc.nat(10),
  to: fc.nat(10),
  guard: arbGuard,
  // k: constant or field + d; `c` is the constant, or d + 2 (so mostly d in -1..1: counters)
  effect: fc.array(fc.record({ f: fc.nat(10), k: fc.nat(3).map((v) => v === 0), g: fc.nat(20), c: fc.integer({ min: 0, max: 4 }) }), { minLength: 1, maxLength: 2 }),
  drop: fc.option(arbRawCond, { freq: 5 }),
  fail: fc.option(fc.record({ cond: arbRawCond, prop: fc.constantFrom('a0' as const, 'a1' as const) }), { freq: 3 }),
});

const arbSpec: fc.Arbitrary<Spec> = fc
  .record({
    data: fc.array(arbDomain, { minLength: 1, maxLength: 4 }),
    pcs: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    steps: fc.array(arbRawStep, { minLength: 3, maxLength: 14 }),
    inits: fc.array(fc.array(fc.nat(10), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    always: fc.option(arbRawCond, { freq: 2 }),
    terminal: fc.option(arbRawCond, { freq: 2 }),
    validEnd: fc.option(arbRawCond, { freq: 2 }),
    sometimes: fc.array(arbRawCond, { maxLength: 2 }),
    transition: fc.option(fc.record({ f: fc.nat(10), parity: fc.nat(1) }), { freq: 2 }),
  })
  .map((raw): Spec => {
    const nd = raw.data.length;
    const nAll = nd + raw.pcs.length;
    const base = { data: raw.data, pcs: raw.pcs };
    const cond = (c: RawCond): Cond => {
      switch (c.k) {
        case 'true':
          return c;
        case 'cmp': {
          const f = c.f % nAll;
          const d = domainOf(base, f);
          // constants around the domain, one past each end included
          return { k: 'cmp', f, op: (['==', '!=', '<', '>='] as const)[c.op]!, c: d.min + (c.c % (d.size + 1)) };
        }
        case 'not':
          return { k: 'not', a: cond(c.a) };
        default:
          return { k: c.k, a: cond(c.a), b: cond(c.b) };
      }
    };
    return {
      ...base,
      steps: raw.steps.map((s) => {
        const proc = s.proc % raw.pcs.length;
        const n = raw.pcs[proc]!;
        return {
          proc,
          from: s.from % n,
          to: s.to % n,
          guard: cond(s.guard),
          effect: s.effect.map((a) => ({ f: a.f % nd, e: a.k ? { k: 'const' as const, c: a.c } : { k: 'field' as const, f: a.g % nAll, d: a.c - 2 } })),
          drop: s.drop === null ? null : cond(s.drop),
          fail: s.fail === null ? null : { cond: cond(s.fail.cond), prop: s.fail.prop },
        };
      }),
      inits: raw.inits.map((v) => raw.data.map((d, i) => wrap(d, d.min + v[i]!))),
      always: raw.always && cond(raw.always),
      terminal: raw.terminal && cond(raw.terminal),
      validEnd: raw.validEnd && cond(raw.validEnd),
      sometimes: raw.sometimes.map(cond),
      transition: raw.transition && { f: raw.transition.f % nd, parity: raw.transition.parity },
    };
  });

// ---------------------------------------------------------------------------------------------
// Engine side: compile the spec to a Model over packed bytes

const stepId = (spec: Spec, i: number): string => `p${spec.steps[i]!.proc}.s${i}`;

function buildModel(spec: Spec): Model {
  const L = new Layout();
  const fields: Field[] = spec.data.map((d, i) => L.int(`v${i}`, d.min, d.min + d.size - 1));
  spec.pcs.forEach((n, p) => fields.push(L.enum(`p${p}.pc`, Array.from({ length: n }, (_, k) => `l${k}`), `p${p}`)));
  const schema = L.finish();
  const get = (s: Uint8Array, f: number): number => schema.get(s, fields[f]!);

  const compile = (c: Cond): ((s: Uint8Array) => boolean) => {
    switch (c.k) {
      case 'true':
        return () => true;
      case 'cmp': {
        const f = c.f;
        const k = c.c;
        if (c.op === '==') return (s) => get(s, f) === k;
        if (c.op === '!=') return (s) => get(s, f) !== k;
        if (c.op === '<') return (s) => get(s, f) < k;
        return (s) => get(s, f) >= k;
      }
      case 'and': {
        const a = compile(c.a);
        const b = compile(c.b);
        return (s) => a(s) && b(s);
      }
      case 'or': {
        const a = compile(c.a);
        const b = compile(c.b);
        return (s) => a(s) || b(s);
      }
      case 'not': {
        const a = compile(c.a);
        return (s) => !a(s);
      }
    }
  };
  const assign = (a: Assign): ((s: Uint8Array) => void) => {
    const f = fields[a.f]!;
    const lo = f.min;
    const size = f.max - f.min + 1;
    const put = (s: Uint8Array, v: number): void => schema.set(s, f, lo + ((((v - lo) % size) + size) % size));
    if (a.e.k === 'const') {
      const c = a.e.c;
      return (s) => put(s, c);
    }
    const g = fields[a.e.f]!;
    const d = a.e.d;
    return (s) => put(s, schema.get(s, g) + d);
  };

  const steps: Step[] = spec.steps.map((st, i) => {
    const pc = fields[spec.data.length + st.proc]!;
    const guard = compile(st.guard);
    const effects = st.effect.map(assign);
    const drop = st.drop ? compile(st.drop) : null;
    const fail = st.fail ? { cond: compile(st.fail.cond), prop: st.fail.prop } : null;
    return {
      id: stepId(spec, i),
      process: `p${st.proc}`,
      source: { file: 'random', func: `p${st.proc}`, line: `step ${i}` },
      guard: (s) => s[pc.offset] === st.from && guard(s),
      apply: (s, ctx) => {
        if (fail && fail.cond(s)) ctx.fail(fail.prop, `step ${i}`);
        if (drop && drop(s)) return false;
        for (const e of effects) e(s);
        s[pc.offset] = st.to;
        return true;
      },
    };
  });

  const properties: Property[] = [{ kind: 'assert', id: 'a0', description: 'assertion a0' }];
  if (spec.always) properties.push({ kind: 'always', id: 'always', description: 'random invariant', check: compile(spec.always) });
  if (spec.terminal) properties.push({ kind: 'terminal', id: 'terminal', description: 'random end condition', check: compile(spec.terminal) });
  spec.sometimes.forEach((c, i) => properties.push({ kind: 'sometimes', id: `sometimes${i}`, description: `cover ${i}`, check: compile(c) }));
  if (spec.transition) {
    const { f, parity } = spec.transition;
    properties.push({
      kind: 'transition',
      id: 'transition',
      description: 'monotone field',
      check: (b, step, a) => step % 2 !== parity || get(a, f) >= get(b, f),
    });
  }
  const validEnd = spec.validEnd ? compile(spec.validEnd) : undefined;
  return {
    name: 'random',
    schema,
    processes: spec.pcs.map((_, p) => `p${p}`),
    init: () =>
      spec.inits.map((vals) => {
        const s = schema.blank();
        vals.forEach((v, i) => schema.set(s, fields[i]!, v));
        return s;
      }),
    steps,
    properties,
    validEnd,
  };
}

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
