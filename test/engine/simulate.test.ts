/**
 * simulate(): seeded random walks and fast-check shrinking. On the classic models the shrunk
 * traces must have the known shortest lengths (racy counter 2N, Peterson turn-first 6, naive
 * philosophers' deadlock N), replay to the violation, and be 1-minimal (no single step can be
 * removed). Correct models give 'incomplete' / 'simulation', never 'pass'. Same seed, same result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelError, type AlwaysProperty, type Model, type PropertyKind } from '../../src/engine/model.js';
import type { Result, Violation } from '../../src/engine/result.js';
import { Layout } from '../../src/engine/schema.js';
import { Rng, Shrinker, simulate } from '../../src/engine/simulate.js';
import { RecordingCtx, replay } from '../../src/engine/trace.js';
import { buildCounter, buildPeterson, buildPhilosophers } from '../../models/classic/index.js';
import { buildXenTimer } from '../../models/xen-timer/index.js';
import { xenDepth } from '../models/xen-expected.js';

/** The state after replaying the violation's trace by step name. */
function endState(model: Model, v: Violation): Uint8Array {
  assert.ok(v.trace, `${v.property} has a trace`);
  const out = replay(
    model,
    v.trace.steps.map((s) => s.step),
    v.trace.initial,
    v.trace.states,
  );
  return model.schema.encode(out.trace.states.at(-1)!);
}

function anyEnabled(model: Model, s: Uint8Array): boolean {
  const ctx = new RecordingCtx();
  return model.steps.some((st) => st.guard(s) && st.apply(s.slice(), ctx) !== false);
}

/** The depth of the walk that found it, from the message. */
function foundDepth(v: Violation): number {
  const m = /found by run \d+ of seed \d+ at depth (\d+)/.exec(v.message);
  assert.ok(m, v.message);
  return Number(m[1]);
}

/** Step indices of a trace (step ids are unique in these models). */
function indices(model: Model, v: Violation): number[] {
  return v.trace!.steps.map((s) => model.steps.findIndex((x) => x.id === s.step));
}

/** No single step of the reported trace can be removed with the property still failing. */
function assertOneMinimal(model: Model, v: Violation, fresh?: () => Model): void {
  const sh = new Shrinker(model, { fresh }, true);
  const steps = indices(model, v);
  assert.equal(sh.evaluate(v.property, v.kind as PropertyKind, v.trace!.initial, steps).fails, true, 'the trace itself fails');
  for (let k = 0; k < steps.length; k++) {
    const without = [...steps.slice(0, k), ...steps.slice(k + 1)];
    assert.equal(sh.evaluate(v.property, v.kind as PropertyKind, v.trace!.initial, without).fails, false, `${v.property}: step ${k + 1} can be removed`);
  }
}

/** The result without its timing, for determinism checks. */
function stable(r: Result): unknown {
  const { seconds: _s, statesPerSecond: _r, peakRssBytes: _m, ...stats } = r.stats;
  return { ...r, stats };
}

test('Rng: deterministic per (seed, run), streams differ across seeds and runs (also above 32 bits), below(n) stays in range and covers it', () => {
  const draw = (seed: number, run: number): number[] => {
    const g = new Rng(seed, run);
    return Array.from({ length: 8 }, () => g.next());
  };
  assert.deepEqual(draw(42, 3), draw(42, 3));
  const streams = [draw(0, 0), draw(1, 0), draw(0, 1), draw(2 ** 32, 0), draw(2 ** 40 + 7, 5)].map((s) => s.join(','));
  assert.equal(new Set(streams).size, streams.length);
  const g = new Rng(7, 0);
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 6000; i++) {
    const x = g.below(6);
    assert.ok(Number.isInteger(x) && x >= 0 && x < 6);
    counts[x]!++;
  }
  for (const c of counts) assert.ok(c > 800 && c < 1200, `roughly uniform: ${counts.join(' ')}`);
  assert.equal(g.below(1), 0);
});

test('racy counter N = 2..5: a fixed seed finds the lost update, shrunk to exactly 2N steps, 1-minimal, replaying to a terminal state with x < N', () => {
  for (let n = 2; n <= 5; n++) {
    const model = buildCounter({ procs: n, variant: 'racy' });
    const r = simulate(model, { seed: 11, runs: 200, depth: 50 });
    assert.equal(r.status, 'violation', `N=${n}`);
    assert.equal(r.complete, false);
    assert.deepEqual(r.violations.map((v) => v.property), ['final-count']);
    const v = r.violations[0]!;
    assert.equal(v.kind, 'terminal');
    assert.equal(v.trace!.steps.length, 2 * n, `N=${n}: every violating schedule has 2N steps`);
    assert.ok(v.trace!.steps.length <= foundDepth(v));
    assert.match(v.message, /^found by run \d+ of seed 11 at depth \d+, shrunk to \d+ steps$/);
    const end = endState(model, v);
    assert.equal(anyEnabled(model, end), false, 'terminal');
    assert.ok(model.schema.get(end, model.schema.field('x')) < n, 'an increment was lost');
    assertOneMinimal(model, v);
  }
});

test('Peterson turn-first: mutual exclusion violated, a long walk shrunk to the shortest 6 steps, 1-minimal; both processes in the critical section at the end', () => {
  const model = buildPeterson({ variant: 'turn-first' });
  const r = simulate(model, { seed: 1, runs: 50, depth: 500 });
  assert.equal(r.status, 'violation');
  const v = r.violations.find((x) => x.property === 'mutex')!;
  assert.ok(v, 'mutex violated');
  assert.equal(v.kind, 'always');
  assert.equal(v.trace!.steps.length, 6);
  assert.ok(foundDepth(v) > 6, `the walk was longer (${foundDepth(v)})`);
  const end = endState(model, v);
  const mutex = model.properties.find((p) => p.id === 'mutex') as AlwaysProperty;
  assert.equal(mutex.check(end), false);
  assert.equal(model.schema.decode(end)['P0.pc'], 'cs');
  assert.equal(model.schema.decode(end)['P1.pc'], 'cs');
  assertOneMinimal(model, v);
});

test('naive philosophers N = 2..6: the deadlock is found and shrunk to N steps (everyone holds the left fork); asymmetric: none', () => {
  for (let n = 2; n <= 6; n++) {
    const model = buildPhilosophers({ n, order: 'naive' });
    const r = simulate(model, { seed: 3, runs: 100, depth: 300 });
    const v = r.violations.find((x) => x.property === 'deadlock');
    assert.ok(v, `N=${n}: deadlock found`);
    assert.equal(v.kind, 'deadlock');
    assert.equal(v.trace!.steps.length, n, `N=${n}`);
    assert.match(v.message, /\(circular wait\) \(found by run \d+ of seed 3 at depth \d+, shrunk to \d+ steps\)$/);
    const end = model.schema.decode(endState(model, v));
    for (let i = 0; i < n; i++) {
      assert.equal(end[`phil${i}.pc`], 'one_fork');
      assert.equal(end[`fork[${i}]`], `phil${i}`);
    }
    assertOneMinimal(model, v);
    const ok = simulate(buildPhilosophers({ n, order: 'asymmetric' }), { seed: 3, runs: 50, depth: 100 });
    assert.equal(ok.status, 'incomplete', `N=${n} asymmetric`);
    assert.equal(ok.violations.length, 0);
  }
  // and with deadlock reports off, the naive ring shows nothing
  const off = simulate(buildPhilosophers({ n: 3, order: 'naive' }), { seed: 3, runs: 100, depth: 300, deadlock: false });
  assert.equal(off.status, 'incomplete');
  assert.equal(off.violations.length, 0);
  assert.equal(off.properties.some((p) => p.id === 'deadlock'), false);
});

test('correct models are never a pass: incomplete, reason simulation, no violations, every run walked; covers carry replayable walk traces', () => {
  const cases: [Model, number][] = [
    [buildPeterson({ variant: 'correct' }), 200],
    [buildCounter({ procs: 4, variant: 'atomic' }), 200],
  ];
  for (const [model, depth] of cases) {
    const r = simulate(model, { seed: 5, runs: 60, depth });
    assert.equal(r.status, 'incomplete', model.name);
    assert.equal(r.incompleteReason, 'simulation');
    assert.equal(r.complete, false);
    assert.deepEqual(r.violations, []);
    assert.equal(r.info!['simulation.seed'], 5);
    assert.equal(r.info!['simulation.runs'], 60);
    assert.equal(r.info!['simulation.walks'], 60);
    assert.equal(r.info!['simulation.depth'], depth);
    assert.ok(r.stats.transitions > 0 && r.stats.states > 1);
    assert.equal(r.stats.transitions, r.coverage.reduce((a, c) => a + c.fired, 0), 'coverage counts every step taken');
    assert.equal(r.stats.depth, r.info!['simulation.longestWalk']);
  }
  // the atomic counter's walks all end after N steps in its single end state: 2^N states are visited
  const atomic = simulate(buildCounter({ procs: 4, variant: 'atomic' }), { seed: 5, runs: 300, depth: 100 });
  assert.equal(atomic.stats.depth, 4);
  assert.equal(atomic.stats.transitions, 300 * 4);
  assert.ok(atomic.stats.states <= 16);
  // Peterson walks never end (cyclic): each takes the full depth; P0 reaches its critical section
  const pet = simulate(buildPeterson({ variant: 'correct' }), { seed: 5, runs: 20, depth: 100 });
  assert.equal(pet.stats.transitions, 20 * 100);
  assert.equal(pet.stats.states, 20, 'all 20 reachable states are visited');
  const cover = pet.covers.find((c) => c.property === 'p0-in-cs')!;
  assert.equal(cover.reached, true);
  assert.equal(cover.depth, cover.trace!.steps.length);
  const model = buildPeterson({ variant: 'correct' });
  const end = replay(model, cover.trace!.steps.map((s) => s.step)).trace.states.at(-1)!;
  assert.equal(end['P0.pc'], 'cs');
});

test('deterministic: the same seed gives the same result; other seeds take other walks', () => {
  const a = simulate(buildPeterson({ variant: 'turn-first' }), { seed: 99, runs: 30, depth: 300, allViolations: true });
  const b = simulate(buildPeterson({ variant: 'turn-first' }), { seed: 99, runs: 30, depth: 300, allViolations: true });
  assert.deepEqual(stable(a), stable(b));
  const c1 = simulate(buildCounter({ procs: 3 }), { seed: 1, runs: 1, depth: 10, shrink: false });
  const c2 = simulate(buildCounter({ procs: 3 }), { seed: 1, runs: 1, depth: 10, shrink: false });
  assert.deepEqual(stable(c1), stable(c2));
  const walks = new Set<string>();
  for (let seed = 0; seed < 8; seed++) {
    const r = simulate(buildPeterson({ variant: 'correct' }), { seed, runs: 1, depth: 40 });
    walks.add(JSON.stringify(r.coverage.map((c) => c.fired)));
  }
  assert.ok(walks.size > 1, 'different seeds, different walks');
});

test('shrink: false reports the walk as taken (depth = trace length); a budget of 1 schedule stops shrinking early and says so', () => {
  const model = buildPeterson({ variant: 'turn-first' });
  const raw = simulate(model, { seed: 1, runs: 50, depth: 500, shrink: false });
  const v = raw.violations[0]!;
  assert.equal(v.trace!.steps.length, foundDepth(v));
  assert.match(v.message, /not shrunk \(shrinking is off\)/);
  const shrunk = simulate(model, { seed: 1, runs: 50, depth: 500 });
  assert.equal(foundDepth(shrunk.violations[0]!), foundDepth(v), 'same walk found it');
  const cut = simulate(buildPeterson({ variant: 'turn-first' }), { seed: 1, runs: 50, depth: 500, maxShrinkEvaluations: 1 });
  assert.match(cut.violations[0]!.message, /budget of 1 schedules reached/);
  assert.equal(cut.violations[0]!.trace!.steps.length, foundDepth(v));
});

/** One process: `inc` x up to 3; at 3, `boom` raises an assertion; `noise` toggles a bit. `two`: a second initial state with x = 2. */
function assertModel(two = false): Model {
  const L = new Layout();
  const x = L.int('x', 0, 3);
  const bit = L.bool('bit');
  const schema = L.finish();
  const src = { file: 't.c', func: 'f', line: '' };
  return {
    name: 'boom',
    schema,
    processes: ['P', 'Q'],
    init: () => (two ? [schema.blank(), schema.encode({ x: 2 })] : [schema.blank()]),
    steps: [
      { id: 'noise', process: 'Q', source: src, guard: () => true, apply: (s) => void (s[bit.offset] = 1 - s[bit.offset]!) },
      { id: 'inc', process: 'P', source: src, guard: (s) => s[x.offset]! < 3, apply: (s) => void s[x.offset]!++ },
      {
        id: 'boom',
        process: 'P',
        source: src,
        guard: (s) => s[x.offset] === 3,
        apply: (s, ctx) => {
          ctx.fail('no-boom', `boom with bit=${s[bit.offset]}`);
          s[x.offset] = 0;
        },
      },
      // never taken: apply drops the edge
      { id: 'dropped', process: 'P', source: src, guard: () => true, apply: () => false },
    ],
    properties: [{ kind: 'assert', id: 'no-boom', description: 'never boom' }],
  };
}

test('assert (ctx.fail) violations are shrunk to the minimal 4 steps and carry the message of the shrunk run; dropped edges are never taken', () => {
  const model = assertModel();
  const r = simulate(model, { seed: 2, runs: 20, depth: 200 });
  const v = r.violations[0]!;
  assert.equal(v.property, 'no-boom');
  assert.equal(v.kind, 'assert');
  assert.deepEqual(v.trace!.steps.map((s) => s.step), ['inc', 'inc', 'inc', 'boom']);
  assert.match(v.message, /^boom with bit=0 \(found by run 1 of seed 2 at depth \d+, shrunk to 4 steps\)$/);
  assert.equal(r.coverage.find((c) => c.step === 'dropped')!.fired, 0);
  assertOneMinimal(model, v);
});

test('several initial states: walks start at a random one; the trace keeps it and replays from it', () => {
  const starts = new Set<number>();
  for (let seed = 0; seed < 12; seed++) {
    const model = assertModel(true);
    const v = simulate(model, { seed, runs: 20, depth: 200 }).violations[0]!;
    const from = v.trace!.initial;
    starts.add(from);
    assert.equal(v.trace!.steps.length, from === 0 ? 4 : 2, `seed ${seed} from ${from}`);
    assert.equal(replay(model, v.trace!.steps.map((s) => s.step), from).failures.at(-1)![0]!.property, 'no-boom');
  }
  assert.deepEqual([...starts].sort(), [0, 1]);
});

/**
 * A lockdep-like transition property that keeps state: it remembers the orders (A then B, B then
 * A) seen so far and fails when both were seen. `twice`: a walk may take two sections (both orders
 * in one walk); otherwise one section per walk, so only an accumulated graph can see both.
 */
function orderModel(twice: boolean): Model {
  const L = new Layout();
  const done = L.int('done', 0, 2);
  const schema = L.finish();
  const src = { file: 'l.c', func: 'f', line: '' };
  const seen = new Set<string>();
  const limit = twice ? 2 : 1;
  return {
    name: 'order',
    schema,
    processes: ['P'],
    init: () => [schema.blank()],
    steps: [
      { id: 'ab', process: 'P', source: src, guard: (s) => s[done.offset]! < limit, apply: (s) => void s[done.offset]!++ },
      { id: 'ba', process: 'P', source: src, guard: (s) => s[done.offset]! < limit, apply: (s) => void s[done.offset]!++ },
      { id: 'idle', process: 'P', source: src, guard: (s) => s[done.offset]! < limit, apply: () => {} },
    ],
    properties: [
      {
        kind: 'transition',
        id: 'order',
        description: 'A and B are always taken in the same order',
        check: (_b, step) => {
          if (step === 2) return true;
          seen.add(step === 0 ? 'ab' : 'ba');
          return seen.size < 2 ? true : 'both A->B and B->A seen';
        },
      },
    ],
    validEnd: () => true,
  };
}

test('stateful transition properties: with `fresh` every walk and shrink try starts clean (trace trips on its own, shrunk to 2 steps); without, the state accumulates over walks and a cross-walk trace is reported unshrunk', () => {
  const fresh = (): Model => orderModel(true);
  const r = simulate(orderModel(true), { seed: 4, runs: 200, depth: 20, fresh });
  const v = r.violations[0]!;
  assert.equal(v.property, 'order');
  assert.equal(v.trace!.steps.length, 2);
  assert.deepEqual(new Set(v.trace!.steps.map((s) => s.step)), new Set(['ab', 'ba']));
  assert.match(v.message, /^both A->B and B->A seen \(found by run \d+ of seed 4 at depth \d+, shrunk to 2 steps\)$/);
  assertOneMinimal(orderModel(true), v, fresh);

  // one section per walk: isolated walks never see both orders...
  const isolated = simulate(orderModel(false), { seed: 4, runs: 100, depth: 20, fresh: () => orderModel(false) });
  assert.equal(isolated.status, 'incomplete');
  // ...a shared instance does, on a later walk: reported as walked, saying why it is not shrunk
  const shared = simulate(orderModel(false), { seed: 4, runs: 100, depth: 20 });
  const w = shared.violations[0]!;
  assert.equal(w.property, 'order');
  assert.match(w.message, /^both A->B and B->A seen \(found by run \d+ .*not shrunk \(without a fresh model copy per walk the property keeps state across walks/);
  assert.notEqual(/found by run (\d+)/.exec(w.message)![1], '1');
  assert.equal(w.trace!.steps.length, foundDepth(w));
  assert.ok(['ab', 'ba'].includes(w.trace!.steps.at(-1)!.step));
});

test('the Xen timer model (seed-v2): a fixed seed finds kernel.recursive-lock in seconds, shrunk to >= 24 steps (the exhaustive shortest), replaying to the violation', () => {
  // without the optional refresher actor (models/xen-timer/refresher.ts): it re-validates the
  // shared_info cache soon after most invalidations, so fewer random walks reach the deadlock
  const fresh = (): Model => buildXenTimer({ refresher: false });
  const model = fresh();
  const started = performance.now();
  // allViolations: seed-v2 also violates kernel.raw-lock-nesting (8 steps), found first
  const r = simulate(model, { seed: 1, runs: 200, depth: 200, fresh, allViolations: true });
  assert.ok(performance.now() - started < 15_000);
  assert.equal(r.status, 'violation');
  const v = r.violations.find((x) => x.property === 'kernel.recursive-lock');
  assert.ok(v, r.violations.map((x) => x.property).join(', '));
  const n = v.trace!.steps.length;
  // no shorter than the exhaustive shortest at the same bounds (24, models/xen-timer/expected.json;
  // a walk without the refresher is also a run of the model with it, so it cannot be shorter)
  assert.ok(n >= xenDepth('seed-v2', 'kernel.recursive-lock') && n <= foundDepth(v), `${n} steps`);
  const p = model.properties.find((x) => x.id === 'kernel.recursive-lock') as { check(s: Uint8Array): boolean };
  const end = endState(model, v);
  assert.equal(p.check(end), false, 'violated at the end of the trace');
  // and at no earlier state of it (it is cut at the first violation)
  const states = replay(model, v.trace!.steps.map((s) => s.step)).trace.states;
  for (const s of states.slice(0, -1)) assert.equal(p.check(model.schema.encode(s)), true);
  assert.equal(r.info!['variant'], 'seed-v2');
  assert.equal(r.info!['simulation.seed'], 1);
});

test('all violations: each violated property once with its own shrunk trace; the walks go on to the last run', () => {
  const model = buildXenTimer({ refresher: false }); // as above
  const r = simulate(model, { seed: 1, runs: 60, depth: 200, allViolations: true, fresh: () => buildXenTimer({ refresher: false }) });
  const ids = r.violations.map((v) => v.property);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.includes('kernel.recursive-lock') && ids.includes('deadlock'), ids.join(', '));
  assert.equal(r.info!['simulation.walks'], 60);
  for (const v of r.violations) {
    // each at least as long as the exhaustive shortest at the same bounds (models/xen-timer/expected.json:
    // kernel.raw-lock-nesting 8, the others 24; see the test above for why the refresher does not matter)
    assert.ok(v.trace!.steps.length >= xenDepth('seed-v2', v.property), `${v.property}: ${v.trace!.steps.length}`);
    endState(model, v); // replays
  }
  const dl = r.violations.find((v) => v.property === 'deadlock')!;
  assert.equal(anyEnabled(model, endState(model, dl)), false);
});

test('time limit: walks stop early, reason time-limit; bad options and models are errors', () => {
  const r = simulate(buildPeterson({ variant: 'correct' }), { seed: 0, runs: 1_000_000, depth: 1000, timeLimit: 0.05 });
  assert.equal(r.status, 'incomplete');
  assert.equal(r.incompleteReason, 'time-limit');
  assert.ok((r.info!['simulation.walks'] as number) < 1_000_000);
  const m = buildPeterson({});
  assert.throws(() => simulate(m, { seed: -1, runs: 1, depth: 1 }), RangeError);
  assert.throws(() => simulate(m, { seed: 1.5, runs: 1, depth: 1 }), RangeError);
  assert.throws(() => simulate(m, { seed: 0, runs: 0, depth: 1 }), RangeError);
  assert.throws(() => simulate(m, { seed: 0, runs: 1, depth: -1 }), RangeError);
  // a step that leaves its field's domain is a model error, as in explore
  const L = new Layout();
  const x = L.int('x', 0, 2);
  const schema = L.finish();
  const bad: Model = {
    name: 'bad',
    schema,
    processes: ['P'],
    init: () => [schema.blank()],
    steps: [{ id: 'up', process: 'P', source: { file: 'f', func: 'f', line: '' }, guard: () => true, apply: (s) => void s[x.offset]!++ }],
    properties: [],
  };
  assert.throws(() => simulate(bad, { seed: 0, runs: 1, depth: 10 }), (e: unknown) => e instanceof ModelError && /up set x = 3, outside its domain 0..2/.test(e.message));
});
