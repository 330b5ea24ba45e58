/**
 * Random simulation on kernel-library models takes two shortcuts that must not change a walk:
 * it resets the stateful transition properties (lock-order graph, irq usage) at the start of each
 * walk and shrink try instead of rebuilding the model (TransitionProperty.reset), and it draws
 * among the steps of the model's compiled guard scan (Model.guards) instead of testing every
 * guard. Each test compares with the slow path on the same seed: the results must be identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Property } from '../../src/engine/model.js';
import type { Result } from '../../src/engine/result.js';
import { simulate } from '../../src/engine/simulate.js';
import { mutex, src, System } from '../../src/kernel/index.js';
import { buildXenTimer } from '../../models/xen-timer/index.js';

/** The model as one without the shortcuts: no guard scan, transition properties that cannot reset. */
function slow(m: Model): Model {
  const { guards: _g, ...rest } = m;
  const properties = m.properties.map((p): Property => {
    if (p.kind !== 'transition') return p;
    const { reset: _r, ...q } = p;
    return q;
  });
  return { ...rest, properties };
}

/** The result without what depends on the clock or the process. */
function timeless(r: Result): unknown {
  return { ...r, stats: { ...r.stats, seconds: 0, statesPerSecond: 0, peakRssBytes: 0 } };
}

/** Two tasks, t0 taking a then b and t1 b then a, each twice: a lock-order inversion (ABBA) when both run. */
function abba(): Model {
  const sys = new System({ preemptRt: false });
  const S = (line: string) => src('demo.c', 'demo', line);
  const a = mutex(sys, 'a');
  const b = mutex(sys, 'b');
  for (const [k, [x, y]] of [[a, b], [b, a]].entries()) {
    const t = sys.task(`t${k}`, k, 'idle');
    for (const r of [1, 2]) {
      x!.lock(t, r === 1 ? 'idle' : `again`, `lock2_${r}`, S(`mutex_lock(&${x!.name});`));
      y!.lock(t, `lock2_${r}`, `unlock2_${r}`, S(`mutex_lock(&${y!.name});`));
      y!.unlock(t, `unlock2_${r}`, `unlock1_${r}`, S(`mutex_unlock(&${y!.name});`));
      x!.unlock(t, `unlock1_${r}`, r === 1 ? 'again' : 'done', S(`mutex_unlock(&${x!.name});`));
    }
  }
  const done = sys.procs.map((p) => p.label('done'));
  return sys.finish({ name: 'abba', validEnd: (s) => sys.procs.every((p, i) => p.at(s, done[i]!)) });
}

test('kernel models expose a guard scan equal to testing every guard, on every state of random walks', () => {
  const m = buildXenTimer({ vcpus: 2, ops: 2, variant: 'proposed-fix' });
  assert.ok(m.guards);
  const out = new Int32Array(m.steps.length);
  const s = m.init()[0]!;
  let checked = 0;
  // a deterministic walk: always the last enabled step, then the first, alternating
  for (let k = 0; k < 400; k++) {
    const want = m.steps.flatMap((st, i) => (st.guard(s) ? [i] : []));
    const n: number = m.guards(s, out);
    assert.deepEqual(Array.from(out.subarray(0, n)), want);
    checked++;
    if (want.length === 0) break;
    m.steps[want[k % 2 === 0 ? want.length - 1 : 0]!]!.apply(s, { fail: () => {} });
  }
  assert.ok(checked > 10);
});

test('simulate: resetting the lock-order graph per walk gives the walks, verdicts and shrunk traces of rebuilding the model', () => {
  const opts = { seed: 3, runs: 60, depth: 40, allViolations: true };
  const fast = simulate(abba(), { ...opts, fresh: abba });
  const rebuilt = simulate(slow(abba()), { ...opts, fresh: () => slow(abba()) });
  assert.deepEqual(timeless(fast), timeless(rebuilt));
  // by hand: edge a -> b needs t0's two locks, b -> a t1's two; whichever task goes first must
  // release both locks (two unlocks) before the other can take its first: at least 6 steps, and
  // t0's or t1's first section in full followed by the other's two locks is 6
  const v = fast.violations.find((x) => x.property === 'kernel.lock-order');
  assert.ok(v, 'kernel.lock-order found');
  assert.equal(v.trace!.steps.length, 6);
});

test('simulate on the Xen model (2 vCPUs, proposed-fix): the shortcuts give the same result as the slow path', () => {
  const params = { vcpus: 2, ops: 2, variant: 'proposed-fix' };
  const opts = { seed: 11, runs: 40, depth: 120, allViolations: true };
  const fast = simulate(buildXenTimer(params), { ...opts, fresh: () => buildXenTimer(params) });
  const rebuilt = simulate(slow(buildXenTimer(params)), { ...opts, fresh: () => slow(buildXenTimer(params)) });
  assert.deepEqual(timeless(fast), timeless(rebuilt));
  assert.ok(fast.stats.transitions > 40, 'the walks go somewhere');
});
