/**
 * The explorer on hand-checked toys. The main toy is a 3x3 grid: x, y in 0..2 from (0,0), steps
 * incX (x < 2) and incY (y < 2). By hand: 9 states, 12 transitions (each step is enabled in the 6
 * states where its coordinate is below 2), the BFS distance of (x,y) is x+y so there are 5 layers
 * of sizes 1,2,3,2,1, and (2,2) is the only state without a step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore, DEADLOCK_ID, type ExploreOptions } from '../../src/engine/explore.js';
import { ModelError, type Model, type Property, type Step } from '../../src/engine/model.js';
import { Layout } from '../../src/engine/schema.js';
import { replay } from '../../src/engine/trace.js';
import type { Progress } from '../../src/engine/events.js';
import type { Result } from '../../src/engine/result.js';

const L = new Layout();
const X = L.int('x', 0, 2);
const Y = L.int('y', 0, 2);
const schema = L.finish();
const x = (s: Uint8Array): number => s[X.offset]!;
const y = (s: Uint8Array): number => s[Y.offset]!;
const src = (line: string) => ({ file: 'grid.pseudo', func: 'grid', line });
const state = (vx: number, vy: number): Uint8Array => schema.encode({ x: vx, y: vy });

interface GridOpts {
  properties?: Property[];
  validEnd?: boolean;
  incX?: Partial<Step>;
  incY?: Partial<Step>;
  init?: [number, number][];
}

function grid(o: GridOpts = {}): Model {
  return {
    name: 'grid',
    schema,
    processes: ['X', 'Y'],
    init: () => (o.init ?? [[0, 0]]).map(([a, b]) => state(a, b)),
    steps: [
      { id: 'incX', process: 'X', source: src('x++'), guard: (s) => x(s) < 2, apply: (s) => void s[X.offset]!++, ...o.incX },
      { id: 'incY', process: 'Y', source: src('y++'), guard: (s) => y(s) < 2, apply: (s) => void s[Y.offset]!++, ...o.incY },
    ],
    properties: o.properties ?? [],
    validEnd: o.validEnd === false ? undefined : () => true,
  };
}

const counts = (r: Result): [number, number, number] => [r.stats.states, r.stats.transitions, r.stats.levels];
const lengths = (r: Result): Record<string, number | null> =>
  Object.fromEntries(r.violations.map((v) => [v.property, v.trace ? v.trace.steps.length : null]));

test('grid: 9 states, 12 transitions, 5 levels (initial state = layer 1), depth 4, coverage 6 + 6', () => {
  const r = explore(grid());
  assert.equal(r.status, 'pass');
  assert.equal(r.complete, true);
  assert.equal(r.incompleteReason, undefined);
  assert.deepEqual(counts(r), [9, 12, 5]);
  assert.equal(r.stats.depth, 4);
  assert.equal(r.stats.stateBytes, 4);
  assert.deepEqual(r.coverage, [
    { step: 'incX', process: 'X', fired: 6 },
    { step: 'incY', process: 'Y', fired: 6 },
  ]);
  assert.equal(r.model, 'grid');
  assert.deepEqual(r.properties.map((p) => p.id), [DEADLOCK_ID]);
});

test('levels count BFS layers: no step gives 1 level; several and duplicate initial states share layer 1', () => {
  const still: Model = { ...grid(), steps: [] };
  assert.deepEqual(counts(explore(still)), [1, 0, 1]);
  // from (0,0) and (2,1) (and (0,0) again): layers {(0,0),(2,1)}, {(1,0),(0,1),(2,2)},
  // {(2,0),(1,1),(0,2)}, {(1,2)}: 4 levels, same 9 states and 12 edges
  const two = explore(grid({ init: [[0, 0], [2, 1], [0, 0]] }));
  assert.deepEqual(counts(two), [9, 12, 4]);
  // (2,2) alone: one state, one level
  assert.deepEqual(counts(explore(grid({ init: [[2, 2]] }))), [1, 0, 1]);
});

test('deadlock: the state with no step is reported unless it is a valid end; deadlock: false turns the check off', () => {
  const r = explore(grid({ validEnd: false }));
  assert.equal(r.status, 'violation');
  assert.deepEqual(lengths(r), { [DEADLOCK_ID]: 4 });
  const v = r.violations[0]!;
  assert.equal(v.kind, 'deadlock');
  assert.deepEqual(v.trace!.states.at(-1), { x: 2, y: 2 });
  const withEnd: Model = { ...grid(), validEnd: (s) => x(s) === 2 && y(s) === 2 };
  assert.equal(explore(withEnd).status, 'pass');
  const notThatEnd: Model = { ...grid(), validEnd: (s) => x(s) === 0 };
  assert.equal(explore(notThatEnd).status, 'violation');
  const off = explore(grid({ validEnd: false }), { deadlock: false });
  assert.equal(off.status, 'pass');
  assert.deepEqual(off.properties, []);
  const described = explore({ ...grid({ validEnd: false }), describeDeadlock: (s) => `stuck at ${x(s)},${y(s)}` });
  assert.equal(described.violations[0]!.message, 'stuck at 2,2');
});

test('always: the shortest trace to the first violating state, replayable', () => {
  const model = grid({ properties: [{ kind: 'always', id: 'not-2-1', description: 'never x=2,y=1', check: (s) => !(x(s) === 2 && y(s) === 1) }] });
  const r = explore(model);
  assert.equal(r.status, 'violation');
  assert.equal(r.complete, false, 'stopped at the first violation');
  const v = r.violations[0]!;
  assert.equal(v.property, 'not-2-1');
  assert.equal(v.kind, 'always');
  assert.equal(v.message, 'never x=2,y=1');
  const t = v.trace!;
  assert.equal(t.initial, 0);
  assert.equal(t.steps.length, 3);
  assert.equal(t.states.length, 4);
  assert.deepEqual(t.states[0], { x: 0, y: 0 });
  assert.deepEqual(t.states.at(-1), { x: 2, y: 1 });
  for (let k = 0; k < t.steps.length; k++) {
    const changed = t.steps[k]!.changes;
    assert.deepEqual({ ...t.states[k], ...changed }, t.states[k + 1], 'changes turn state k into state k+1');
    assert.equal(t.steps[k]!.source.file, 'grid.pseudo');
  }
  const out = replay(model, t.steps.map((s) => s.step), t.initial, t.states);
  assert.deepEqual(out.trace.states, t.states);
});

test('always on an initial state: a zero-step trace from that initial state', () => {
  const r = explore(grid({ init: [[0, 0], [1, 1]], properties: [{ kind: 'always', id: 'no-1-1', description: '', check: (s) => !(x(s) === 1 && y(s) === 1) }] }));
  const t = r.violations[0]!.trace!;
  assert.equal(t.initial, 1);
  assert.equal(t.steps.length, 0);
  assert.deepEqual(t.states, [{ x: 1, y: 1 }]);
});

test('transition property: checked on every edge, its string is the message, the trace ends with the edge', () => {
  const model = grid({
    properties: [
      {
        kind: 'transition',
        id: 'no-incX-on-top',
        description: 'incX never runs at y = 2',
        check: (before, step, after) => model.steps[step]!.id !== 'incX' || y(before) !== 2 || `incX from ${x(before)} to ${x(after)} at y=2`,
      },
    ],
  });
  const r = explore(model);
  const v = r.violations[0]!;
  assert.equal(v.kind, 'transition');
  assert.equal(v.message, 'incX from 0 to 1 at y=2');
  assert.deepEqual(v.trace!.steps.map((s) => s.step), ['incY', 'incY', 'incX']);
  assert.deepEqual(v.trace!.states.at(-1), { x: 1, y: 2 });
  // a `false` result uses the description
  const plain = explore(grid({ properties: [{ kind: 'transition', id: 't', description: 'never incY', check: (_b, step) => step !== 1 }] }));
  assert.equal(plain.violations[0]!.message, 'never incY');
  assert.equal(plain.violations[0]!.trace!.steps.length, 1);
});

test('terminal property: checked only on states with no step', () => {
  const seen: string[] = [];
  const r = explore(
    grid({
      properties: [
        { kind: 'terminal', id: 'sum-3', description: 'ends with x + y == 3', check: (s) => (seen.push(`${x(s)},${y(s)}`), x(s) + y(s) === 3) },
      ],
    }),
  );
  assert.deepEqual(seen, ['2,2']);
  assert.deepEqual(lengths(r), { 'sum-3': 4 });
  assert.equal(r.violations[0]!.kind, 'terminal');
  const ok = explore(grid({ properties: [{ kind: 'terminal', id: 'sum-4', description: '', check: (s) => x(s) + y(s) === 4 }] }));
  assert.equal(ok.status, 'pass');
});

test('sometimes: reached with a shortest trace; never reached is a finding, a violation (trace null) only when asked for and complete', () => {
  const props: Property[] = [
    { kind: 'sometimes', id: 'x2y0', description: 'x = 2 while y = 0', check: (s) => x(s) === 2 && y(s) === 0 },
    { kind: 'sometimes', id: 'x2y2', description: 'the corner', check: (s) => x(s) === 2 && y(s) === 2 },
    { kind: 'sometimes', id: 'never', description: 'x > 2', check: (s) => x(s) > 2 },
  ];
  const r = explore(grid({ properties: props }));
  assert.deepEqual(
    r.covers.map((c) => [c.property, c.reached, c.depth ?? null]),
    [
      ['x2y0', true, 2],
      ['x2y2', true, 4],
      ['never', false, null],
    ],
  );
  assert.deepEqual(r.covers[0]!.trace!.steps.map((s) => s.step), ['incX', 'incX']);
  // an unreached cover alone: every safety property holds, so the run passes
  assert.equal(r.status, 'pass');
  assert.deepEqual(r.violations, []);
  // --fail-on-unreached-cover, or the property's own failIfUnreached: a violation without a trace
  const failing = explore(grid({ properties: props }), { failOnUnreachedCover: true });
  const flagged = explore(grid({ properties: props.map((p) => (p.id === 'never' ? { ...p, failIfUnreached: true } : p)) }));
  for (const f of [failing, flagged]) {
    assert.equal(f.status, 'violation');
    assert.deepEqual(f.violations.map((v) => [v.property, v.kind, v.trace]), [['never', 'sometimes', null]]);
    assert.match(f.violations[0]!.message, /never reached/);
  }
  // not complete: unknown, so not reported
  const partial = explore(grid({ properties: props }), { maxStates: 4, failOnUnreachedCover: true });
  assert.equal(partial.status, 'incomplete');
  assert.deepEqual(partial.violations, []);
  assert.equal(partial.covers.find((c) => c.property === 'x2y2')!.reached, false);
});

test('assert: ctx.fail on a step reports the edge, with the message given; undeclared ids are asserts too', () => {
  const model = grid({
    properties: [{ kind: 'assert', id: 'y-from-1', description: 'incY never runs at y = 1' }],
    incY: {
      apply: (s, ctx) => {
        if (y(s) === 1) ctx.fail('y-from-1', `incY at x=${x(s)}`);
        if (x(s) === 2 && y(s) === 0) ctx.fail('undeclared');
        s[Y.offset]!++;
      },
    },
  });
  const r = explore(model, { allViolations: true });
  const v = r.violations.find((q) => q.property === 'y-from-1')!;
  assert.equal(v.kind, 'assert');
  assert.equal(v.message, 'incY at x=0');
  assert.equal(v.description, 'incY never runs at y = 1');
  assert.deepEqual(v.trace!.steps.map((s) => s.step), ['incY', 'incY']);
  assert.deepEqual(v.trace!.states.at(-1), { x: 0, y: 2 }, 'the trace includes the successor of the failing step');
  const out = replay(model, v.trace!.steps.map((s) => s.step), 0, v.trace!.states);
  assert.deepEqual(out.failures.at(-1), [{ property: 'y-from-1', message: 'incY at x=0' }]);
  const u = r.violations.find((q) => q.property === 'undeclared')!;
  assert.equal(u.kind, 'assert');
  assert.equal(u.message, 'undeclared');
  assert.equal(u.trace!.steps.length, 3);
  // the failing transitions are still explored: the counts are the grid's
  assert.deepEqual(counts(r), [9, 12, 5]);
});

/** Violated at different depths: assert 2, always 3, transition 3, terminal 4, deadlock 4, sometimes unreached. */
function manyViolations(): Model {
  const model = grid({
    validEnd: false,
    properties: [
      { kind: 'always', id: 'always', description: '', check: (s) => !(x(s) === 2 && y(s) === 1) },
      { kind: 'transition', id: 'transition', description: '', check: (b, step) => !(step === 0 && y(b) === 2) },
      { kind: 'terminal', id: 'terminal', description: '', check: () => false },
      { kind: 'sometimes', id: 'sometimes', description: '', check: () => false },
      { kind: 'assert', id: 'assert', description: '' },
    ],
    incY: {
      apply: (s, ctx) => {
        if (y(s) === 1) ctx.fail('assert');
        s[Y.offset]!++;
      },
    },
  });
  return model;
}

test('stop at the first violation vs allViolations: each property once, each with its own shortest trace', () => {
  const first = explore(manyViolations());
  assert.equal(first.status, 'violation');
  assert.equal(first.complete, false);
  // BFS order: layer 1 is expanded before layer 2, and (0,1) --incY--> raises the assert first
  assert.deepEqual(lengths(first), { assert: 2 });

  const all = explore(manyViolations(), { allViolations: true, failOnUnreachedCover: true });
  assert.equal(all.complete, true);
  assert.deepEqual(lengths(all), { assert: 2, always: 3, transition: 3, terminal: 4, [DEADLOCK_ID]: 4, sometimes: null });
  assert.equal(all.violations.length, 6, 'each property once although most are violated on several states/edges');
  assert.deepEqual(counts(all), [9, 12, 5]);
});

test('maxStates: stops with incomplete (never pass) once one more state would be stored', () => {
  for (let m = 1; m < 9; m++) {
    const r = explore(grid(), { maxStates: m });
    assert.equal(r.status, 'incomplete', `maxStates ${m}`);
    assert.equal(r.incompleteReason, 'max-states');
    assert.equal(r.complete, false);
    assert.equal(r.stats.states, m);
  }
  for (const m of [9, 10, 1000]) {
    const r = explore(grid(), { maxStates: m });
    assert.equal(r.status, 'pass');
    assert.deepEqual(counts(r), [9, 12, 5]);
  }
  // the budget does not hide a violation found within it
  const v = explore(grid({ validEnd: false }), { maxStates: 5, allViolations: true });
  assert.equal(v.status, 'incomplete');
  const within = explore(manyViolations(), { maxStates: 5 });
  assert.equal(within.status, 'violation');
  assert.deepEqual(lengths(within), { assert: 2 });
  // by hand: (0,0); (1,0), (0,1); expanding (1,0) stores (2,0), (1,1): the budget of 5 is full, and
  // expanding (0,1) raises the assert on its incY edge before (0,2) would be stored
  assert.equal(within.stats.states, 5);
});

test('memoryLimit: stops with incomplete (never pass) once resident memory exceeds it; a limit above it changes nothing', () => {
  // the check runs every 1024 states once 50 ms have passed: big() (16.7 M states) reaches it;
  // any process uses more than 1 byte
  const r = explore(big(), { memoryLimit: 1 });
  assert.equal(r.status, 'incomplete');
  assert.equal(r.incompleteReason, 'memory-limit');
  assert.equal(r.complete, false);
  assert.ok(r.stats.states >= 1024 && r.stats.states < 256 ** 3, `${r.stats.states} states`);
  assert.deepEqual(r.violations, []);
  // 1 TiB is more than this machine has: the grid is explored as without a limit
  assert.deepEqual(counts(explore(grid(), { memoryLimit: 2 ** 40 })), [9, 12, 5]);
  const capped = explore(big(), { memoryLimit: 2 ** 40, maxStates: 50_000 });
  assert.equal(capped.incompleteReason, 'max-states');
});

test('maxDepth: stores the states at most maxDepth steps deep, incomplete when more lie beyond', () => {
  // layers of the grid have sizes 1, 2, 3, 2, 1
  const expected = [1, 3, 6, 8];
  for (let d = 0; d < 4; d++) {
    const r = explore(grid(), { maxDepth: d });
    assert.equal(r.status, 'incomplete', `maxDepth ${d}`);
    assert.equal(r.incompleteReason, 'max-depth');
    assert.equal(r.stats.states, expected[d]);
    assert.equal(r.stats.levels, d + 1);
  }
  for (const d of [5, 100]) {
    const r = explore(grid(), { maxDepth: d });
    assert.equal(r.status, 'pass');
    assert.deepEqual(counts(r), [9, 12, 5]);
  }
  // a violation beyond the bound is not seen, but the verdict is not pass either
  const deep = explore(grid({ properties: [{ kind: 'always', id: 'no-corner', description: '', check: (s) => !(x(s) === 2 && y(s) === 2) }] }), { maxDepth: 3 });
  assert.equal(deep.status, 'incomplete');
  assert.deepEqual(deep.violations, []);
});

/** A model too big to finish quickly: three counters 0..255 (16.7 M states). */
function big(): Model {
  const B = new Layout();
  const f = [B.int('a', 0, 255), B.int('b', 0, 255), B.int('c', 0, 255)];
  const s = B.finish();
  return {
    name: 'big',
    schema: s,
    processes: ['P'],
    init: () => [s.blank()],
    steps: f.map((fl) => ({ id: `inc ${fl.name}`, process: 'P', source: src(`${fl.name}++`), guard: (v: Uint8Array) => v[fl.offset]! < 255, apply: (v: Uint8Array) => void v[fl.offset]!++ })),
    properties: [{ kind: 'sometimes', id: 'far', description: '', check: (v) => v[0] === 255 && v[1] === 255 && v[2] === 255 }],
    validEnd: () => true,
  };
}

test('timeLimit: stops with incomplete (never pass), and unknown sometimes are not reported', () => {
  const t0 = performance.now();
  const r = explore(big(), { timeLimit: 0.15 });
  const ms = performance.now() - t0;
  assert.equal(r.status, 'incomplete');
  assert.equal(r.incompleteReason, 'time-limit');
  assert.equal(r.complete, false);
  assert.ok(r.stats.states > 1024 && r.stats.states < 256 ** 3);
  assert.deepEqual(r.violations, []);
  assert.ok(ms < 5000, `stopped in time (${Math.round(ms)} ms)`);
});

test('progress events carry the live counts and a final event', () => {
  const events: Progress[] = [];
  const r = explore(big(), { maxStates: 300_000, onProgress: (p) => events.push(p), progressInterval: 0 });
  assert.ok(events.length >= 1);
  const last = events.at(-1)!;
  assert.equal(last.states, r.stats.states);
  assert.equal(last.transitions, r.stats.transitions);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.states >= events[i - 1]!.states);
});

test('apply returning false drops the transition: neither counted nor explored', () => {
  // incX is dropped whenever y = 1: by hand the 9 states stay reachable (move x first at y = 0),
  // incX now fires only at y in {0, 2} with x < 2 (4 edges), incY still 6: 10 transitions
  const model = grid({ incX: { apply: (s) => (y(s) === 1 ? false : void s[X.offset]!++) } });
  const r = explore(model);
  assert.deepEqual(counts(r), [9, 10, 5]);
  assert.deepEqual(r.coverage.map((c) => c.fired), [4, 6]);
  // a failure raised by a dropped transition is dropped with it
  const failing = grid({
    properties: [{ kind: 'assert', id: 'a', description: '' }],
    incX: {
      apply: (s, ctx) => {
        ctx.fail('a');
        return false;
      },
    },
  });
  const rf = explore(failing);
  assert.equal(rf.status, 'pass');
  assert.deepEqual(counts(rf), [3, 2, 3]);
  // a state whose only transitions are dropped has no step: here a deadlock of the initial state
  const stuck = explore({ ...grid({ validEnd: false, incX: { apply: () => false }, incY: { apply: () => false } }) });
  assert.deepEqual(counts(stuck), [1, 0, 1]);
  assert.deepEqual(lengths(stuck), { [DEADLOCK_ID]: 0 });
});

test('domain check: a step writing outside a field domain throws ModelError naming the step and field', () => {
  const model = grid({ incX: { guard: (s) => x(s) < 3 } });
  assert.throws(() => explore(model), (e: unknown) => e instanceof ModelError && /incX/.test(e.message) && /\bx = 3\b/.test(e.message) && /0\.\.2/.test(e.message));
  // with the check off the out-of-domain states are explored: x in 0..3, y in 0..2 = 12 states,
  // incX where x < 3 (9) + incY where y < 2 (8) = 17 edges, distance x + y up to 5 = 6 levels
  const r = explore(model, { checkDomains: false });
  assert.deepEqual(counts(r), [12, 17, 6]);
  // initial states are checked too
  const badInit: Model = { ...grid(), init: () => [new Uint8Array([7, 0, 0, 0])] };
  assert.throws(() => explore(badInit), (e: unknown) => e instanceof ModelError && /initial state/.test(e.message));
  // a wrong vector size is a model error
  const badSize: Model = { ...grid(), init: () => [new Uint8Array(3)] };
  assert.throws(() => explore(badSize), ModelError);
});

test('a compiled expand() gives the same exploration as the steps', () => {
  const plain = grid({ validEnd: false, properties: manyViolations().properties.filter((p) => p.kind !== 'assert') });
  const compiled: Model = {
    ...plain,
    expand(srcState, dst, _ctx, emit) {
      if (x(srcState) < 2) {
        dst.set(srcState);
        dst[X.offset]!++;
        if (!emit(0)) return;
      }
      if (y(srcState) < 2) {
        dst.set(srcState);
        dst[Y.offset]!++;
        emit(1);
      }
    },
  };
  const opts: ExploreOptions = { allViolations: true };
  const a = explore(plain, opts);
  const b = explore(compiled, opts);
  assert.deepEqual(counts(a), counts(b));
  assert.deepEqual(lengths(a), lengths(b));
  assert.deepEqual(a.coverage, b.coverage);
});

// ---------------------------------------------------------------------------------------------
// Regression tests for three engine bugs these tests found (fixed in explore.ts).

test(
  'maxDepth equal to the depth of the state space still checks and counts the edges out of the last layer',
  // formerly: the maxDepth layer was only probed, so its back edges were neither counted nor checked, yet the run said complete/pass
  () => {
    const B = new Layout();
    const v = B.int('v', 0, 1);
    const s = B.finish();
    const model: Model = {
      name: 'back-edge',
      schema: s,
      processes: ['P'],
      init: () => [s.blank()],
      steps: [
        { id: 'up', process: 'P', source: src('v = 1'), guard: (q) => q[v.offset] === 0, apply: (q) => void (q[v.offset] = 1) },
        {
          id: 'down',
          process: 'P',
          source: src('assert(false); v = 0'),
          guard: (q) => q[v.offset] === 1,
          apply: (q, ctx) => {
            ctx.fail('never-down');
            q[v.offset] = 0;
          },
        },
      ],
      properties: [{ kind: 'assert', id: 'never-down', description: 'down never runs' }],
    };
    const full = explore(model);
    assert.equal(full.status, 'violation');
    const bounded = explore(model, { maxDepth: 1 });
    // the edge out of the maxDepth layer is checked
    assert.equal(bounded.status, 'violation');
    assert.deepEqual(bounded.violations.map((q) => [q.property, q.trace!.steps.length]), [['never-down', 2]]);
    // and a complete bounded run counts what an unbounded run counts
    const noProps = explore({ ...model, properties: [], steps: model.steps.map((st) => ({ ...st, apply: (q: Uint8Array) => void (q[v.offset] = 1 - q[v.offset]!) })) }, { maxDepth: 1 });
    assert.equal(noProps.status, 'pass');
    assert.equal(noProps.complete, true);
    assert.equal(noProps.stats.transitions, 2);
    assert.deepEqual(noProps.coverage.map((c) => c.fired), [1, 1]);
  },
);

test(
  'the initial-state index of a trace survives more than 65 536 initial states',
  // formerly: initial-state indices shared the 16-bit step-id column and wrapped at 65 536, so trace.initial was wrong
  () => {
    const B = new Layout();
    const a = B.int('a', 0, 255);
    const b = B.int('b', 0, 255);
    const c = B.int('c', 0, 1);
    const s = B.finish();
    const inits: Uint8Array[] = [];
    for (let k = 0; k <= 65536; k++) inits.push(s.encode({ a: k & 255, b: (k >> 8) & 255, c: k >> 16 }));
    const model: Model = {
      name: 'many-inits',
      schema: s,
      processes: ['P'],
      init: () => inits,
      steps: [],
      properties: [{ kind: 'always', id: 'c-zero', description: 'c == 0', check: (q) => q[c.offset] === 0 }],
      validEnd: () => true,
    };
    const r = explore(model);
    const t = r.violations[0]!.trace!;
    assert.equal(t.initial, 65536);
    replay(model, [], t.initial, t.states);
  },
);

test(
  'maxStates equal to the number of distinct states is not a budget overrun, even with repeated initial states',
  // formerly: the initial-state loop tested the budget before de-duplicating, so init() = [s, s] with maxStates 1 was incomplete
  () => {
    const r = explore(grid({ init: [[2, 2], [2, 2]] }), { maxStates: 1 });
    assert.equal(r.status, 'pass');
  },
);

test('stats.storedStateBytes: what the store keeps per state — 12 booleans are 12 vector bytes, 12 bits packed into one 4-byte word, or a 64-bit fingerprint', () => {
  const BL = new Layout();
  const flags = Array.from({ length: 12 }, (_, i) => BL.bool(`f${i}`));
  const bs = BL.finish();
  // each step sets one flag: 2^12 states
  const toy: Model = {
    name: 'flags',
    schema: bs,
    processes: ['P'],
    init: () => [new Uint8Array(bs.size)],
    steps: flags.map((f, i) => ({ id: `set${i}`, process: 'P', source: src(`f${i} = 1`), guard: (s: Uint8Array) => s[f.offset] === 0, apply: (s: Uint8Array) => void (s[f.offset] = 1) })),
    properties: [],
    validEnd: () => true,
  };
  const exact = explore(toy);
  assert.equal(exact.stats.states, 4096);
  assert.equal(exact.stats.stateBytes, 12);
  assert.equal(exact.stats.storedStateBytes, 4);
  assert.equal(explore(toy, { fingerprint: true }).stats.storedStateBytes, 8);
});
