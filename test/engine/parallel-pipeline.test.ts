/**
 * The pipelined claim mode (search/claim-level.ts): blocks are settled by the calling thread
 * while the workers expand the next ones, and a level whose candidates outgrow the arena is run
 * again from its first unsettled block with more room. Both must leave the result exactly the
 * sequential one (the oracle, as in modes.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore, type ExploreOptions } from '../../src/engine/explore.js';
import type { Model } from '../../src/engine/model.js';
import type { ModelSpec } from '../../src/engine/parallel.js';
import type { Result } from '../../src/engine/result.js';
import { buildRegistered } from '../../models/index.js';
import { ModelError } from '../../src/engine/model.js';
import { domainBug } from './domain-bug-model.js';
import { abba } from './abba-model.js';

const registry = (name: string, params: Record<string, number | boolean | string> = {}): { model: () => Model; spec: ModelSpec } => ({
  model: () => buildRegistered({ name, params }),
  spec: { module: new URL('../../models/index.js', import.meta.url).href, export: 'buildRegistered', args: { name, params } },
});

/** Everything but timing and the worker count. */
function comparable(r: Result): unknown {
  // the store's size differs: the sequential search packs its states, workers share byte vectors
  const { seconds: _s, statesPerSecond: _r, peakRssBytes: _m, workers: _w, storeBytes: _b, bytesPerState: _p, storedStateBytes: _v, ...stats } = r.stats;
  return { status: r.status, incompleteReason: r.incompleteReason, complete: r.complete, stats, violations: r.violations, covers: r.covers, coverage: r.coverage, dropped: r.dropped };
}

test('claim mode with an arena too small for a level: the level is run again from its first unsettled block, and the result is the sequential one', () => {
  const runs: { m: ReturnType<typeof registry>; opts: ExploreOptions }[] = [
    { m: registry('xen-timer', { ops: 3 }), opts: { allViolations: true } },
    { m: registry('xen-timer', { variant: 'baseline', ops: 3 }), opts: {} },
    { m: registry('xen-timer', { variant: 'proposed-fix', ops: 3 }), opts: { maxStates: 20_000 } },
    { m: registry('philosophers', { n: 6 }), opts: { allViolations: true } },
  ];
  for (const { m, opts } of runs) {
    const seq = explore(m.model(), opts);
    // 40 candidates per try: every big level overflows, several times, at different blocks
    for (const blockSize of [13, 97]) {
      const par = explore(m.model(), { ...opts, parallel: { workers: 2, spec: m.spec, blockSize, minLevel: 1, adaptive: false, maxClaims: 40 } });
      assert.deepEqual(comparable(par), comparable(seq), `${JSON.stringify(m.spec.args)} ${JSON.stringify(opts)} block ${blockSize}`);
    }
  }
});

test('adaptive: workers launched in the background, levels cut between this thread and the workers (probes of a slice): the sequential result', () => {
  for (const { m, opts } of [
    { m: registry('xen-timer', { ops: 3 }), opts: { allViolations: true } },
    { m: registry('xen-timer', { variant: 'proposed-fix', ops: 3 }), opts: { maxStates: 30_000 } },
  ]) {
    const seq = explore(m.model(), opts);
    // startSeconds 0: launched after the first measured level; which later levels they get depends on timing, the result must not
    const par = explore(m.model(), { ...opts, parallel: { workers: 2, spec: m.spec, startSeconds: 0 } });
    assert.deepEqual(comparable(par), comparable(seq), JSON.stringify(m.spec.args));
  }
});

test('claim mode, new states stored by the workers (ids from per-block counts) or by this thread: both the sequential result, also when a violation stops the search inside a level', () => {
  for (const { m, opts } of [
    { m: registry('xen-timer', { ops: 3 }), opts: { allViolations: true } },
    // stops at the first violation: the workers store only the states met before it
    { m: registry('xen-timer', { variant: 'baseline', ops: 3 }), opts: {} },
    { m: registry('philosophers', { n: 6 }), opts: {} },
    { m: registry('counter', { procs: 5 }), opts: { allViolations: true } },
  ]) {
    const seq = explore(m.model(), opts);
    for (const workersSettle of [true, false]) {
      const par = explore(m.model(), { ...opts, parallel: { workers: 2, spec: m.spec, blockSize: 61, minLevel: 1, adaptive: false, workersSettle } });
      assert.deepEqual(comparable(par), comparable(seq), `${JSON.stringify(m.spec.args)} ${JSON.stringify(opts)} workersSettle ${workersSettle}`);
    }
  }
});

test('a successor outside the domains stops a parallel search with the sequential error (the shared store packs its vectors)', () => {
  const args = { ys: 40 };
  const spec: ModelSpec = { module: new URL('./domain-bug-model.js', import.meta.url).href, export: 'domainBug', args };
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof ModelError, String(e));
      return e.message;
    }
    assert.fail('no domain error');
  };
  const seq = message(() => explore(domainBug(args)));
  assert.match(seq, /incX/);
  assert.match(seq, /\bx = 10\b/);
  for (const workersSettle of [true, false]) {
    for (const claim of [true, false]) {
      const par = message(() => explore(domainBug(args), { parallel: { workers: 2, spec, blockSize: 3, minLevel: 1, adaptive: false, claim, workersSettle } }));
      assert.equal(par, seq, `claim ${claim}, workersSettle ${workersSettle}`);
    }
  }
});

test('workers skip the edges their copy of a transition property, taught its facts level by level, does not observe: the lock-order inversion learned across levels is the sequential one', () => {
  const args = { ids: 16, spin: 30 };
  const spec: ModelSpec = { module: new URL('./abba-model.js', import.meta.url).href, export: 'abba', args };
  for (const opts of [{ allViolations: true }, { deadlock: false }] as ExploreOptions[]) {
    const seq = explore(abba(args), opts);
    assert.ok(seq.violations.some((v) => v.property === 'kernel.lock-order'), 'the model has its inversion');
    for (const claim of [true, false]) {
      const par = explore(abba(args), { ...opts, parallel: { workers: 2, spec, blockSize: 5, minLevel: 1, adaptive: false, claim } });
      assert.deepEqual(comparable(par), comparable(seq), `${JSON.stringify(opts)} claim ${claim}`);
    }
  }
});
