/**
 * Execution contexts (src/kernel/system.ts): a hard-irq handler on the CPU of a task runs whole
 * between two of the task's steps and only while the task has interrupts enabled; on another CPU
 * it interleaves step by step. `_irqsave` disables interrupts on a normal kernel, not on
 * PREEMPT_RT, except for raw_spinlock_t. Interrupts do not nest on one CPU. Counts by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import { replay, ReplayError } from '../../src/engine/trace.js';
import type { Model } from '../../src/engine/index.js';
import { counts, FIRE, finish, ids, run, S, viol, violated } from './helpers.js';
import { HrTimer, rawSpinlock, rwlock, spinlock, src, System } from '../../src/kernel/index.js';



// ---------------------------------------------------------------------------------------------
// same CPU: runs whole; other CPU: interleaves

/**
 * t (CPU 0): x = 1; x = 0. The callback (enqueued initially): seen = x; return. Property: at the
 * return, x still equals what the callback read.
 */
function observe(placement: 'same' | 'other'): Model {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'set_x');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement, entry: 'cb.read_x', fireSrc: FIRE });
  const x = sys.layout.bool('x');
  const seen = sys.layout.bool('cb.seen');
  t.step({ at: 'set_x', next: 'clear_x', src: S('x = 1;'), run: (s) => void (s[x.offset] = 1) });
  t.step({ at: 'clear_x', next: 'done', src: S('x = 0;'), run: (s) => void (s[x.offset] = 0) });
  tm.cb.step({ at: 'cb.read_x', next: 'cb.return', src: S('seen = x;'), run: (s) => void (s[seen.offset] = s[x.offset]!) });
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  const ret = tm.cb.label('cb.return');
  return finish(sys, `observe-${placement}`, {
    init: (s) => void (s[tm.enqueued.offset] = 1),
    properties: [{ kind: 'always', id: 'demo.stable-x', description: 'x does not change while the callback runs', check: (s) => !tm.cb.at(s, ret) || s[seen.offset] === s[x.offset] }],
  });
}

// t: 0 set_x, 1 clear_x, 2 done (x = 1 exactly at t = 1). Callback: I1 (enqueued), A (at read),
// B (at return, seen read), I0 (done); `seen` keeps the value read.

test('a callback on the task\'s CPU runs whole between two task steps: the task is frozen meanwhile', () => {
  const r = run(observe('same'));
  // (t,I1) 3; (t,A) 3 (fired at t, seen still 0); (t,B) 3 with seen = x(t); (t,I0,seen) with the
  // firing at t_f <= t and seen = x(t_f): t_f=0 gives (0|1|2, 0), t_f=1 gives (1|2, 1), t_f=2 gives
  // (2,0) again: 5. 14 states. Edges: (t,I1) t moves for t<2 (2) and fire (3) = 5; A and B states
  // only the callback moves (3 + 3); I0 states: t moves from (0,0), (1,0), (1,1): 3. 14 edges.
  // Depths: 0 (0,I1); 1 (0,A),(1,I1); 2 (0,B),(1,A),(2,I1); 3 (0,I0),(1,B),(2,A); 4 (1,I0,0),
  // (1,I0,1),(2,B); 5 (2,I0,0),(2,I0,1): 6 levels.
  assert.deepEqual(counts(r), [14, 14, 6]);
  assert.equal(r.status, 'pass');
  // frozen: t:set_x is not enabled while the callback runs
  assert.throws(() => replay(observe('same'), ['tm.callback:fire@cpu0', 't:set_x']), ReplayError);
  const out = replay(observe('same'), ['tm.callback:fire@cpu0', 'tm.callback:cb.read_x', 'tm.callback:cb.return', 't:set_x']);
  assert.equal(out.trace.states.at(-1)!['x'], true);
});

test('a callback on another CPU interleaves step by step with the task', () => {
  const r = run(observe('other'));
  // (t,I1) 3 (cpu field still 0); (t,A) 3; (t,B,seen): read at t_r <= t with seen = x(t_r): 5
  // as for I0 above; (t,I0,seen) likewise 5. 16 states. Edges: I1 states 5 as before; A states:
  // the callback 3 + t for t<2 2 = 5; B states: return 5 + t in (0,B,0), (1,B,0), (1,B,1) 3 = 8;
  // I0 states: 3. 21 edges. Depths 0..5 (every step advances one of the two): 6 levels.
  assert.deepEqual(counts(r), [16, 21, 6]);
  assert.deepEqual(violated(r), ['demo.stable-x']);
  // the only 3-step way to make x differ from the value read: read 0, then t sets x = 1
  const v = viol(r, 'demo.stable-x');
  assert.deepEqual(ids(v), ['tm.callback:fire@cpu1', 'tm.callback:cb.read_x', 't:set_x']);
  assert.equal(v.trace!.states.at(-1)!['tm.callback.cpu'], 1);
});

// ---------------------------------------------------------------------------------------------
// only where the task has interrupts enabled

type Kind = 'spinlock' | 'raw_spinlock' | 'rwlock';

/** t: lock l (optionally _irqsave); unlock; done. A callback on t's CPU (enqueued initially) that just returns. */
function irqWindow(kind: Kind, irqsave: boolean, preemptRt: boolean): Model {
  const sys = new System({ preemptRt });
  const t = sys.task('t', 0, 'lock');
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'same', entry: 'cb.return', fireSrc: FIRE });
  const opt = irqsave ? { irqsave: true } : undefined;
  const sfx = irqsave ? '_irqsave' : '';
  if (kind === 'rwlock') {
    const l = rwlock(sys, 'l');
    l.writeLock(t, 'lock', 'unlock', S(`write_lock${sfx}(&l);`), opt);
    l.writeUnlock(t, 'unlock', 'done', S('write_unlock(&l);'), opt);
  } else {
    const l = (kind === 'spinlock' ? spinlock : rawSpinlock)(sys, 'l');
    l.lock(t, 'lock', 'unlock', S(`${kind === 'spinlock' ? 'spin' : 'raw_spin'}_lock${sfx}(&l);`), opt);
    l.unlock(t, 'unlock', 'done', S('unlock(&l);'), opt);
  }
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  const inside = t.label('unlock');
  return finish(sys, `irq-${kind}`, {
    init: (s) => void (s[tm.enqueued.offset] = 1),
    properties: [{ kind: 'always', id: 'demo.no-irq-inside', description: 'the interrupt never runs inside t\'s critical section', check: (s) => !(tm.running(s) && t.at(s, inside)) }],
  });
}

// t: 0 lock, 1 unlock (inside), 2 done. Callback: I1, A (running, at return), I0.
// Interrupts disabled at t=1: (0,I1),(1,I1),(2,I1),(0,A),(2,A),(0,I0),(1,I0),(2,I0) = 8 states;
// edges (0,I1) 2, (1,I1) 1 (no fire), (2,I1) 1, (0,A) 1, (2,A) 1, (0,I0) 1, (1,I0) 1 = 8; the
// longest shortest path is lock, unlock, fire, return = 4: 5 levels.
// Interrupts enabled at t=1: also (1,A), reached by firing at (1,I1): 9 states, 8 + 2 = 10 edges
// ((1,I1) gains fire, (1,A) returns), still 5 levels.

test('_irqsave on a normal kernel: the same-CPU interrupt cannot fire inside the critical section', () => {
  for (const kind of ['spinlock', 'raw_spinlock', 'rwlock'] as const) {
    const r = run(irqWindow(kind, true, false));
    assert.deepEqual(counts(r), [8, 8, 5], kind);
    assert.equal(r.status, 'pass', kind);
    const out = replay(irqWindow(kind, true, false), ['t:lock']);
    assert.equal(out.trace.states[1]!['t.irqs_off'], 1, kind);
    const back = replay(irqWindow(kind, true, false), ['t:lock', 't:unlock']);
    assert.equal(back.trace.states[2]!['t.irqs_off'], 0, kind);
  }
});

test('without _irqsave the interrupt lands inside the critical section', () => {
  for (const kind of ['spinlock', 'raw_spinlock', 'rwlock'] as const) {
    for (const preemptRt of [false, true]) {
      const r = run(irqWindow(kind, false, preemptRt));
      const what = `${kind} rt=${preemptRt}`;
      assert.deepEqual(counts(r), [9, 10, 5], what);
      assert.deepEqual(violated(r), ['demo.no-irq-inside'], what);
      assert.deepEqual(ids(viol(r, 'demo.no-irq-inside')), ['t:lock', 'tm.callback:fire@cpu0'], what);
    }
  }
});

test('PREEMPT_RT: spin_lock_irqsave / write_lock_irqsave no longer disable interrupts; raw_spin_lock_irqsave still does', () => {
  for (const kind of ['spinlock', 'rwlock'] as const) {
    const r = run(irqWindow(kind, true, true));
    assert.deepEqual(counts(r), [9, 10, 5], kind);
    assert.deepEqual(violated(r), ['demo.no-irq-inside'], kind);
    const out = replay(irqWindow(kind, true, true), ['t:lock']);
    assert.equal(out.trace.states[1]!['t.irqs_off'], 0, kind);
  }
  const raw = run(irqWindow('raw_spinlock', true, true));
  assert.deepEqual(counts(raw), [8, 8, 5]);
  assert.equal(raw.status, 'pass');
  const out = replay(irqWindow('raw_spinlock', true, true), ['t:lock']);
  assert.equal(out.trace.states[1]!['t.irqs_off'], 1);
});

// ---------------------------------------------------------------------------------------------
// interrupts do not nest on one CPU

test('two hard irqs never run at once on one CPU; on different CPUs they overlap', () => {
  const build = (second: 'same' | 'other'): { model: Model; sys: System } => {
    const sys = new System({ preemptRt: false });
    const a = new HrTimer(sys, 'ta', { homeCpu: 0, otherCpu: 1, placement: 'same', entry: 'cb.return', fireSrc: FIRE });
    const b = new HrTimer(sys, 'tb', { homeCpu: 0, otherCpu: 1, placement: second, entry: 'cb.return', fireSrc: FIRE });
    a.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
    b.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
    const model = sys.finish({
      name: `nest-${second}`,
      init: (s) => {
        s[a.enqueued.offset] = 1;
        s[b.enqueued.offset] = 1;
      },
      properties: [{ kind: 'always', id: 'demo.one-irq-per-cpu', description: 'at most one handler runs on CPU 0', check: (s) => !(a.running(s) && b.running(s) && a.cb.cpuOf(s) === b.cb.cpuOf(s)) }],
    });
    return { model, sys };
  };
  // each callback: I1 (enqueued) -> R (running) -> I0. Same CPU: the 9 pairs minus (R,R) = 8;
  // edges: (I1,I1) 2, (R,I1) 1 and (I1,R) 1 (the other cannot fire), (I0,I1), (I1,I0), (R,I0),
  // (I0,R) 1 each: 8; depths 0..4: 5 levels
  const same = run(build('same').model);
  assert.deepEqual(counts(same), [8, 8, 5]);
  assert.equal(same.status, 'pass');
  // tb on CPU 1: all 9 pairs, each callback not at I0 moves: 2 * (3 * 2) = 12 edges; 5 levels
  const other = run(build('other').model);
  assert.deepEqual(counts(other), [9, 12, 5]);
  assert.equal(other.status, 'pass');
  // System.interrupted / irqsOff directly
  const { model, sys } = build('same');
  const out = replay(model, ['ta.callback:fire@cpu0']);
  const s = model.schema.encode(out.trace.states[1] as Record<string, string | number | boolean>);
  assert.equal(sys.interrupted(s, 0), true);
  assert.equal(sys.irqsOff(s, 0), true);
  assert.equal(sys.interrupted(s, 1), false);
  assert.equal(sys.irqsOff(s, 1), false);
});
