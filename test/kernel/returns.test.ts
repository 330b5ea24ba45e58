/**
 * kernel.lock-held-on-return (src/kernel/checks.ts): a step marked as the return of an entry
 * (StepSpec.returns) leaves its process holding a lock, or a task with interrupts it disabled not
 * restored. Each bug model has a corrected twin; every count is derived by hand in a comment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../src/engine/index.js';
import { counts, FIRE, finish, ids, run, S, viol, violated } from './helpers.js';
import { HrTimer, KERNEL_PROPERTIES, localIrqRestore, localIrqSave, mutex, rawSpinlock, rwlock, spinlock, System } from '../../src/kernel/index.js';

const RET = KERNEL_PROPERTIES.lockHeldOnReturn;

/**
 * demo_ioctl: mutex_lock(&m); then either the success path or the error path; the bug returns
 * -EINVAL straight from the error path, the twin goes to out_unlock like the success path.
 */
function ioctlErrorPath(fixed: boolean): Model {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0);
  const m = mutex(sys, 'm');
  m.lock(t, 'idle', 'check', S('mutex_lock(&m);'), { id: 't:mutex_lock' });
  t.step({ at: 'check', id: 't:check(ok)', next: 'out_unlock', src: S('ret = 0;') });
  if (fixed) t.step({ at: 'check', id: 't:check(error)', next: 'out_unlock', src: S('if (err) { ret = -EINVAL; goto out_unlock; }') });
  else t.step({ at: 'check', id: 't:check(error)', next: 'done(error)', src: S('if (err) return -EINVAL;'), returns: 'demo_ioctl' });
  m.unlock(t, 'out_unlock', 'done', S('out_unlock: mutex_unlock(&m); return ret;'), { returns: 'demo_ioctl' });
  return finish(sys, fixed ? 'ioctl-goto-out' : 'ioctl-leak');
}

test('lock-held-on-return: an ioctl\'s error path returns with the mutex held (lockdep_sys_exit)', () => {
  const r = run(ioctlErrorPath(false));
  // idle (m free) -lock-> check (m held) -ok-> out_unlock -unlock-> done; check -error->
  // done(error) (m still held). States: idle, check, out_unlock, done(error), done = 5; edges
  // 1 + 2 + 1 = 4; depths 0, 1, 2, 2, 3: 4 levels
  assert.deepEqual(counts(r), [5, 4, 4]);
  // done(error) is a valid end (a done* label) and nobody else wants m: without the check nothing
  // would notice the leak; with it, the returning step itself is the violation
  assert.deepEqual(violated(r), [RET]);
  const v = viol(r, RET);
  assert.equal(v.kind, 'assert');
  assert.deepEqual(ids(v), ['t:mutex_lock', 't:check(error)']);
  assert.equal(v.message, 't returns from demo_ioctl holding m');
});

test('lock-held-on-return twin: the error path goes to out_unlock', () => {
  const r = run(ioctlErrorPath(true));
  // idle -> check -> out_unlock (two edges: ok, error) -> done: 4 states, 4 edges, 4 levels
  assert.deepEqual(counts(r), [4, 4, 4]);
  assert.deepEqual(violated(r), []);
});

/** t: spin_lock_irqsave(&l, flags); then spin_unlock(&l) (bug) or spin_unlock_irqrestore (twin), returning. */
function irqsaveNotRestored(kind: 'spinlock' | 'raw_spinlock', fixed: boolean, preemptRt: boolean): Model {
  const sys = new System({ preemptRt });
  const t = sys.task('t', 0);
  const l = (kind === 'spinlock' ? spinlock : rawSpinlock)(sys, 'l');
  const pre = kind === 'spinlock' ? 'spin' : 'raw_spin';
  l.lock(t, 'idle', 'unlock', S(`${pre}_lock_irqsave(&l, flags);`), { irqsave: true, id: 't:lock' });
  l.unlock(t, 'unlock', 'done', S(fixed ? `${pre}_unlock_irqrestore(&l, flags); return 0;` : `${pre}_unlock(&l); return 0;`), { irqsave: fixed, returns: 'demo_ioctl' });
  return finish(sys, `${kind}-irqsave-${fixed ? 'restored' : 'leaked'}`);
}

test('lock-held-on-return: spin_lock_irqsave released by a plain spin_unlock returns with interrupts off; per kind and kernel', () => {
  // [kind, PREEMPT_RT, bug reported]: spin_lock_irqsave of a spinlock_t leaves interrupts on on
  // PREEMPT_RT (nothing to restore there); a raw spinlock disables them on both kernels
  const table: ['spinlock' | 'raw_spinlock', boolean, boolean][] = [
    ['spinlock', false, true],
    ['spinlock', true, false],
    ['raw_spinlock', false, true],
    ['raw_spinlock', true, true],
  ];
  for (const [kind, rt, bad] of table) {
    for (const fixed of [false, true]) {
      const what = `${kind} rt=${rt} fixed=${fixed}`;
      const r = run(irqsaveNotRestored(kind, fixed, rt));
      // a straight line: idle, unlock, done: 3 states, 2 edges, 3 levels
      assert.deepEqual(counts(r), [3, 2, 3], what);
      assert.deepEqual(violated(r), bad && !fixed ? [RET] : [], what);
      if (bad && !fixed) {
        const v = viol(r, RET);
        assert.deepEqual(ids(v), ['t:lock', 't:unlock'], what);
        assert.equal(v.message, 't returns from demo_ioctl with interrupts disabled (1 irqsave/irq section not restored)', what);
      }
    }
  }
});

/** t: local_irq_save(flags); body; local_irq_restore (twin) or a plain return (bug). */
function localIrq(fixed: boolean, preemptRt: boolean): Model {
  const sys = new System({ preemptRt });
  const t = sys.task('t', 0);
  localIrqSave(t, 'idle', 'body', S('local_irq_save(flags);'));
  if (fixed) localIrqRestore(t, 'body', 'done', S('local_irq_restore(flags); return 0;'), { returns: 'demo_ioctl' });
  else t.step({ at: 'body', next: 'done', src: S('return 0;'), returns: 'demo_ioctl' });
  return finish(sys, `local-irq-${fixed ? 'restored' : 'leaked'}`);
}

test('lock-held-on-return: local_irq_save without local_irq_restore, on both kernels (RT disables interrupts here too)', () => {
  for (const rt of [false, true]) {
    for (const fixed of [false, true]) {
      const what = `rt=${rt} fixed=${fixed}`;
      const r = run(localIrq(fixed, rt));
      // idle, body, done: 3 states, 2 edges, 3 levels
      assert.deepEqual(counts(r), [3, 2, 3], what);
      assert.deepEqual(violated(r), fixed ? [] : [RET], what);
      if (!fixed) {
        assert.deepEqual(ids(viol(r, RET)), ['t:idle', 't:body'], what);
        assert.equal(viol(r, RET).message, 't returns from demo_ioctl with interrupts disabled (1 irqsave/irq section not restored)', what);
      }
    }
  }
});

test('local_irq_save is atomic context: a mutex under it is sleep-in-atomic, and the same-CPU timer cannot fire', () => {
  const sys = new System({ preemptRt: true });
  const t = sys.task('t', 0);
  const m = mutex(sys, 'm');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'same', entry: 'cb.return', fireSrc: FIRE });
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  localIrqSave(t, 'idle', 'lock', S('local_irq_save(flags);'));
  m.lock(t, 'lock', 'unlock', S('mutex_lock(&m);'));
  m.unlock(t, 'unlock', 'restore', S('mutex_unlock(&m);'));
  localIrqRestore(t, 'restore', 'done', S('local_irq_restore(flags);'), { returns: 'demo_ioctl' });
  const r = run(finish(sys, 'irq-off-mutex', { init: (s) => void (s[tm.enqueued.offset] = 1) }));
  // t: idle, lock, unlock, restore, done (5 positions); the timer (enqueued, CPU 0 only) fires
  // only while t has interrupts on: at idle or done. Fired, the callback runs whole before t
  // moves (t is interrupted), then returns: timer states E (enqueued), C (running), Q (done).
  // From (idle,E): fire -> (idle,C) -> (idle,Q) -> t's 4 steps -> (done,Q); t first from
  // (idle,E) -> (lock,E) -> (unlock,E) -> (restore,E) -> (done,E) -> (done,C) -> (done,Q).
  // States: (idle,E/C/Q), (lock,E/Q), (unlock,E/Q), (restore,E/Q), (done,E/C/Q) = 12. Edges:
  // (idle,E) 2, (idle,C) 1, (idle,Q) 1, lock/unlock/restore x E/Q 6, (done,E) 1, (done,C) 1 = 12.
  // Depth of (done,Q): 6 either way: 7 levels
  assert.deepEqual(counts(r), [12, 12, 7]);
  // PREEMPT_RT keeps local_irq_save: the mutex is reached with interrupts off
  assert.deepEqual(violated(r), ['kernel.sleep-in-atomic']);
  assert.deepEqual(ids(viol(r, 'kernel.sleep-in-atomic')), ['t:idle']);
});

/** An hrtimer callback (CPU 1) taking a raw spinlock, returning with it held (bug) or released. */
function callbackLeak(fixed: boolean): Model {
  const sys = new System({ preemptRt: false });
  const l = rawSpinlock(sys, 'l');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'other', entry: 'cb.lock', fireSrc: FIRE });
  l.lock(tm.cb, 'cb.lock', fixed ? 'cb.unlock' : 'cb.return', S('raw_spin_lock(&l);'));
  if (fixed) l.unlock(tm.cb, 'cb.unlock', 'cb.return', S('raw_spin_unlock(&l);'));
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  return finish(sys, fixed ? 'callback-unlocks' : 'callback-leaks', { init: (s) => void (s[tm.enqueued.offset] = 1) });
}

test('lock-held-on-return: an hrtimer callback returning with a raw spinlock held', () => {
  const r = run(callbackLeak(false));
  // idle (enqueued) -fire-> cb.lock -> cb.return (l held) -> idle (not enqueued, l held): 4
  // states, 3 edges, 4 levels. The end state is valid (the handler idle): nothing else notices
  assert.deepEqual(counts(r), [4, 3, 4]);
  assert.deepEqual(violated(r), [RET]);
  const v = viol(r, RET);
  assert.deepEqual(ids(v), ['tm.callback:fire@cpu1', 'tm.callback:cb.lock', 'tm.callback:cb.return']);
  // the "hrtimer tm" pseudo-lock (the callback running) is not a lock it returns with
  assert.equal(v.message, 'tm.callback returns from the tm hrtimer callback holding l');
});

test('lock-held-on-return twin: the callback unlocks before returning', () => {
  const r = run(callbackLeak(true));
  // idle (enqueued), cb.lock, cb.unlock, cb.return, idle: 5 states, 4 edges, 5 levels
  assert.deepEqual(counts(r), [5, 4, 5]);
  assert.deepEqual(violated(r), []);
});

test('lock-held-on-return: every lock builder passes `returns` on, lock and unlock steps alike', () => {
  // a function whose last statement takes a lock (the return step is the lock itself): for each
  // lock operation, one step idle -> done: 2 states, 1 edge, 2 levels, and the lock is leaked
  type Case = [string, (sys: System, t: ReturnType<System['task']>) => void];
  const ret = { returns: 'f' };
  const cases: Case[] = [
    ['m', (sys, t) => mutex(sys, 'm').lock(t, 'idle', 'done', S('mutex_lock(&m); return;'), ret)],
    ['s', (sys, t) => spinlock(sys, 's').lock(t, 'idle', 'done', S('spin_lock(&s); return;'), ret)],
    ['rw', (sys, t) => rwlock(sys, 'rw').readLock(t, 'idle', 'done', S('read_lock(&rw); return;'), ret)],
    ['rw', (sys, t) => rwlock(sys, 'rw').writeLock(t, 'idle', 'done', S('write_lock(&rw); return;'), ret)],
  ];
  for (const [name, build] of cases) {
    const sys = new System({ preemptRt: false });
    build(sys, sys.task('t', 0));
    const r = run(finish(sys, name));
    assert.deepEqual(counts(r), [2, 1, 2], name);
    assert.deepEqual(violated(r), [RET], name);
    assert.equal(viol(r, RET).message, `t returns from f holding ${name}`, name);
  }
  // and the unlocks: read_lock_irqsave then read_unlock (not _irqrestore) / write_unlock_irq
  for (const reader of [true, false]) {
    const sys = new System({ preemptRt: false });
    const t = sys.task('t', 0);
    const rw = rwlock(sys, 'rw');
    const irq = { irqsave: true };
    if (reader) {
      rw.readLock(t, 'idle', 'unlock', S('read_lock_irqsave(&rw, flags);'), irq);
      rw.readUnlock(t, 'unlock', 'done', S('read_unlock(&rw); return;'), ret);
    } else {
      rw.writeLock(t, 'idle', 'unlock', S('write_lock_irq(&rw);'), irq);
      rw.writeUnlock(t, 'unlock', 'done', S('write_unlock_irq(&rw); return;'), { ...irq, ...ret });
    }
    const r = run(finish(sys, 'rw'));
    // idle, unlock, done: 3 states, 2 edges, 3 levels; only the reader forgot to restore
    assert.deepEqual(counts(r), [3, 2, 3], `reader=${reader}`);
    assert.deepEqual(violated(r), reader ? [RET] : [], `reader=${reader}`);
  }
});

test('lock-held-on-return concerns the returning process only: another task holding a lock meanwhile is fine', () => {
  const sys = new System({ preemptRt: false });
  const t1 = sys.task('t1', 0);
  const t2 = sys.task('t2', 1);
  const m = mutex(sys, 'm');
  m.lock(t1, 'idle', 'unlock', S('mutex_lock(&m);'));
  m.unlock(t1, 'unlock', 'done', S('mutex_unlock(&m);'));
  t2.step({ at: 'idle', next: 'done', src: S('return 0;'), returns: 'f' });
  const r = run(finish(sys, 'two'));
  // t1 at idle/unlock/done x t2 at idle/done: 6 states; edges: t1 moves in 2 x 2 states (4),
  // t2 in 3 (3): 7; depth of (done,done) is 3: 4 levels. t2 returns while t1 holds m: no report
  assert.deepEqual(counts(r), [6, 7, 4]);
  assert.deepEqual(violated(r), []);
});
