/**
 * src/kernel/hrtimer.ts on tiny models: hrtimer_start (also from the callback: running and
 * enqueued at once), hrtimer_try_to_cancel (1 / 0 / -1), hrtimer_cancel (waits for a running
 * callback, returns 1 iff it dequeued), hrtimer_cancel from the timer's own callback, and the
 * lock-order edge hrtimer_cancel adds. Every count is derived by hand next to its assertion.
 *
 * Notation: t is a task on CPU 0; the timer is queued on CPU 0 and its callback process fires on
 * CPU 0 ("same", runs whole between two of t's steps) and/or CPU 1 ("other", interleaves). The
 * callback's `cpu` field is the CPU it last fired on (it starts at the home CPU 0 and is not
 * reset on return), so with placement 'other' an idle callback that has fired differs from one
 * that never fired: "c0"/"c1" below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import { replay, ReplayError } from '../../src/engine/trace.js';
import type { Model, Property, Result } from '../../src/engine/index.js';
import { counts, FIRE, finish, ids, run, S, viol, violated } from './helpers.js';
import { HrTimer, spinlock, src, System, type Placement } from '../../src/kernel/index.js';

const coverTrace = (r: Result, id: string): string[] => r.covers.find((c) => c.property === id)!.trace!.steps.map((s) => s.step);
const coverDepth = (r: Result, id: string): number | undefined => r.covers.find((c) => c.property === id)!.depth;


// ---------------------------------------------------------------------------------------------
// hrtimer_start / hrtimer_start_expires

test('hrtimer_start only enqueues (the callback runs later, from the interrupt); re-arming an enqueued timer keeps one expiry', () => {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'start');
  const fires = sys.layout.int('ghost.fires', 0, 3);
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'other', entry: 'cb.return', fireSrc: FIRE, onFire: (s) => void s[fires.offset]!++ });
  tm.start(t, 'start', 'start_expires', S('hrtimer_start(&tm, exp, HRTIMER_MODE_ABS_HARD);'));
  tm.start(t, 'start_expires', 'done', S('hrtimer_start_expires(&tm, HRTIMER_MODE_ABS_HARD); /* expiry in the past */'));
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  const model = finish(sys, 'start', {
    properties: [{ kind: 'always', id: 'demo.fires-at-most-twice', description: 'two arms, at most two expiries', check: (s) => s[fires.offset]! <= 2 }],
  });
  // both arms before any expiry: one enqueued timer, one firing, then nothing
  const out = replay(model, ['t:start', 't:start_expires', 'tm.callback:fire@cpu1', 'tm.callback:cb.return']);
  assert.deepEqual(out.trace.steps[0]!.changes, { 't.pc': 'start_expires', 'tm.enqueued': true });
  assert.deepEqual(out.trace.steps[1]!.changes, { 't.pc': 'done' }); // already enqueued: replaced, nothing else
  assert.equal(out.trace.states[2]!['tm.callback.pc'], 'idle'); // not run synchronously
  assert.deepEqual(out.trace.steps[2]!.changes, { 'tm.callback.pc': 'cb.return', 'tm.callback.cpu': 1, 'tm.enqueued': false, 'ghost.fires': 1 });
  assert.throws(() => replay(model, ['t:start', 't:start_expires', 'tm.callback:fire@cpu1', 'tm.callback:cb.return', 'tm.callback:fire@cpu1']), ReplayError);
  const r = run(model);
  // t: start, start_expires, done; callback: idle / at return; enqueued; fires 0..2.
  // t=start: (idle, not enqueued, 0 fires, c0): 1. t=start_expires (enqueued by t): callback idle
  // enqueued 0 fires, or fired (at return or idle again, 1 fire, not enqueued): 3. t=done: t's
  // second arm enqueued again in each of those (idle/enq/0, ret/enq/1, idle/enq/1) plus the
  // firings that follow: from idle/enq/0 -> ret/-/1 -> idle/-/1; from ret/enq/1 -> idle/enq/1 ->
  // ret/-/2 -> idle/-/2. Distinct at t=done: idle/enq/0, ret/enq/1, idle/enq/1, ret/-/1,
  // idle/-/1, ret/-/2, idle/-/2 = 7. Total 1 + 3 + 7 = 11.
  // Edges: start 1; start_expires states: idle/enq/0 (t, fire) 2, ret/-/1 (t, return) 2,
  // idle/-/1 (t) 1; done states: idle/enq/0 1, ret/enq/1 1, idle/enq/1 1, ret/-/1 1, idle/-/1 0,
  // ret/-/2 1, idle/-/2 0: 1 + 5 + 5 = 11. Two expiries need start, fire, then the second arm
  // after the first firing and the return before the second: start, fire, return, start_expires,
  // fire, return = 6 steps to idle/-/2: 7 levels.
  assert.deepEqual(counts(r), [11, 11, 7]);
  assert.equal(r.status, 'pass');
});

// ---------------------------------------------------------------------------------------------
// re-armed while the callback runs

/**
 * t arms the timer and stops it, with hrtimer_try_to_cancel (bug: a -1 leaves the callback running,
 * and it re-arms) or hrtimer_cancel (twin: waits, then dequeues the re-armed timer). The callback
 * re-arms unconditionally (a periodic timer) and returns; it fires on CPU 1.
 */
function rearm(stop: 'try_to_cancel' | 'cancel'): Model {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'arm');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'other', entry: 'cb.rearm', fireSrc: FIRE });
  tm.start(t, 'arm', 'stop', S('hrtimer_start(&tm, exp, HRTIMER_MODE_ABS_HARD);'));
  if (stop === 'try_to_cancel') {
    tm.tryToCancel(t, 'stop', S('hrtimer_try_to_cancel(&tm);'), { dequeued: 'done(1)', inactive: 'done(0)', running: 'done(-1)' });
  } else {
    const d1 = t.label('done(1)');
    const d0 = t.label('done(0)');
    tm.cancel(t, 'stop', 'done(1)', S('hrtimer_cancel(&tm);'), (_s, ret) => (ret ? d1 : d0));
  }
  tm.start(tm.cb, 'cb.rearm', 'cb.return', S('hrtimer_forward_now(&tm, period); hrtimer_start_expires(&tm, HRTIMER_MODE_ABS_HARD);'));
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  const stopped = ['done(1)', 'done(0)', 'done(-1)'].map((l) => t.label(l));
  const properties: Property[] = [
    {
      kind: 'always',
      id: 'demo.quiet-after-stop',
      description: 'once t has stopped the timer it is neither enqueued nor running',
      check: (s) => !stopped.includes(s[t.pc.offset]!) || (!tm.isEnqueued(s) && !tm.running(s)),
    },
    { kind: 'sometimes', id: 'demo.running-and-enqueued', description: 'the callback runs while the timer is enqueued again', check: (s) => tm.running(s) && tm.isEnqueued(s) },
  ];
  return finish(sys, `rearm-${stop}`, { properties });
}

// Callback phases: idle, rearm (running, not enqueued: firing dequeues), ret (running, re-armed:
// enqueued), back to idle (enqueued). t: arm, stop, done(1), done(0), done(-1).

test('re-armed in its callback: try_to_cancel returns -1 and the timer keeps firing after the stop', () => {
  const r = run(rearm('try_to_cancel'));
  // Before the first firing (c0): (arm, idle, -), (stop, idle, enq), (done(1), idle, -) [dequeued]:
  // 3. After it (c1): t at stop with the callback at rearm / ret+enq / idle+enq: 3; t at done(-1)
  // (try_to_cancel saw it running) with the same three phases, cycling forever: 3; done(1) after
  // dequeuing the re-armed timer: 1. done(0) is unreachable (it is always enqueued or running).
  // 3 + 7 = 10 states. Edges: arm 1; (stop, idle, enq, c0) 2; (stop, rearm) 2; (stop, ret) 2;
  // (stop, idle, c1) 2; the three done(-1) states 1 each: 12. Depths: 0 arm; 1 stop; 2 fired /
  // done(1); 3 done(-1)+rearm, stop+ret; 4 done(-1)+ret, stop+idle; 5 done(-1)+idle, done(1) c1:
  // 6 levels.
  assert.deepEqual(counts(r), [10, 12, 6]);
  assert.deepEqual(violated(r), ['demo.quiet-after-stop']);
  const v = viol(r, 'demo.quiet-after-stop');
  assert.deepEqual(ids(v), ['t:arm', 'tm.callback:fire@cpu1', 't:stop']);
  assert.equal(v.trace!.states.at(-1)!['t.pc'], 'done(-1)');
  assert.equal(v.trace!.states.at(-1)!['tm.callback.pc'], 'cb.rearm');
  // running and enqueued at once: right after the callback's hrtimer_start_expires
  assert.equal(coverDepth(r, 'demo.running-and-enqueued'), 3);
  assert.deepEqual(coverTrace(r, 'demo.running-and-enqueued'), ['t:arm', 'tm.callback:fire@cpu1', 'tm.callback:cb.rearm']);
  // try_to_cancel leaves a running + enqueued timer as it is
  const out = replay(rearm('try_to_cancel'), ['t:arm', 'tm.callback:fire@cpu1', 'tm.callback:cb.rearm', 't:stop']);
  assert.deepEqual(out.trace.steps[3]!.changes, { 't.pc': 'done(-1)' });
});

test('re-armed in its callback, twin: hrtimer_cancel waits for the callback, then dequeues (returns 1)', () => {
  const r = run(rearm('cancel'));
  // c0: (arm), (stop, idle, enq), (done(1), idle) = 3. c1: (stop, rearm), (stop, ret, enq),
  // (stop, idle, enq), (done(1), idle, c1) = 4; t cannot leave stop while the callback runs.
  // 7 states. Edges: arm 1; (stop, idle, c0) 2 (fire, cancel); (stop, rearm) 1; (stop, ret) 1;
  // (stop, idle, c1) 2: 7. Depths: arm 0, stop 1, rearm / done(1) c0 2, ret 3, idle c1 4,
  // done(1) c1 5: 6 levels.
  assert.deepEqual(counts(r), [7, 7, 6]);
  assert.equal(r.status, 'pass');
  assert.equal(coverDepth(r, 'demo.running-and-enqueued'), 3);
  // waiting: not enabled while the callback runs, whether or not it re-armed yet
  assert.throws(() => replay(rearm('cancel'), ['t:arm', 'tm.callback:fire@cpu1', 't:stop']), /not enabled/);
  assert.throws(() => replay(rearm('cancel'), ['t:arm', 'tm.callback:fire@cpu1', 'tm.callback:cb.rearm', 't:stop']), /not enabled/);
  const out = replay(rearm('cancel'), ['t:arm', 'tm.callback:fire@cpu1', 'tm.callback:cb.rearm', 'tm.callback:cb.return', 't:stop']);
  assert.deepEqual(out.trace.steps[4]!.changes, { 't.pc': 'done(1)', 'tm.enqueued': false });
});

// ---------------------------------------------------------------------------------------------
// hrtimer_try_to_cancel: 1 / 0 / -1

function tryCancel(placement: Placement): Model {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'arm');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement, entry: 'cb.return', fireSrc: FIRE });
  tm.start(t, 'arm', 'try', S('hrtimer_start(&tm, exp, HRTIMER_MODE_ABS_HARD);'));
  tm.tryToCancel(t, 'try', S('ret = hrtimer_try_to_cancel(&tm);'), { dequeued: 'done(1)', inactive: 'done(0)', running: 'done(-1)' });
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  const cover = (ret: string): Property => {
    const l = t.label(`done(${ret})`);
    return { kind: 'sometimes', id: `demo.returns(${ret})`, description: `hrtimer_try_to_cancel returns ${ret}`, check: (s) => t.at(s, l) };
  };
  return finish(sys, `try-${placement}`, { properties: [cover('1'), cover('0'), cover('-1')] });
}

test('hrtimer_try_to_cancel: 1 if it dequeued, 0 if inactive, -1 while the callback runs (callback on another CPU)', () => {
  const r = run(tryCancel('other'));
  // t: arm, try, done(1/0/-1). Callback: idle (not enqueued, c0), idle+enqueued (c0), running
  // (c1), idle after running (c1). (arm, idle) -> (try, idle+enq) -> fire: (try, running) or
  // try: (done(1), idle) [dequeued: same encoding as the initial callback state]; (try, running)
  // -> (try, idle c1) or (done(-1), running) -> (done(-1), idle c1); (try, idle c1) ->
  // (done(0), idle c1). 8 states, edges 1 + 2 + 2 + 1 + 1 = 7, depths 0..4: 5 levels.
  assert.deepEqual(counts(r), [8, 7, 5]);
  assert.equal(r.status, 'pass');
  assert.deepEqual(coverTrace(r, 'demo.returns(1)'), ['t:arm', 't:try']);
  assert.deepEqual(coverTrace(r, 'demo.returns(-1)'), ['t:arm', 'tm.callback:fire@cpu1', 't:try']);
  assert.deepEqual(coverTrace(r, 'demo.returns(0)'), ['t:arm', 'tm.callback:fire@cpu1', 'tm.callback:cb.return', 't:try']);
  // -1 changes nothing but t's pc
  const out = replay(tryCancel('other'), ['t:arm', 'tm.callback:fire@cpu1', 't:try']);
  assert.deepEqual(out.trace.steps[2]!.changes, { 't.pc': 'done(-1)' });
});

test('hrtimer_try_to_cancel never sees -1 when the callback runs on the caller\'s CPU (it runs whole)', () => {
  const r = run(tryCancel('same'));
  // as above without the done(-1) states (t is frozen while the callback runs) and with the
  // callback's cpu field always 0: (arm), (try, idle+enq), (try, running), (done(1)),
  // (try, idle after), (done(0)): 6 states; edges 1 + 2 + 1 + 1 = 5; 5 levels
  assert.deepEqual(counts(r), [6, 5, 5]);
  assert.deepEqual(violated(r), ['demo.returns(-1)']);
  assert.equal(viol(r, 'demo.returns(-1)').trace, null);
  assert.equal(viol(r, 'demo.returns(-1)').kind, 'sometimes');
});

// ---------------------------------------------------------------------------------------------
// hrtimer_cancel racing the callback

/**
 * t: spin_lock_irqsave(&l); hrtimer_cancel(&tm); spin_unlock_irqrestore(&l) (bug) or
 * lock; unlock; hrtimer_cancel (twin). The callback (CPU 1) takes l. The timer is enqueued
 * initially. Ghost `callback_ran` is set when the callback returns.
 */
function cancelRace(fixed: boolean): Model {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'spin_lock_irqsave');
  const l = spinlock(sys, 'l');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'other', entry: 'cb.spin_lock', fireSrc: FIRE });
  const ran = sys.layout.bool('ghost.callback_ran');
  const irq = { irqsave: true };
  const lockSrc = S('spin_lock_irqsave(&l, flags);');
  const unlockSrc = S('spin_unlock_irqrestore(&l, flags);');
  const cancelSrc = S('hrtimer_cancel(&tm);');
  const d1 = t.label('done(1)');
  const d0 = t.label('done(0)');
  if (!fixed) {
    l.lock(t, 'spin_lock_irqsave', 'hrtimer_cancel', lockSrc, irq);
    tm.cancel(t, 'hrtimer_cancel', 'spin_unlock_irqrestore', cancelSrc);
    l.unlock(t, 'spin_unlock_irqrestore', 'done', unlockSrc, irq);
  } else {
    l.lock(t, 'spin_lock_irqsave', 'spin_unlock_irqrestore', lockSrc, irq);
    l.unlock(t, 'spin_unlock_irqrestore', 'hrtimer_cancel', unlockSrc, irq);
    tm.cancel(t, 'hrtimer_cancel', 'done(1)', cancelSrc, (_s, ret) => (ret ? d1 : d0));
  }
  l.lock(tm.cb, 'cb.spin_lock', 'cb.spin_unlock', S('spin_lock(&l);'));
  l.unlock(tm.cb, 'cb.spin_unlock', 'cb.return', S('spin_unlock(&l);'));
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'), (s) => void (s[ran.offset] = 1));
  const cancelAt = t.label('hrtimer_cancel');
  const quiet = (s: Uint8Array): boolean => !tm.running(s) && !tm.isEnqueued(s);
  const properties: Property[] = [
    { kind: 'always', id: 'demo.cancel-1', description: 'hrtimer_cancel returned 1: it dequeued the timer before the callback ran', check: (s) => !t.at(s, d1) || (quiet(s) && s[ran.offset] === 0) },
    { kind: 'always', id: 'demo.cancel-0', description: 'hrtimer_cancel returned 0: the callback ran to its end first', check: (s) => !t.at(s, d0) || (quiet(s) && s[ran.offset] === 1) },
    { kind: 'sometimes', id: 'demo.cancel-waits', description: 'hrtimer_cancel is reached while the callback runs', check: (s) => t.at(s, cancelAt) && tm.running(s) },
  ];
  return finish(sys, fixed ? 'cancel-after-unlock' : 'cancel-under-lock', { init: (s) => void (s[tm.enqueued.offset] = 1), properties: fixed ? properties : [] });
}

// Callback phases: I1 (idle, enqueued), F (at spin_lock), U (holds l), R (at return), I0 (idle,
// ran), Ic (idle, dequeued by t's cancel before firing: not enqueued, never ran, cpu 0).

test('hrtimer_cancel under a spinlock the callback takes: sleep-in-atomic, lock-order (via the timer) and deadlock', () => {
  const r = run(cancelRace(false));
  // t: 0 lock, 1 cancel (holds l), 2 unlock (holds l), 3 done. From (0,I1): (1,I1), (0,F);
  // (1,I1) -> (2,Ic) [cancel dequeues] -> (3,Ic); (1,F) deadlock (t waits for the callback, the
  // callback for l); (0,F) -> (0,U) -> (0,R) -> (0,I0); (0,R) -> (1,R) -> (1,I0) [t waits at
  // cancel until the return]; (0,I0) -> (1,I0) -> (2,I0) -> (3,I0). States: (0,I1), (1,I1),
  // (0,F), (2,Ic), (1,F), (0,U), (3,Ic), (0,R), (1,R), (0,I0), (1,I0), (2,I0), (3,I0) = 13.
  // Edges: 2+2+2+1+0+1+0+2+1+1+1+1+0 = 14. Depths: (3,I0) is 7 away: 8 levels.
  assert.deepEqual(counts(r), [13, 14, 8]);
  // (the callback's spin_lock of a spinlock_t in an _HARD hrtimer is also kernel.raw-lock-nesting)
  assert.deepEqual(violated(r), ['deadlock', 'kernel.lock-order', 'kernel.raw-lock-nesting', 'kernel.sleep-in-atomic']);
  // hrtimer_cancel may wait: with interrupts off (irqsave) that is sleeping in atomic, reached
  // right after the lock, whether or not the callback is running
  assert.deepEqual(ids(viol(r, 'kernel.sleep-in-atomic')), ['t:spin_lock_irqsave']);
  // d1 order: (0,F) (fire was built first), (1,I1). At (0,F) the callback, "holding" the timer,
  // takes l: hrtimer tm -> l. At (1,I1) t, holding l, cancels: l -> hrtimer tm closes the cycle
  const lo = viol(r, 'kernel.lock-order');
  assert.deepEqual(ids(lo), ['t:spin_lock_irqsave', 't:hrtimer_cancel']);
  assert.equal(lo.message, 'lock order inversion: l -> hrtimer tm at t:hrtimer_cancel, but hrtimer tm -> l at tm.callback:cb.spin_lock');
  // (1,F) is first reached from (0,F)
  const dl = viol(r, 'deadlock');
  assert.deepEqual(ids(dl), ['tm.callback:fire@cpu1', 't:spin_lock_irqsave']);
  assert.equal(dl.message, 't stuck at t:hrtimer_cancel `hrtimer_cancel(&tm);` waiting for tm callback to finish; tm.callback stuck at tm.callback:cb.spin_lock `spin_lock(&l);` waiting for l held by t');
});

test('hrtimer_cancel after the unlock (twin): returns 1 when it dequeued, else waits for the callback and returns 0', () => {
  const r = run(cancelRace(true));
  // t: 0 lock, 1 unlock (holds l, irqs off), 2 cancel, done(1) / done(0). Reachable: (0,I1),
  // (1,I1), (0,F), (2,I1), (1,F), (0,U), (done(1),Ic), (2,F), (0,R), (2,U), (1,R), (0,I0), (2,R),
  // (1,I0), (2,I0), (done(0),I0) = 16: t at 0/1/2 with the callback at I1/F/U/R/I0 is 15 pairs
  // minus (1,U) (both would hold l), plus done(1) (only with Ic: cancel dequeued before firing)
  // and done(0) (only with I0: cancel waited for the whole callback). Edges: (0,I1) 2, (1,I1) 2, (0,F) 2, (2,I1) 2, (1,F) 1,
  // (0,U) 1, (2,F) 1, (0,R) 2, (2,U) 1, (1,R) 2, (0,I0) 1, (2,R) 1, (1,I0) 1, (2,I0) 1, the two
  // done states 0: 20. Depths: (done(0),I0) is 7 away (3 t steps + 4 callback steps): 8 levels.
  assert.deepEqual(counts(r), [16, 20, 8]);
  // nothing wrong with the cancel; the only report is the lock kind the callback takes (a
  // spinlock_t in an _HARD hrtimer callback: kernel.raw-lock-nesting, as in the bug model)
  assert.deepEqual(violated(r), ['kernel.raw-lock-nesting']);
  // cancel reached while the callback runs: at (2,F), 3 steps in
  assert.equal(coverDepth(r, 'demo.cancel-waits'), 3);
  assert.deepEqual(coverTrace(r, 'demo.cancel-waits'), ['tm.callback:fire@cpu1', 't:spin_lock_irqsave', 't:spin_unlock_irqrestore']);
  // it waits (not enabled), and once the callback has returned it returns 0
  const race = ['tm.callback:fire@cpu1', 't:spin_lock_irqsave', 't:spin_unlock_irqrestore'];
  assert.throws(() => replay(cancelRace(true), [...race, 't:hrtimer_cancel']), /not enabled/);
  const out = replay(cancelRace(true), [...race, 'tm.callback:cb.spin_lock', 'tm.callback:cb.spin_unlock', 'tm.callback:cb.return', 't:hrtimer_cancel']);
  assert.equal(out.trace.states.at(-1)!['t.pc'], 'done(0)');
});

// ---------------------------------------------------------------------------------------------
// hrtimer_cancel from the timer's own callback

function selfCancel(how: 'cancel' | 'try_to_cancel'): Model {
  const sys = new System({ preemptRt: false });
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'same', entry: 'cb.stop', fireSrc: FIRE });
  if (how === 'cancel') {
    tm.cancel(tm.cb, 'cb.stop', 'cb.return', S('hrtimer_cancel(&tm);'));
    tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  } else {
    tm.tryToCancel(tm.cb, 'cb.stop', S('hrtimer_try_to_cancel(&tm);'), { dequeued: 'cb.ret(1)', inactive: 'cb.ret(0)', running: 'cb.ret(-1)' });
    for (const r of ['1', '0', '-1']) tm.callbackReturn(`cb.ret(${r})`, S('return HRTIMER_NORESTART;'));
  }
  return sys.finish({ name: `self-${how}`, init: (s) => void (s[tm.enqueued.offset] = 1) });
}

test('hrtimer_cancel from its own callback: hrtimer-cancel-self, sleep-in-atomic (hard irq), deadlock', () => {
  const r = run(selfCancel('cancel'));
  // (idle, enqueued) -> (cb.stop), where the cancel waits for the callback itself: 2 states,
  // 1 edge, 2 levels
  assert.deepEqual(counts(r), [2, 1, 2]);
  assert.deepEqual(violated(r), ['deadlock', 'kernel.hrtimer-cancel-self', 'kernel.sleep-in-atomic']);
  for (const id of ['deadlock', 'kernel.hrtimer-cancel-self', 'kernel.sleep-in-atomic']) assert.deepEqual(ids(viol(r, id)), ['tm.callback:fire@cpu0'], id);
  assert.equal(viol(r, 'deadlock').message, 'tm.callback stuck at tm.callback:cb.stop `hrtimer_cancel(&tm);` waiting for tm callback to finish');
});

test('hrtimer_try_to_cancel from its own callback (twin) returns -1 and the callback finishes', () => {
  const r = run(selfCancel('try_to_cancel'));
  // (idle, enq) -> cb.stop -> cb.ret(-1) -> idle: 4 states, 3 edges, 4 levels
  assert.deepEqual(counts(r), [4, 3, 4]);
  assert.equal(r.status, 'pass');
  const fired = Object.fromEntries(r.coverage.map((c) => [c.step, c.fired]));
  assert.deepEqual(fired, {
    'tm.callback:fire@cpu0': 1,
    'tm.callback:cb.stop': 1,
    'tm.callback:cb.ret(1)': 0,
    'tm.callback:cb.ret(0)': 0,
    'tm.callback:cb.ret(-1)': 1,
  });
});
