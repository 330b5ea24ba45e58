/**
 * src/kernel/locks.ts on tiny models: one bug model per rule (the check fires, with its shortest
 * trace) and a corrected twin where the same property holds. Every state count is derived by hand
 * in the comment next to it.
 *
 * Notation: a state is written as a tuple of program counters (the lock fields, irqs_off and the
 * hrtimer fields are functions of the pcs unless said otherwise). "d<k>" is the BFS depth; levels
 * = 1 + the largest depth. Step order (which decides which of two equally short traces BFS keeps)
 * is the order the steps were built in: an HrTimer's fire step is built by its constructor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import { replay, ReplayError } from '../../src/engine/trace.js';
import type { Model } from '../../src/engine/index.js';
import { counts, FIRE, finish, ids, run, S, viol, violated } from './helpers.js';
import { HrTimer, mutex, rawSpinlock, rwlock, spinlock, src, System, type Proc } from '../../src/kernel/index.js';



// ---------------------------------------------------------------------------------------------
// ABBA: t0 takes a then b; t1 takes b then a (bug) or a then b (twin). Mutexes, one CPU each.

function abba(inverted: boolean): { sys: System; model: Model } {
  const sys = new System({ preemptRt: false });
  const t0 = sys.task('t0', 0, 'lock_a');
  const [x1, y1] = inverted ? (['b', 'a'] as const) : (['a', 'b'] as const);
  const t1 = sys.task('t1', 1, `lock_${x1}`);
  const locks = { a: mutex(sys, 'a'), b: mutex(sys, 'b') };
  const nested = (t: Proc, x: 'a' | 'b', y: 'a' | 'b'): void => {
    locks[x].lock(t, `lock_${x}`, `lock_${y}`, S(`mutex_lock(&${x});`));
    locks[y].lock(t, `lock_${y}`, `unlock_${y}`, S(`mutex_lock(&${y});`));
    locks[y].unlock(t, `unlock_${y}`, `unlock_${x}`, S(`mutex_unlock(&${y});`));
    locks[x].unlock(t, `unlock_${x}`, 'done', S(`mutex_unlock(&${x});`));
  };
  nested(t0, 'a', 'b');
  nested(t1, x1, y1);
  return { sys, model: finish(sys, 'abba') };
}

test('ABBA: lock-order and the deadlock fire, with shortest traces and the lock chain', () => {
  const r = run(abba(true).model);
  // pcs 0..4 = at first lock, at second lock, at second unlock, at first unlock, done.
  // t0 holds a at 1..3 and b at 2; t1 holds b at 1..3 and a at 2.
  // Reachable (i,j): the 16 pairs where one side is 0 or 4 (the other ran alone before / after),
  // plus, with both inside, only (1,1), (1,3), (3,1): i=2 or j=2 means both locks held, and (3,3)
  // would need the second one to pass its "both held" point 2 while the first holds one of them.
  // 16 + 3 = 19 states. Edges: (1,1) and (4,4) have none; (0,0),(1,0),(0,1),(3,0),(0,3) have two
  // (either side can move); the other 12 states one each: 10 + 12 = 22. Every step moves one pc up
  // by one, so depth(i,j) = i+j and there are 9 levels (0..8).
  assert.deepEqual(counts(r), [19, 22, 9]);
  assert.deepEqual(violated(r), ['deadlock', 'kernel.lock-order']);
  // d1 = (1,0), (0,1). Expanding (1,0), t0:lock_b adds a -> b; expanding (0,1), t1:lock_a adds
  // b -> a: the cycle closes on t1's second step, trace of 2 steps, t1 alone
  const lo = viol(r, 'kernel.lock-order');
  assert.deepEqual(ids(lo), ['t1:lock_b', 't1:lock_a']);
  assert.equal(lo.kind, 'transition');
  assert.equal(lo.message, 'lock order inversion: b -> a at t1:lock_a, but a -> b at t0:lock_b');
  // (1,1) is first reached from (1,0) (expanded before (0,1))
  const dl = viol(r, 'deadlock');
  assert.deepEqual(ids(dl), ['t0:lock_a', 't1:lock_b']);
  assert.equal(dl.message, 't0 stuck at t0:lock_b `mutex_lock(&b);` waiting for b held by t1; t1 stuck at t1:lock_a `mutex_lock(&a);` waiting for a held by t0');
  const last = dl.trace!.states.at(-1)!;
  assert.equal(last['a.owner'], 1);
  assert.equal(last['b.owner'], 2);
});

test('ABBA twin: both take a then b; no violation', () => {
  const r = run(abba(false).model);
  // Both hold a at pcs 1..3, so at most one is inside: the 16 pairs with i or j in {0,4}, all
  // reachable. Edges: a side at 1..3 always moves (it owns a and b is free): 6 states x 1; a side
  // at 0 moves iff the other is at 0 or 4: (0,0) twice, (0,4), (4,0): 4; total 6*... by side:
  // t0 moves in (1..3, 0|4) = 6 states and in (0,0),(0,4) = 2, so 8; t1 likewise 8: 16 edges.
  // depth(i,j) = i+j again: 9 levels.
  assert.equal(r.status, 'pass');
  assert.deepEqual(counts(r), [16, 16, 9]);
});

// ---------------------------------------------------------------------------------------------
// recursive locking

test('recursive mutex: taking it again in the owner is kernel.recursive-lock and a deadlock', () => {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'lock');
  const m = mutex(sys, 'm');
  m.lock(t, 'lock', 'relock', S('mutex_lock(&m);'));
  m.lock(t, 'relock', 'unlock', S('mutex_lock(&m); /* in a helper */'));
  m.unlock(t, 'unlock', 'done', S('mutex_unlock(&m);'));
  const r = run(finish(sys, 'relock'));
  // (lock, m free) -> (relock, m owned by t), where nothing is enabled: 2 states, 1 edge, 2 levels
  assert.deepEqual(counts(r), [2, 1, 2]);
  assert.deepEqual(violated(r), ['deadlock', 'kernel.recursive-lock']);
  assert.deepEqual(ids(viol(r, 'kernel.recursive-lock')), ['t:lock']);
  assert.equal(viol(r, 'kernel.recursive-lock').kind, 'always');
  assert.deepEqual(ids(viol(r, 'deadlock')), ['t:lock']);
  assert.equal(viol(r, 'deadlock').message, 't stuck at t:relock `mutex_lock(&m); /* in a helper */` waiting for m held by t');
});

test('recursive mutex twin: unlock before the helper locks again', () => {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'lock');
  const m = mutex(sys, 'm');
  m.lock(t, 'lock', 'unlock', S('mutex_lock(&m);'));
  m.unlock(t, 'unlock', 'relock', S('mutex_unlock(&m);'));
  m.lock(t, 'relock', 'unlock2', S('mutex_lock(&m); /* in a helper */'));
  m.unlock(t, 'unlock2', 'done', S('mutex_unlock(&m);'));
  const r = run(finish(sys, 'relock-fixed'));
  // a straight line of 5 pcs: 5 states, 4 edges, 5 levels
  assert.equal(r.status, 'pass');
  assert.deepEqual(counts(r), [5, 4, 5]);
});

test('rwlock: write_lock while holding it for reading, and read_lock while holding it for writing, are recursive', () => {
  for (const order of ['read-then-write', 'write-then-read'] as const) {
    const sys = new System({ preemptRt: false });
    const t = sys.task('t', 0, 'first');
    const l = rwlock(sys, 'l');
    if (order === 'read-then-write') {
      l.readLock(t, 'first', 'second', S('read_lock(&l);'));
      l.writeLock(t, 'second', 'done', S('write_lock(&l);'));
    } else {
      l.writeLock(t, 'first', 'second', S('write_lock(&l);'));
      l.readLock(t, 'second', 'done', S('read_lock(&l);'));
    }
    const r = run(finish(sys, order));
    // (first, free) -> (second, held by t), stuck: 2 states, 1 edge
    assert.deepEqual(counts(r), [2, 1, 2], order);
    assert.deepEqual(violated(r), ['deadlock', 'kernel.recursive-lock'], order);
    assert.deepEqual(ids(viol(r, 'kernel.recursive-lock')), ['t:first'], order);
    assert.match(viol(r, 'deadlock').message, order === 'read-then-write' ? /waiting for l held by readers t$/ : /waiting for l held by writer t$/);
  }
});

// ---------------------------------------------------------------------------------------------
// bad unlock

test('bad-unlock: mutex_unlock, read_unlock and write_unlock of a lock another process holds', () => {
  const cases = [
    { kind: 'mutex', msg: 't1 unlocks m held by t0' },
    { kind: 'read', msg: 't1 read-unlocks m it does not hold (writer t0)' },
    { kind: 'write', msg: 't1 write-unlocks m held by writer t0' },
  ] as const;
  for (const c of cases) {
    const sys = new System({ preemptRt: false });
    const t0 = sys.task('t0', 0, 'lock');
    const t1 = sys.task('t1', 1, 'wait');
    const t0done = t0.label('done');
    t1.step({ at: 'wait', next: 'unlock', src: S('wait_for(t0);'), guard: (s) => t0.at(s, t0done) });
    if (c.kind === 'mutex') {
      const m = mutex(sys, 'm');
      m.lock(t0, 'lock', 'done', S('mutex_lock(&m);'));
      m.unlock(t1, 'unlock', 'done', S('mutex_unlock(&m);'));
    } else {
      const m = rwlock(sys, 'm');
      m.writeLock(t0, 'lock', 'done', S('write_lock(&m);'));
      if (c.kind === 'read') m.readUnlock(t1, 'unlock', 'done', S('read_unlock(&m);'));
      else m.writeUnlock(t1, 'unlock', 'done', S('write_unlock(&m);'));
    }
    const r = run(finish(sys, `bad-unlock-${c.kind}`));
    // t1 waits for t0 to finish, then unlocks: a line of 4 states (lock,wait) -> (done,wait) ->
    // (done,unlock) -> (done,done), 3 edges, 4 levels
    assert.deepEqual(counts(r), [4, 3, 4], c.kind);
    assert.deepEqual(violated(r), ['kernel.bad-unlock'], c.kind);
    const v = viol(r, 'kernel.bad-unlock');
    assert.equal(v.kind, 'assert');
    assert.deepEqual(ids(v), ['t0:lock', 't1:wait', 't1:unlock'], c.kind);
    assert.equal(v.message, c.msg);
  }
});

test('bad-unlock: unlocking a free lock names nobody; lock then unlock is clean', () => {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'unlock');
  const m = spinlock(sys, 'm');
  m.unlock(t, 'unlock', 'done', S('spin_unlock(&m);'));
  const r = run(finish(sys, 'unlock-free'));
  assert.deepEqual(counts(r), [2, 1, 2]); // unlock -> done
  assert.equal(viol(r, 'kernel.bad-unlock').message, 't unlocks m held by nobody');
  assert.deepEqual(ids(viol(r, 'kernel.bad-unlock')), ['t:unlock']);

  const sys2 = new System({ preemptRt: false });
  const t2 = sys2.task('t', 0, 'lock');
  const m2 = spinlock(sys2, 'm');
  m2.lock(t2, 'lock', 'unlock', S('spin_lock(&m);'));
  m2.unlock(t2, 'unlock', 'done', S('spin_unlock(&m);'));
  const r2 = run(finish(sys2, 'lock-unlock'));
  assert.equal(r2.status, 'pass');
  assert.deepEqual(counts(r2), [3, 2, 3]); // lock -> unlock -> done
});

// ---------------------------------------------------------------------------------------------
// rwlock in an interrupt on the CPU of a writer

/**
 * t (cpu 0): write_lock[_irqsave](&l); write_unlock[_irqrestore](&l). An hrtimer queued on cpu 0
 * (enqueued initially, never re-armed) whose callback does read_lock(&l); read_unlock(&l) — or
 * `if (!read_trylock(&l)) return;` — and returns.
 */
function rwIrq(o: { preemptRt: boolean; irqsave: boolean; trylock?: boolean }): Model {
  const sys = new System({ preemptRt: o.preemptRt });
  const t = sys.task('t', 0, 'write_lock');
  const l = rwlock(sys, 'l');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'same', entry: o.trylock ? 'cb.read_trylock' : 'cb.read_lock', fireSrc: FIRE });
  const irq = o.irqsave ? { irqsave: true } : undefined;
  l.writeLock(t, 'write_lock', 'write_unlock', S(o.irqsave ? 'write_lock_irqsave(&l, flags);' : 'write_lock(&l);'), irq);
  l.writeUnlock(t, 'write_unlock', 'done', S(o.irqsave ? 'write_unlock_irqrestore(&l, flags);' : 'write_unlock(&l);'), irq);
  if (o.trylock) l.readTrylock(tm.cb, 'cb.read_trylock', 'cb.read_unlock', 'cb.return', S('if (!read_trylock(&l)) return HRTIMER_NORESTART;'));
  else l.readLock(tm.cb, 'cb.read_lock', 'cb.read_unlock', S('read_lock(&l);'));
  l.readUnlock(tm.cb, 'cb.read_unlock', 'cb.return', S('read_unlock(&l);'));
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  return finish(sys, 'rw-irq', { init: (s) => void (s[tm.enqueued.offset] = 1) });
}

// Hand count for rwIrq. t: 0 write_lock, 1 write_unlock (writer), 2 done. The handler: I1 (idle,
// enqueued), L (at its lock), U (reader), R (at return), I0 (idle, fired). The handler runs on t's
// CPU: t is frozen while it is at L/U/R; it fires from I1 whenever interrupts are on there.

test('rwlock read_lock in an irq on the CPU of a writer without irqsave: irq-unsafe-lock and deadlock', () => {
  const r = run(rwIrq({ preemptRt: false, irqsave: false }));
  // (t, I1) t=0..2: 3; (t, L): fired at any t: 3; (t, U), (t, R): not t=1 (writer): 2+2;
  // (t, I0): 3 (t continues after the handler). 13 states.
  // Edges: (0,I1) 2, (1,I1) 2, (2,I1) 1, (0,L) 1, (1,L) 0 (deadlock), (2,L) 1, U and R states 1
  // each (4), (0,I0) 1, (1,I0) 1, (2,I0) 0: 13. Depths: (0,I1) 0; (1,I1),(0,L) 1; (2,I1),(1,L),
  // (0,U) 2; (2,L),(0,R) 3; (2,U),(0,I0) 4; (2,R),(1,I0) 5; (2,I0) 6: 7 levels.
  assert.deepEqual(counts(r), [13, 13, 7]);
  // (and read_lock of an rwlock_t in a hard irq that stays hard on RT: an invalid wait context on
  // every kernel, kernel.raw-lock-nesting, reached with the first handler step)
  assert.deepEqual(violated(r), ['deadlock', 'kernel.irq-unsafe-lock', 'kernel.raw-lock-nesting']);
  assert.deepEqual(ids(viol(r, 'kernel.raw-lock-nesting')), ['tm.callback:fire@cpu0']);
  // t:write_lock with irqs on is seen at d0; the handler's read_lock at (0,L) (d1, found first
  // because the fire step was built first) completes the inconsistency
  const iu = viol(r, 'kernel.irq-unsafe-lock');
  assert.deepEqual(ids(iu), ['tm.callback:fire@cpu0', 'tm.callback:cb.read_lock']);
  assert.equal(iu.message, 'inconsistent lock state: l taken in hard irq at tm.callback:cb.read_lock and held for writing with irqs enabled at t:write_lock');
  // the real deadlock: the irq spins on the writer it interrupted
  const dl = viol(r, 'deadlock');
  assert.deepEqual(ids(dl), ['t:write_lock', 'tm.callback:fire@cpu0']);
  assert.equal(dl.message, 't stuck at t:write_unlock `write_unlock(&l);`; tm.callback stuck at tm.callback:cb.read_lock `read_lock(&l);` waiting for l held by writer t');
});

test('rwlock twin: write_lock_irqsave keeps the irq out of the critical section', () => {
  const r = run(rwIrq({ preemptRt: false, irqsave: true }));
  // as above without (1,L): the timer cannot fire while t is at 1 (irqs_off = 1 there), and (1,I1)
  // loses its fire edge: 12 states, 13 - 1 = 12 edges; depths unchanged: 7 levels. What is left
  // is the lock kind itself: an rwlock_t in an _HARD hrtimer callback (kernel.raw-lock-nesting)
  assert.deepEqual(violated(r), ['kernel.raw-lock-nesting']);
  assert.deepEqual(counts(r), [12, 12, 7]);
  const out = replay(rwIrq({ preemptRt: false, irqsave: true }), ['t:write_lock']);
  assert.equal(out.trace.states[1]!['t.irqs_off'], 1);
  assert.throws(() => replay(rwIrq({ preemptRt: false, irqsave: true }), ['t:write_lock', 'tm.callback:fire@cpu0']), ReplayError);
});

test('rwlock on PREEMPT_RT: a sleeping lock in hard irq; write_lock_irqsave no longer keeps the irq out', () => {
  for (const irqsave of [false, true]) {
    const r = run(rwIrq({ preemptRt: true, irqsave }));
    // _irqsave does not disable interrupts on RT: the same 13 states / 13 edges / 7 levels as the
    // non-RT bug model, with and without irqsave
    assert.deepEqual(counts(r), [13, 13, 7], `irqsave ${irqsave}`);
    // irq-unsafe-lock is not an RT check (the lock sleeps); taking it in hard irq is the bug
    assert.deepEqual(violated(r), ['deadlock', 'kernel.raw-lock-nesting', 'kernel.sleep-in-atomic'], `irqsave ${irqsave}`);
    assert.deepEqual(ids(viol(r, 'kernel.sleep-in-atomic')), ['tm.callback:fire@cpu0']);
  }
  const out = replay(rwIrq({ preemptRt: true, irqsave: true }), ['t:write_lock', 'tm.callback:fire@cpu0']);
  assert.equal(out.trace.states[1]!['t.irqs_off'], 0);
});

test('read_trylock in the irq never waits for the writer it interrupted: no deadlock, no lockdep report', () => {
  const m = rwIrq({ preemptRt: false, irqsave: false, trylock: true });
  const r = run(m);
  // handler phases I1, L (at trylock), U (reader), R, I0. (t,I1) 3; (t,L) 3; (t,U) t in {0,2}: 2
  // (at t=1 the trylock fails straight to R); (t,R) 3; (t,I0) 3: 14 states.
  // Edges: (0,I1) 2, (1,I1) 2, (2,I1) 1, the 3 L, 2 U and 3 R states 1 each (8), (0,I0) 1,
  // (1,I0) 1: 15. Depths: 0: (0,I1); 1: (1,I1),(0,L); 2: (2,I1),(1,L),(0,U); 3: (2,L),(1,R),(0,R);
  // 4: (2,U),(1,I0),(0,I0); 5: (2,R),(2,I0): 6 levels.
  assert.deepEqual(counts(r), [14, 15, 6]);
  // lockdep does not mark trylocks as irq usage (mark_usage: "if non-trylock use in a hardirq")
  assert.deepEqual(violated(r), []);
  // the failing trylock: writer held, the callback returns without the lock
  const out = replay(m, ['t:write_lock', 'tm.callback:fire@cpu0', 'tm.callback:cb.read_trylock']);
  assert.equal(out.trace.states[3]!['tm.callback.pc'], 'cb.return');
  assert.equal(out.trace.states[3]!['l.readers'], 0);
  assert.equal(out.trace.states[3]!['l.writer'], 1);
  // and the succeeding one, with no writer
  const ok = replay(m, ['tm.callback:fire@cpu0', 'tm.callback:cb.read_trylock']);
  assert.equal(ok.trace.states[2]!['tm.callback.pc'], 'cb.read_unlock');
  assert.equal(ok.trace.states[2]!['l.readers'], 2); // bit of process index 1
});

test('read_trylock fails exactly while a writer holds the lock (two tasks); read_lock waits instead', () => {
  const build = (trylock: boolean): Model => {
    const sys = new System({ preemptRt: false });
    const w = sys.task('w', 0, 'write_lock');
    const rd = sys.task('r', 1, trylock ? 'read_trylock' : 'read_lock');
    const l = rwlock(sys, 'l');
    l.writeLock(w, 'write_lock', 'write_unlock', S('write_lock(&l);'));
    l.writeUnlock(w, 'write_unlock', 'done', S('write_unlock(&l);'));
    if (trylock) l.readTrylock(rd, 'read_trylock', 'read_unlock', 'done(failed)', S('if (!read_trylock(&l)) goto out;'));
    else l.readLock(rd, 'read_lock', 'read_unlock', S('read_lock(&l);'));
    l.readUnlock(rd, 'read_unlock', 'done', S('read_unlock(&l);'));
    const failed = rd.label('done(failed)');
    return finish(sys, 'trylock', {
      properties: [
        { kind: 'sometimes', id: 'demo.trylock-fails', description: 'read_trylock returned 0', check: (s) => rd.at(s, failed) },
        { kind: 'always', id: 'demo.fails-only-under-writer', description: 'read_trylock fails only while w holds the lock', check: (s) => !rd.at(s, failed) || !w.isIdle(s) },
      ],
    });
  };
  const r = run(build(true));
  // w: w0 lock, w1 holds, w2 done; r: r0 trylock, r1 holds, r2 done, r3 failed. (w,r) with r in
  // r0..r2: the 9 pairs minus (w1,r1) = 8; r3 only after trying at w1: (w1,r3), (w2,r3): 10.
  // Edges: (w0,r0) 2, (w1,r0) 2 (unlock, trylock fails), (w0,r1) 1 (w waits), (w2,r0) 1,
  // (w0,r2) 1, (w1,r2) 1, (w2,r1) 1, (w1,r3) 1, (w2,r2) 0, (w2,r3) 0: 10. Depths 0..4: 5 levels.
  assert.deepEqual(counts(r), [10, 10, 5]);
  assert.equal(r.status, 'pass');
  const cover = r.covers.find((c) => c.property === 'demo.trylock-fails')!;
  assert.equal(cover.depth, 2);
  assert.deepEqual(cover.trace!.steps.map((s) => s.step), ['w:write_lock', 'r:read_trylock']);
  // read_lock instead: r waits at r0 while w holds; no r3: 8 states; (w1,r0) has only w's edge:
  // 8 edges; still 5 levels (w2,r2 at depth 4)
  const blocking = run(build(false));
  assert.deepEqual(counts(blocking), [8, 8, 5]);
  assert.deepEqual(violated(blocking), ['demo.trylock-fails']); // never reached
});

// ---------------------------------------------------------------------------------------------
// which locks may be taken in hard irq, per kernel

test('a lock in a hard-irq handler: mutex never, spinlock_t and rwlock_t spin only on non-RT (an invalid wait context on both), raw_spinlock_t always', () => {
  const kinds = ['mutex', 'spinlock', 'raw_spinlock', 'rwlock'] as const;
  const expectSleep: Record<(typeof kinds)[number], [boolean, boolean]> = {
    // [non-RT, RT]
    mutex: [true, true],
    spinlock: [false, true],
    raw_spinlock: [false, false],
    rwlock: [false, true],
  };
  // kernel.raw-lock-nesting (lockdep PROVE_RAW_LOCK_NESTING): spinlock_t and rwlock_t, whichever
  // the kernel; not the mutex (sleep-in-atomic covers it) nor raw_spinlock_t
  const nesting = (kind: (typeof kinds)[number]): boolean => kind === 'spinlock' || kind === 'rwlock';
  for (const kind of kinds) {
    for (const preemptRt of [false, true]) {
      const sys = new System({ preemptRt });
      const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'same', entry: 'cb.lock', fireSrc: FIRE });
      if (kind === 'rwlock') {
        const l = rwlock(sys, 'l');
        l.readLock(tm.cb, 'cb.lock', 'cb.unlock', S('read_lock(&l);'));
        l.readUnlock(tm.cb, 'cb.unlock', 'cb.return', S('read_unlock(&l);'));
      } else {
        const l = (kind === 'mutex' ? mutex : kind === 'spinlock' ? spinlock : rawSpinlock)(sys, 'l');
        l.lock(tm.cb, 'cb.lock', 'cb.unlock', S(`${kind}_lock(&l);`));
        l.unlock(tm.cb, 'cb.unlock', 'cb.return', S(`${kind}_unlock(&l);`));
      }
      tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
      const r = run(sys.finish({ name: kind, init: (s) => void (s[tm.enqueued.offset] = 1) }));
      const what = `${kind} on ${preemptRt ? 'RT' : 'non-RT'}`;
      // idle+enqueued -> cb.lock -> cb.unlock -> cb.return -> idle: 5 states, 4 edges, 5 levels
      assert.deepEqual(counts(r), [5, 4, 5], what);
      const sleeps = expectSleep[kind][preemptRt ? 1 : 0];
      assert.deepEqual(violated(r), [...(nesting(kind) ? ['kernel.raw-lock-nesting'] : []), ...(sleeps ? ['kernel.sleep-in-atomic'] : [])], what);
      if (nesting(kind)) assert.deepEqual(ids(viol(r, 'kernel.raw-lock-nesting')), ['tm.callback:fire@cpu0'], what);
      if (sleeps) {
        const v = viol(r, 'kernel.sleep-in-atomic');
        assert.deepEqual(ids(v), ['tm.callback:fire@cpu0'], what);
        assert.equal(v.trace!.states.at(-1)!['tm.callback.pc'], 'cb.lock');
      }
    }
  }
});

test('lock fields: owner ids are 1-based process indices; readers are a bitmask; holders() names them', () => {
  const sys = new System({ preemptRt: false });
  const a = sys.task('a', 0, 'lock');
  const b = sys.task('b', 1, 'lock');
  const m = mutex(sys, 'm');
  const l = rwlock(sys, 'l');
  m.lock(a, 'lock', 'done', S('mutex_lock(&m);'));
  l.readLock(b, 'lock', 'done', S('read_lock(&l);'));
  const model = finish(sys, 'fields');
  const s = model.init()[0]!;
  assert.equal(m.holders(s), 'nobody');
  assert.equal(l.holders(s), 'nobody');
  assert.equal(l.free(s), true);
  const out = replay(model, ['a:lock', 'b:lock']);
  const end = model.schema.encode(out.trace.states[2] as Record<string, string | number | boolean>);
  assert.equal(out.trace.states[2]!['m.owner'], 1);
  assert.equal(out.trace.states[2]!['l.readers'], 2);
  assert.equal(m.holders(end), 'a');
  assert.equal(l.holders(end), 'readers b');
  assert.equal(m.held(end, a), true);
  assert.equal(m.held(end, b), false);
  assert.equal(l.held(end, b), true);
  assert.equal(l.free(end), false);
  // on a non-RT kernel a mutex is never "spinning"; the rwlock is
  assert.equal(m.spinningHeld(end, a), false);
  assert.equal(l.spinningHeld(end, b), true);
});
