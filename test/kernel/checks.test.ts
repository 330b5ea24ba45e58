/**
 * src/kernel/checks.ts: each lockdep-style check is its own property id; sleeping in atomic
 * context per lock kind and kernel; irq-unsafe lock usage; lock-order cycles that no interleaving
 * closes, over three classes, and with trylocks; the deadlock report. Counts derived by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import { replay } from '../../src/engine/trace.js';
import type { Model } from '../../src/engine/index.js';
import { counts, FIRE, finish, ids, run, S, viol, violated } from './helpers.js';
import { ExclusiveLock, Gpc, HrTimer, KERNEL_PROPERTIES, mutex, rawSpinlock, rwlock, spinlock, src, System, type Proc } from '../../src/kernel/index.js';



test('every kernel check is its own property, before the model\'s own; the engine adds deadlock', () => {
  const sys = new System({ preemptRt: false });
  sys.task('t', 0);
  const model = sys.finish({ name: 'ids', properties: [{ kind: 'assert', id: 'demo.own', description: 'own' }] });
  assert.deepEqual(
    model.properties.map((p) => [p.id, p.kind]),
    [
      ['kernel.sleep-in-atomic', 'always'],
      ['kernel.recursive-lock', 'always'],
      ['kernel.hrtimer-cancel-self', 'always'],
      ['kernel.raw-lock-nesting', 'always'],
      ['kernel.lock-order', 'transition'],
      ['kernel.irq-unsafe-lock', 'transition'],
      ['kernel.bad-unlock', 'assert'],
      ['kernel.lock-held-on-return', 'assert'],
      ['demo.own', 'assert'],
    ],
  );
  assert.deepEqual(Object.values(KERNEL_PROPERTIES).sort(), model.properties.slice(0, 8).map((p) => p.id).sort());
  const r = explore(model);
  // one task with no steps, idle: 1 state, a valid end
  assert.deepEqual(counts(r), [1, 0, 1]);
  assert.equal(r.status, 'pass');
  assert.equal(r.properties.at(-1)!.id, 'deadlock');
});

test('deadlock with every process idle is reported as such', () => {
  const sys = new System({ preemptRt: false });
  sys.task('t', 0);
  const r = explore(sys.finish({ name: 'stuck', validEnd: () => false }));
  assert.deepEqual(counts(r), [1, 0, 1]);
  assert.deepEqual(violated(r), ['deadlock']);
  assert.equal(viol(r, 'deadlock').message, 'every process idle but not a valid end state');
  assert.deepEqual(ids(viol(r, 'deadlock')), []);
});

// ---------------------------------------------------------------------------------------------
// sleeping in atomic context, task side

type Outer = 'spin_lock' | 'spin_lock_irqsave' | 'raw_spin_lock' | 'read_lock' | 'mutex_lock';
type Inner = 'mutex_lock' | 'spin_lock' | 'hrtimer_cancel' | 'kvm_gpc_refresh';

/** t: take `outer`; do `inner` (a lock + unlock, or one call); release `outer`. Nobody else runs. */
function nested(outer: Outer, inner: Inner, preemptRt: boolean): Model {
  const sys = new System({ preemptRt });
  const t = sys.task('t', 0, 'outer');
  const opt = outer === 'spin_lock_irqsave' ? { irqsave: true } : undefined;
  const o = outer === 'read_lock' ? rwlock(sys, 'o') : (outer === 'mutex_lock' ? mutex : outer === 'raw_spin_lock' ? rawSpinlock : spinlock)(sys, 'o');
  if (o instanceof ExclusiveLock) o.lock(t, 'outer', 'inner', S(`${outer}(&o);`), opt);
  else o.readLock(t, 'outer', 'inner', S('read_lock(&o);'));
  if (inner === 'mutex_lock' || inner === 'spin_lock') {
    const i = (inner === 'mutex_lock' ? mutex : spinlock)(sys, 'i');
    i.lock(t, 'inner', 'inner_unlock', S(`${inner}(&i);`));
    i.unlock(t, 'inner_unlock', 'outer_unlock', S('unlock(&i);'));
  } else if (inner === 'hrtimer_cancel') {
    const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'other', entry: 'cb.return', fireSrc: FIRE });
    tm.cancel(t, 'inner', 'outer_unlock', S('hrtimer_cancel(&tm);'));
    tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  } else {
    new Gpc(sys, 'cache').refresh(t, 'inner', 'outer_unlock', S('kvm_gpc_refresh(gpc, PAGE_SIZE);'));
  }
  if (o instanceof ExclusiveLock) o.unlock(t, 'outer_unlock', 'done', S('unlock(&o);'), opt);
  else o.readUnlock(t, 'outer_unlock', 'done', S('read_unlock(&o);'));
  return finish(sys, `${outer}/${inner}`);
}

test('sleep-in-atomic: a may-block step under a spinning lock or with irqs off, even uncontended; per kernel', () => {
  // [outer, inner, violated on non-RT, violated on RT]
  const table: [Outer, Inner, boolean, boolean][] = [
    ['spin_lock', 'mutex_lock', true, false], // spinlock_t sleeps on RT: no atomic section
    ['spin_lock_irqsave', 'mutex_lock', true, false], // and _irqsave leaves irqs on there
    ['raw_spin_lock', 'mutex_lock', true, true],
    ['read_lock', 'mutex_lock', true, false],
    ['mutex_lock', 'mutex_lock', false, false], // sleeping under sleeping is fine
    ['raw_spin_lock', 'spin_lock', false, true], // the PREEMPT_RT nesting rule
    ['spin_lock', 'spin_lock', false, false],
    ['spin_lock', 'hrtimer_cancel', true, false],
    ['raw_spin_lock', 'kvm_gpc_refresh', true, true],
    ['mutex_lock', 'hrtimer_cancel', false, false],
  ];
  for (const [outer, inner, nonRt, rt] of table) {
    for (const preemptRt of [false, true]) {
      const what = `${inner} under ${outer}, ${preemptRt ? 'RT' : 'non-RT'}`;
      const r = run(nested(outer, inner, preemptRt));
      // a straight line: outer, inner (+ inner_unlock for the lock kinds), outer_unlock, done.
      // Nothing else moves (the timer is never enqueued): 5 or 4 states, one fewer edges.
      const n = inner === 'mutex_lock' || inner === 'spin_lock' ? 5 : 4;
      assert.deepEqual(counts(r), [n, n - 1, n], what);
      const bad = preemptRt ? rt : nonRt;
      assert.deepEqual(violated(r), bad ? ['kernel.sleep-in-atomic'] : [], what);
      if (bad) {
        const v = viol(r, 'kernel.sleep-in-atomic');
        assert.deepEqual(ids(v), ['t:outer'], what); // flagged when reached, before it runs
        assert.equal(v.trace!.states.at(-1)!['t.pc'], 'inner', what);
      }
    }
  }
});

test('KernelChecks.atomic names the reason; heldBy lists held classes', () => {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'a');
  const spin = spinlock(sys, 'l', 'l-class');
  const m = mutex(sys, 'm');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 1, otherCpu: 2, placement: 'same', entry: 'cb.return', fireSrc: FIRE });
  m.lock(t, 'a', 'b', S('mutex_lock(&m);'));
  spin.lock(t, 'b', 'c', S('spin_lock(&l);'));
  spin.unlock(t, 'c', 'd', S('spin_unlock(&l);'));
  spin.lock(t, 'd', 'e', S('spin_lock_irqsave(&l, flags);'), { irqsave: true });
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  const model = sys.finish({ name: 'atomic', init: (s) => void (s[tm.enqueued.offset] = 1) });
  const at = (steps: string[]): Uint8Array => {
    const out = replay(model, steps);
    return model.schema.encode(out.trace.states.at(-1) as Record<string, string | number | boolean>);
  };
  assert.equal(sys.checks.atomic(at([]), t), null);
  assert.equal(sys.checks.atomic(at(['t:a']), t), null); // a mutex is not atomic
  assert.deepEqual(sys.checks.heldBy(at(['t:a']), t), ['m']);
  assert.equal(sys.checks.atomic(at(['t:a', 't:b']), t), 'spinning lock l-class held (preemption disabled)');
  assert.deepEqual(sys.checks.heldBy(at(['t:a', 't:b']), t), ['l-class', 'm']);
  assert.equal(sys.checks.atomic(at(['t:a', 't:b', 't:c', 't:d']), t), 'interrupts disabled');
  const fired = at(['tm.callback:fire@cpu1']);
  assert.equal(sys.checks.atomic(fired, tm.cb), 'hard-interrupt context');
  assert.deepEqual(sys.checks.heldBy(fired, tm.cb), ['hrtimer tm']);
  assert.deepEqual(sys.checks.heldBy(fired, t), []);
});

// ---------------------------------------------------------------------------------------------
// irq-unsafe lock usage

/**
 * t (CPU 0): lock l (optionally _irqsave); unlock. A timer callback on CPU 1 (enqueued initially)
 * takes and releases l. No deadlock is reachable (the callback is on another CPU), but lockdep
 * reports the usage: the timer could as well fire on CPU 0 inside t's critical section.
 */
function irqUser(kind: 'spinlock' | 'raw_spinlock', irqsave: boolean, preemptRt: boolean): Model {
  const sys = new System({ preemptRt });
  const t = sys.task('t', 0, 'spin_lock');
  const l = (kind === 'spinlock' ? spinlock : rawSpinlock)(sys, 'l');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'other', entry: 'cb.spin_lock', fireSrc: FIRE });
  const opt = irqsave ? { irqsave: true } : undefined;
  l.lock(t, 'spin_lock', 'spin_unlock', S(irqsave ? 'spin_lock_irqsave(&l, flags);' : 'spin_lock(&l);'), opt);
  l.unlock(t, 'spin_unlock', 'done', S('spin_unlock(&l);'), opt);
  l.lock(tm.cb, 'cb.spin_lock', 'cb.spin_unlock', S('spin_lock(&l);'));
  l.unlock(tm.cb, 'cb.spin_unlock', 'cb.return', S('spin_unlock(&l);'));
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  return finish(sys, `irq-user-${kind}`, { init: (s) => void (s[tm.enqueued.offset] = 1) });
}

test('irq-unsafe-lock: a lock taken in hard irq and, with irqs on, in a task; per kind and kernel', () => {
  // t: 0 lock, 1 holds, 2 done; callback: I1, L (at lock), U (holds), R, I0. Free interleaving
  // except that l excludes (1,U): 15 - 1 = 14 states. Edges: t moves at 0 unless the callback
  // holds l (4 states) and always at 1 (4 states): 8; the callback moves at I1 (3), at L unless
  // t holds l (2), at U (2) and R (3): 10. 18 edges. Every step advances one of the two by one,
  // and each state has a path that never waits (run t first unless the callback is already past
  // its lock, else the callback first), so depth = t + callback phase, up to 2 + 4: 7 levels.
  // irqs_off (1 at t = 1 with an irqsave that counts on this kernel) is a function of t, and the
  // callback fires on CPU 1 regardless: the same counts for every case.
  const cases: [kind: 'spinlock' | 'raw_spinlock', irqsave: boolean, rt: boolean, expect: string[]][] = [
    // spinlock_t in a hard irq that stays hard on RT (an _HARD hrtimer) is also an invalid wait
    // context on every kernel (kernel.raw-lock-nesting, lockdep PROVE_RAW_LOCK_NESTING)
    ['spinlock', false, false, ['kernel.irq-unsafe-lock', 'kernel.raw-lock-nesting']],
    ['spinlock', true, false, ['kernel.raw-lock-nesting']],
    ['raw_spinlock', false, false, ['kernel.irq-unsafe-lock']],
    ['raw_spinlock', true, false, []],
    // on RT spinlock_t sleeps: taking it in hard irq is the bug, irq-safety is moot
    ['spinlock', false, true, ['kernel.raw-lock-nesting', 'kernel.sleep-in-atomic']],
    // raw_spinlock_t still spins on RT, and raw_spin_lock_irqsave still disables interrupts
    ['raw_spinlock', false, true, ['kernel.irq-unsafe-lock']],
    ['raw_spinlock', true, true, []],
  ];
  for (const [kind, irqsave, rt, expect] of cases) {
    const what = `${kind} irqsave=${irqsave} rt=${rt}`;
    const r = run(irqUser(kind, irqsave, rt));
    assert.deepEqual(counts(r), [14, 18, 7], what);
    assert.deepEqual(violated(r), expect, what);
    if (expect[0] === 'kernel.irq-unsafe-lock') {
      // t's lock with irqs on is seen at d0; the callback's lock at (0,L), d1, completes it
      const v = viol(r, 'kernel.irq-unsafe-lock');
      assert.deepEqual(ids(v), ['tm.callback:fire@cpu1', 'tm.callback:cb.spin_lock'], what);
      assert.equal(v.message, 'inconsistent lock state: l taken in hard irq at tm.callback:cb.spin_lock and held for writing with irqs enabled at t:spin_lock', what);
    }
    if (expect.includes('kernel.sleep-in-atomic')) assert.deepEqual(ids(viol(r, 'kernel.sleep-in-atomic')), ['tm.callback:fire@cpu1'], what);
    if (expect.includes('kernel.raw-lock-nesting')) assert.deepEqual(ids(viol(r, 'kernel.raw-lock-nesting')), ['tm.callback:fire@cpu1'], what);
  }
});

// ---------------------------------------------------------------------------------------------
// raw lock nesting (lockdep CONFIG_PROVE_RAW_LOCK_NESTING)

/**
 * w (CPU 0): write_lock_irqsave(&l); write_unlock_irqrestore(&l). An _HARD hrtimer callback on
 * CPU 1 (enqueued initially): read_lock_irqsave(&l); read_unlock_irqrestore(&l) — or, the twin,
 * `if (!read_trylock(&l)) return;` — and returns. l is an rwlock_t (like gpc->lock).
 */
function rawNesting(trylock: boolean, preemptRt: boolean): Model {
  const sys = new System({ preemptRt });
  const w = sys.task('w', 0, 'write_lock');
  const l = rwlock(sys, 'l');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'other', entry: 'cb.read_lock', fireSrc: FIRE });
  const irq = { irqsave: true };
  l.writeLock(w, 'write_lock', 'write_unlock', S('write_lock_irqsave(&l, flags);'), irq);
  l.writeUnlock(w, 'write_unlock', 'done', S('write_unlock_irqrestore(&l, flags);'), irq);
  if (trylock) l.readTrylock(tm.cb, 'cb.read_lock', 'cb.read_unlock', 'cb.return', S('if (!read_trylock(&l)) return HRTIMER_NORESTART;'), irq);
  else l.readLock(tm.cb, 'cb.read_lock', 'cb.read_unlock', S('read_lock_irqsave(&l, flags);'), irq);
  l.readUnlock(tm.cb, 'cb.read_unlock', 'cb.return', S('read_unlock_irqrestore(&l, flags);'), irq);
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  return finish(sys, trylock ? 'raw-nesting-trylock' : 'raw-nesting', { init: (s) => void (s[tm.enqueued.offset] = 1) });
}

test('raw-lock-nesting: a blocking rwlock_t acquire in an _HARD hrtimer callback, on a non-RT kernel too, contended or not', () => {
  // w: 0 lock, 1 holds, 2 done; callback: I1, L (at read_lock), U (reader), R, I0. The callback is
  // on CPU 1, so w's irqsave changes nothing for it. Pairs 3 x 5 minus (1,U) (writer and reader):
  // 14 states. Edges: w moves at 0 unless the callback is at U (4) and at 1 always (4): 8; the
  // callback fires at I1 (3), takes the lock at L only without the writer (2), unlocks at U (2),
  // returns at R (3): 10; 18 edges. Depth = w steps + callback steps, up to 2 + 4: 7 levels.
  for (const preemptRt of [false, true]) {
    const what = preemptRt ? 'RT' : 'non-RT';
    const r = run(rawNesting(false, preemptRt));
    assert.deepEqual(counts(r), [14, 18, 7], what);
    // non-RT: only the nesting report (the lock spins; with w's irqsave no irq-unsafe usage);
    // RT: the lock sleeps, so it is sleep-in-atomic as well
    assert.deepEqual(violated(r), preemptRt ? ['kernel.raw-lock-nesting', 'kernel.sleep-in-atomic'] : ['kernel.raw-lock-nesting'], what);
    // reported when the callback reaches read_lock, at (0,L), whether or not w holds the lock
    const v = viol(r, 'kernel.raw-lock-nesting');
    assert.deepEqual(ids(v), ['tm.callback:fire@cpu1'], what);
    assert.equal(v.trace!.states.at(-1)!['w.pc'], 'write_lock', what);
    assert.equal(v.trace!.states.at(-1)!['tm.callback.pc'], 'cb.read_lock', what);
    const p = r.properties.find((x) => x.id === 'kernel.raw-lock-nesting')!;
    assert.equal(p.kind, 'always');
  }
});

test('raw-lock-nesting twin: read_trylock in the hard irq never waits and is not reported, on either kernel', () => {
  // as above, but L always moves: to U without the writer, to R (trylock failed) under it. States:
  // (w,I1) 3, (w,L) 3, (w,U) w in {0,2}: 2, (w,R) 3, (w,I0) 3 = 14. Edges: w 4 + 4 = 8 as above;
  // callback I1 3, L 3, U 2, R 3 = 11; 19 edges. Depths: (2,I0) is 5 away (lock, fire, failed
  // trylock, return, unlock), nothing is farther: 6 levels.
  for (const preemptRt of [false, true]) {
    const what = preemptRt ? 'RT' : 'non-RT';
    const r = run(rawNesting(true, preemptRt));
    assert.deepEqual(counts(r), [14, 19, 6], what);
    assert.deepEqual(violated(r), [], what);
  }
  // the failing trylock: the writer holds l, the callback returns without it
  const out = replay(rawNesting(true, false), ['w:write_lock', 'tm.callback:fire@cpu1', 'tm.callback:cb.read_lock']);
  assert.equal(out.trace.states[3]!['tm.callback.pc'], 'cb.return');
});

test('raw-lock-nesting concerns hard irq only: the same rwlock_t and spinlock_t taken by tasks are not reported', () => {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'read_lock');
  const l = rwlock(sys, 'l');
  const sp = spinlock(sys, 'sp');
  l.readLock(t, 'read_lock', 'spin_lock', S('read_lock_irqsave(&l, flags);'), { irqsave: true });
  sp.lock(t, 'spin_lock', 'spin_unlock', S('spin_lock(&sp);'));
  sp.unlock(t, 'spin_unlock', 'read_unlock', S('spin_unlock(&sp);'));
  l.readUnlock(t, 'read_unlock', 'done', S('read_unlock_irqrestore(&l, flags);'), { irqsave: true });
  const r = run(finish(sys, 'task-locks'));
  // a straight line of 4 steps: 5 states, 4 edges, 5 levels
  assert.deepEqual(counts(r), [5, 4, 5]);
  assert.deepEqual(violated(r), []);
});

// ---------------------------------------------------------------------------------------------
// lock order

/** Tasks t0..t(n-1), each taking two mutexes nested, each starting only after the previous one is done. */
function chain(pairs: [string, string][]): Model {
  const sys = new System({ preemptRt: false });
  const names = [...new Set(pairs.flat())];
  const locks = new Map(names.map((n) => [n, mutex(sys, n)]));
  let prev: { p: Proc; done: number } | null = null;
  pairs.forEach(([x, y], k) => {
    const t = sys.task(`t${k}`, k, `lock_${x}`);
    const before = prev;
    const guard = before ? (s: Uint8Array) => before.p.at(s, before.done) : undefined;
    locks.get(x)!.lock(t, `lock_${x}`, `lock_${y}`, S(`mutex_lock(&${x});`), guard ? { guard } : undefined);
    locks.get(y)!.lock(t, `lock_${y}`, `unlock_${y}`, S(`mutex_lock(&${y});`));
    locks.get(y)!.unlock(t, `unlock_${y}`, `unlock_${x}`, S(`mutex_unlock(&${y});`));
    locks.get(x)!.unlock(t, `unlock_${x}`, 'done', S(`mutex_unlock(&${x});`));
    prev = { p: t, done: t.label('done') };
  });
  return finish(sys, 'chain');
}

test('lock-order: ABBA in two tasks that never overlap is still reported (lockdep), and nothing else is', () => {
  const r = run(chain([['a', 'b'], ['b', 'a']]));
  // t1 starts only once t0 is done: a line of 5 + 4 = 9 states, 8 edges, 9 levels
  assert.deepEqual(counts(r), [9, 8, 9]);
  assert.deepEqual(violated(r), ['kernel.lock-order']);
  const v = viol(r, 'kernel.lock-order');
  assert.deepEqual(ids(v), ['t0:lock_a', 't0:lock_b', 't0:unlock_b', 't0:unlock_a', 't1:lock_b', 't1:lock_a']);
  assert.equal(v.message, 'lock order inversion: b -> a at t1:lock_a, but a -> b at t0:lock_b');
});

test('lock-order: a three-class cycle a -> b -> c -> a is found with its whole path', () => {
  const r = run(chain([['a', 'b'], ['b', 'c'], ['c', 'a']]));
  // a line of 5 + 4 + 4 = 13 states, 12 edges, 13 levels
  assert.deepEqual(counts(r), [13, 12, 13]);
  assert.deepEqual(violated(r), ['kernel.lock-order']);
  const v = viol(r, 'kernel.lock-order');
  assert.equal(v.trace!.steps.length, 10);
  assert.equal(v.message, 'lock order inversion: c -> a at t2:lock_a, but a -> b at t0:lock_b, b -> c at t1:lock_c');
  // same order everywhere: no report
  const ok = run(chain([['a', 'b'], ['b', 'c'], ['a', 'c']]));
  assert.deepEqual(counts(ok), [13, 12, 13]);
  assert.equal(ok.status, 'pass');
});

test('lock-order: a trylock adds no edge (it cannot wait); locks taken while holding a trylocked lock do', () => {
  // t0: mutex_lock(a); if (mutex_trylock(b)) mutex_unlock(b); mutex_unlock(a).  t1: b then a.
  const sys = new System({ preemptRt: false });
  const t0 = sys.task('t0', 0, 'lock_a');
  const t1 = sys.task('t1', 1, 'lock_b');
  const a = mutex(sys, 'a');
  const b = mutex(sys, 'b');
  a.lock(t0, 'lock_a', 'trylock_b', S('mutex_lock(&a);'));
  b.trylock(t0, 'trylock_b', 'unlock_b', 'unlock_a', S('if (mutex_trylock(&b))'));
  b.unlock(t0, 'unlock_b', 'unlock_a', S('mutex_unlock(&b);'));
  a.unlock(t0, 'unlock_a', 'done', S('mutex_unlock(&a);'));
  b.lock(t1, 'lock_b', 'lock_a', S('mutex_lock(&b);'));
  a.lock(t1, 'lock_a', 'unlock_a', S('mutex_lock(&a);'));
  a.unlock(t1, 'unlock_a', 'unlock_b', S('mutex_unlock(&a);'));
  b.unlock(t1, 'unlock_b', 'done', S('mutex_unlock(&b);'));
  const r = run(finish(sys, 'trylock-order'));
  // t0: 0 lock_a, 1 trylock_b, 2 unlock_b, 3 unlock_a, 4 done (a at 1..3, b at 2); t1: 0 lock_b,
  // 1 lock_a, 2 unlock_a, 3 unlock_b, 4 done (b at 1..3, a at 2). The trylock goes 1 -> 3 when t1
  // holds b. BFS: d0 (0,0); d1 (1,0),(0,1); d2 (2,0),(1,1),(0,2); d3 (3,0),(3,1) [failed
  // trylock],(0,3); d4 (4,0),(4,1),(1,3),(0,4); d5 (4,2),(3,3) [failed],(1,4); d6 (4,3),(3,4),
  // (2,4); d7 (4,4). 20 states, 8 levels. Edges: two from (0,0),(1,0),(0,1),(3,0),(0,3),(1,3),
  // (3,3) (both can move); none from (4,4); one from each of the other 12 (the other side waits
  // for a lock or is done): 14 + 12 = 26.
  assert.deepEqual(counts(r), [20, 26, 8]);
  assert.equal(r.status, 'pass');

  // t0: if (mutex_trylock(b)) { mutex_lock(c); ... }  t1: c then b. The edge b -> c (c taken while
  // the trylocked b is held) and c -> b close a real cycle, and the deadlock is reachable.
  const sys2 = new System({ preemptRt: false });
  const u0 = sys2.task('t0', 0, 'trylock_b');
  const u1 = sys2.task('t1', 1, 'lock_c');
  const b2 = mutex(sys2, 'b');
  const c2 = mutex(sys2, 'c');
  b2.trylock(u0, 'trylock_b', 'lock_c', 'done(failed)', S('if (mutex_trylock(&b))'));
  c2.lock(u0, 'lock_c', 'unlock_c', S('mutex_lock(&c);'));
  c2.unlock(u0, 'unlock_c', 'unlock_b', S('mutex_unlock(&c);'));
  b2.unlock(u0, 'unlock_b', 'done', S('mutex_unlock(&b);'));
  c2.lock(u1, 'lock_c', 'lock_b', S('mutex_lock(&c);'));
  b2.lock(u1, 'lock_b', 'unlock_b', S('mutex_lock(&b);'));
  b2.unlock(u1, 'unlock_b', 'unlock_c', S('mutex_unlock(&b);'));
  c2.unlock(u1, 'unlock_c', 'done', S('mutex_unlock(&c);'));
  const r2 = run(finish(sys2, 'trylocked-then-lock'));
  // t0: 0 trylock_b, 1 lock_c (b), 2 unlock_c (b, c), 3 unlock_b (b), 4 done, F done(failed);
  // t1: 0 lock_c, 1 lock_b (c), 2 unlock_b (c, b), 3 unlock_c (c), 4 done. BFS: d0 (0,0); d1
  // (1,0),(0,1); d2 (2,0),(1,1) [deadlock],(0,2); d3 (3,0),(F,2) [b held: trylock fails],(0,3);
  // d4 (4,0),(3,1),(F,3),(1,3),(0,4); d5 (4,1),(F,4),(1,4); d6 (4,2),(2,4); d7 (4,3),(3,4); d8
  // (4,4). 22 states, 9 levels. Edges: two from (0,0),(1,0),(0,1),(0,2),(3,0),(0,3); none from
  // (1,1),(F,4),(4,4); one from each of the other 13: 12 + 13 = 25.
  assert.deepEqual(counts(r2), [22, 25, 9]);
  assert.deepEqual(violated(r2), ['deadlock', 'kernel.lock-order']);
  // d1: (1,0) adds b -> c at t0:lock_c; (0,1) adds c -> b at t1:lock_b
  const lo = viol(r2, 'kernel.lock-order');
  assert.deepEqual(ids(lo), ['t1:lock_c', 't1:lock_b']);
  assert.equal(lo.message, 'lock order inversion: c -> b at t1:lock_b, but b -> c at t0:lock_c');
  assert.deepEqual(ids(viol(r2, 'deadlock')), ['t0:trylock_b', 't1:lock_c']);
});

test('the accumulating checks start afresh on every exploration of the same model', () => {
  const abba = chain([['a', 'b'], ['b', 'a']]);
  const first = run(abba);
  const again = run(abba);
  assert.deepEqual(violated(again), violated(first));
  assert.deepEqual(ids(viol(again, 'kernel.lock-order')), ids(viol(first, 'kernel.lock-order')));
  const irq = irqUser('spinlock', false, false);
  const one = run(irq);
  const two = run(irq);
  assert.deepEqual(ids(viol(two, 'kernel.irq-unsafe-lock')), ids(viol(one, 'kernel.irq-unsafe-lock')));
  assert.deepEqual(ids(viol(two, 'kernel.irq-unsafe-lock')), ['tm.callback:fire@cpu1', 'tm.callback:cb.spin_lock']);
});
