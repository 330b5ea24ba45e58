/**
 * The usage examples in the src/kernel module comments, as written there (completed into whole
 * models where the comment shows a fragment), explored with hand-derived counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import { replay } from '../../src/engine/trace.js';
import { Gpc, HrTimer, mutex, rwlock, src, System } from '../../src/kernel/index.js';

const counts = (r: { stats: { states: number; transitions: number; levels: number } }): number[] => [r.stats.states, r.stats.transitions, r.stats.levels];

test('system.ts example: a thread calling f(), which takes and releases a mutex', () => {
  // --- as in the comment
  const sys = new System({ preemptRt: false });
  const t = sys.task('thread', 0);
  const m = mutex(sys, 'm');
  m.lock(t, 'f.lock', 'f.unlock', src('f.c', 'f', 'mutex_lock(&m);'));
  m.unlock(t, 'f.unlock', 'idle', src('f.c', 'f', 'mutex_unlock(&m);'));
  t.step({ at: 'idle', next: 'f.lock', src: src('main.c', 'main', 'f();'), guard: (s) => m.holders(s) === 'nobody' });
  const model = sys.finish({ name: 'demo' });
  // ---
  const r = explore(model, { allViolations: true });
  // a cycle idle -> f.lock -> f.unlock (m held) -> idle: 3 states, 3 edges, 3 levels
  assert.deepEqual(counts(r), [3, 3, 3]);
  assert.equal(r.status, 'pass');
  assert.deepEqual(model.processes, ['thread']);
  assert.deepEqual(r.coverage.map((c) => [c.step, c.fired]), [
    ['thread:f.lock', 1],
    ['thread:f.unlock', 1],
    ['thread:idle', 1],
  ]);
});

test('locks.ts example: read_lock_irqsave on an rwlock', () => {
  const sys = new System({ preemptRt: false });
  const p = sys.task('p', 0, 'f.lock');
  // --- as in the comment
  const l = rwlock(sys, 'gpc->lock');
  l.readLock(p, 'f.lock', 'f.body', src('f.c', 'f', 'read_lock_irqsave(&gpc->lock, flags);'), { irqsave: true });
  // ---
  l.readUnlock(p, 'f.body', 'done', src('f.c', 'f', 'read_unlock_irqrestore(&gpc->lock, flags);'), { irqsave: true });
  const done = p.label('done');
  const model = sys.finish({ name: 'rw', validEnd: (s) => p.at(s, done) });
  const r = explore(model, { allViolations: true });
  // f.lock -> f.body -> done: 3 states, 2 edges, 3 levels
  assert.deepEqual(counts(r), [3, 2, 3]);
  assert.equal(r.status, 'pass');
  const out = replay(model, ['p:f.lock']);
  assert.deepEqual(out.trace.steps[0]!.changes, { 'p.pc': 'f.body', 'p.irqs_off': 1, 'gpc->lock.readers': 1 });
  assert.equal(l.cls, 'gpc->lock');
});

test('hrtimer.ts example: a thread arming a timer that fires on its own CPU or another one', () => {
  const sys = new System({ preemptRt: false });
  const thread = sys.task('thread', 0);
  // --- as in the comment
  const t = new HrTimer(sys, 'xen.timer', { homeCpu: 0, otherCpu: 2, placement: 'both', entry: 'cb.start',
    fireSrc: src('kernel/time/hrtimer.c', '__run_hrtimer', 'restart = fn(timer);') });
  t.start(thread, 'f.arm', 'idle', src('f.c', 'f', 'hrtimer_start(&t, exp, HRTIMER_MODE_ABS_HARD);'));
  // ---
  thread.step({ at: 'idle', next: 'f.arm', src: src('f.c', 'caller', 'f();') });
  t.callbackReturn('cb.start', src('f.c', 'cb', 'return HRTIMER_NORESTART;'));
  const r = explore(sys.finish({ name: 'timer' }), { allViolations: true });
  // thread at idle / f.arm (it re-arms forever); enqueued 0/1; the callback idle or running, on
  // CPU 0 or 2 (the cpu field keeps the CPU of the last firing, 0 before any).
  // Callback idle (c0 or c2): every thread pc x enqueued combination: 8. Running on CPU 0: the
  // thread is frozen, so nothing re-arms: enqueued 0 only, 2. Running on CPU 2: the thread re-arms
  // meanwhile: 4. 14 states. Edges: the thread moves in every state but the 2 running-on-CPU-0
  // ones (12); each of the 4 idle enqueued states fires on CPU 0 (interrupts are on) or CPU 2 (8);
  // each running state returns (6). 26 edges. The deepest state, thread at f.arm with the timer
  // enqueued after a firing on CPU 2 returned, needs idle->arm, arm, fire@2, idle->arm, arm,
  // return, idle->arm = 7 steps: 8 levels.
  assert.deepEqual(counts(r), [14, 26, 8]);
  assert.equal(r.status, 'pass');
  assert.deepEqual(sys.steps.slice(0, 2).map((s) => s.id), ['xen.timer.callback:fire@cpu0', 'xen.timer.callback:fire@cpu2']);
});

test('kvm.ts example: checking the gpc under its read lock', () => {
  for (const valid of [false, true]) {
    const sys = new System({ preemptRt: false });
    const p = sys.task('p', 0, 'f.lock');
    const SRC_LOCK = src('xen.c', 'f', 'read_lock_irqsave(&gpc->lock, flags);');
    const SRC_CHECK = src('xen.c', 'f', 'if (!kvm_gpc_check(gpc, PAGE_SIZE))');
    const okL = p.label('f.ok');
    const failL = p.label('f.fail');
    // --- as in the comment
    const gpc = new Gpc(sys, 'shinfo_cache');
    gpc.lock.readLock(p, 'f.lock', 'f.check', SRC_LOCK, { irqsave: true });
    p.step({ at: 'f.check', src: SRC_CHECK, run: (s) => (gpc.valid(s) ? okL : failL) });
    // ---
    gpc.lock.readUnlock(p, 'f.ok', 'done', src('xen.c', 'f', 'read_unlock_irqrestore(&gpc->lock, flags);'), { irqsave: true });
    gpc.lock.readUnlock(p, 'f.fail', 'done', src('xen.c', 'f', 'read_unlock_irqrestore(&gpc->lock, flags); return -EWOULDBLOCK;'), { irqsave: true });
    const done = p.label('done');
    const model = sys.finish({ name: 'gpc', validEnd: (s) => p.at(s, done), init: (s) => void (s[gpc.validField.offset] = valid ? 1 : 0) });
    const r = explore(model, { allViolations: true });
    // f.lock -> f.check -> f.ok or f.fail (by the initial valid flag) -> done: 4 states, 3 edges
    assert.deepEqual(counts(r), [4, 3, 4], `valid ${valid}`);
    assert.equal(r.status, 'pass');
    const fired = Object.fromEntries(r.coverage.map((c) => [c.step, c.fired]));
    assert.equal(fired['p:f.ok'], valid ? 1 : 0);
    assert.equal(fired['p:f.fail'], valid ? 0 : 1);
  }
});
