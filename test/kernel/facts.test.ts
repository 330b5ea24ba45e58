/**
 * The accumulating kernel checks (lock order, irq-unsafe usage) export what they learned, so that
 * shards of one search can be judged together: an inversion whose two halves were seen by
 * different searches is found in the union. The models are the smallest that show it: one task
 * that nests a inside b or b inside a (or both halves in two tasks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import type { Model, TransitionProperty } from '../../src/engine/model.js';
import { KERNEL_PROPERTIES, mutex, rwlock, src, System, type Proc } from '../../src/kernel/index.js';
import { findCycle } from '../../src/kernel/lock-order.js';
import { mergeReports, judgeFacts } from '../../src/cli/commands/merge.js';
import { toReport } from '../../src/cli/report.js';

const S = (line: string) => src('demo.c', 'demo', line);

/** Tasks taking (first, second) nested, one task per pair, each once. */
function nesting(pairs: readonly ['a' | 'b', 'a' | 'b'][]): Model {
  const sys = new System({ preemptRt: false });
  const tasks: Proc[] = pairs.map(([x], i) => sys.task(`t${i}`, i, `lock_${x}`));
  const locks = { a: mutex(sys, 'a'), b: mutex(sys, 'b') };
  pairs.forEach(([x, y], i) => {
    const t = tasks[i]!;
    locks[x].lock(t, `lock_${x}`, `lock_${y}`, S(`mutex_lock(&${x});`));
    locks[y].lock(t, `lock_${y}`, `unlock_${y}`, S(`mutex_lock(&${y});`));
    locks[y].unlock(t, `unlock_${y}`, `unlock_${x}`, S(`mutex_unlock(&${y});`));
    locks[x].unlock(t, `unlock_${x}`, 'done', S(`mutex_unlock(&${x});`));
  });
  const done = tasks.map((t) => t.label('done'));
  return sys.finish({ name: 'nesting', validEnd: (s) => tasks.every((t, i) => t.at(s, done[i]!)) });
}

const prop = (m: Model, id: string): TransitionProperty => m.properties.find((p) => p.id === id) as TransitionProperty;

test('lock order: each half alone holds; the union of their facts closes the cycle', () => {
  const ab = nesting([['a', 'b']]);
  const ba = nesting([['b', 'a']]);
  const r1 = explore(ab, { allViolations: true });
  const r2 = explore(ba, { allViolations: true });
  // one task, four steps: 5 states, no violation
  assert.deepEqual([r1.stats.states, r1.violations.length, r2.stats.states, r2.violations.length], [5, 0, 5, 0]);
  assert.deepEqual(r1.facts![KERNEL_PROPERTIES.lockOrder], { edges: [['a', 'b', 't0:lock_b']] });
  assert.deepEqual(r2.facts![KERNEL_PROPERTIES.lockOrder], { edges: [['b', 'a', 't0:lock_a']] });
  const lo = prop(ab, KERNEL_PROPERTIES.lockOrder);
  assert.equal(lo.judge!([r1.facts![lo.id]!]), true);
  assert.equal(lo.judge!([r1.facts![lo.id]!, r2.facts![lo.id]!]), 'lock order inversion: a -> b at t0:lock_b, b -> a at t0:lock_a');
  // the same verdict as one search that sees both halves
  const both = explore(nesting([['a', 'b'], ['b', 'a']]), { allViolations: true });
  assert.ok(both.violations.some((v) => v.property === KERNEL_PROPERTIES.lockOrder));
});

test('findCycle: none in a DAG, a closed path otherwise', () => {
  const g = (edges: [string, string][]): Map<string, Map<string, string>> => {
    const m = new Map<string, Map<string, string>>();
    for (const [a, b] of edges) (m.get(a) ?? m.set(a, new Map()).get(a)!).set(b, `${a}${b}`);
    return m;
  };
  assert.equal(findCycle(g([['a', 'b'], ['b', 'c'], ['a', 'c']])), null);
  assert.deepEqual(findCycle(g([['a', 'b'], ['b', 'c'], ['c', 'a']])), ['a', 'b', 'c', 'a']);
  assert.deepEqual(findCycle(g([['x', 'y'], ['y', 'y']])), ['y', 'y']);
});

test('irq-unsafe: usage in hard irq and a write hold with irqs on, seen by different searches, are joined', () => {
  // an rwlock read in an interrupt handler, and written with interrupts on by a task: the
  // property fires when both are in one search (test/kernel/locks.test.ts); here each half alone
  const build = (irq: boolean, writer: boolean): Model => {
    const sys = new System({ preemptRt: false });
    const l = rwlock(sys, 'l');
    const procs: Proc[] = [];
    if (writer) {
      const t = sys.task('t', 0, 'lock');
      l.writeLock(t, 'lock', 'unlock', S('write_lock(&l);'));
      l.writeUnlock(t, 'unlock', 'done', S('write_unlock(&l);'));
      procs.push(t);
    }
    if (irq) {
      const h = sys.handler('h', 1);
      const go = sys.task('go', 2, 'raise');
      go.step({ at: 'raise', next: 'done', src: S('raise the interrupt'), run: (s) => void (s[h.pc.offset] = h.label('lock')) });
      l.readLock(h, 'lock', 'unlock', S('read_lock(&l);'));
      l.readUnlock(h, 'unlock', 'idle', S('read_unlock(&l);'));
      procs.push(go);
    }
    const done = procs.map((p) => p.label('done'));
    return sys.finish({ name: 'irq', validEnd: (s) => procs.every((p, i) => p.at(s, done[i]!)) && sys.procs.filter((p) => p.context === 'hardirq').every((p) => p.isIdle(s)) });
  };
  const a = explore(build(true, false), { allViolations: true });
  const b = explore(build(false, true), { allViolations: true });
  assert.ok(!a.violations.some((v) => v.property === KERNEL_PROPERTIES.irqUnsafe));
  assert.ok(!b.violations.some((v) => v.property === KERNEL_PROPERTIES.irqUnsafe));
  const p = prop(build(true, true), KERNEL_PROPERTIES.irqUnsafe);
  const verdict = p.judge!([a.facts![p.id]!, b.facts![p.id]!]);
  assert.match(String(verdict), /^inconsistent lock state: l taken in hard irq at h:lock and held for writing with irqs enabled at t:lock$/);
});

test('merge: an inversion no shard saw whole is reported from the joined facts, without a trace', () => {
  const ab = nesting([['a', 'b']]);
  const ba = nesting([['b', 'a']]);
  const settings = { maxStates: null, maxDepth: null, timeLimit: null, memoryLimit: null, allViolations: true, deadlock: true };
  const report = (m: Model, index: number) =>
    toReport({
      result: explore(m, { allViolations: true }),
      origin: { origin: 'module', name: 'nesting', path: 'nesting.mjs', params: {} },
      processes: m.processes,
      settings: { ...settings, shard: { index, count: 2 } },
      timing: false,
      toolVersion: 'test',
    });
  const shards = [report(ab, 0), report(ba, 1)];
  const merged = mergeReports(shards, ['s0', 's1']);
  assert.equal(merged.status, 'pass', 'no shard saw a violation');
  const judged = judgeFacts(merged, shards, ab);
  assert.equal(judged.status, 'violation');
  const v = judged.violations.find((x) => x.property === KERNEL_PROPERTIES.lockOrder)!;
  assert.equal(v.trace, null);
  assert.match(v.message, /lock order inversion: a -> b at t0:lock_b, b -> a at t0:lock_a \(found by joining the shards' facts/);
  assert.equal(judged.properties.find((p) => p.id === KERNEL_PROPERTIES.lockOrder)!.verdict, 'violated');
});
