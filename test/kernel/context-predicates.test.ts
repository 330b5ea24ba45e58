/**
 * The compiled context questions (src/kernel/context-predicates.ts) against their definitions in
 * kernel-semantics.md, asked through the locks' own closures: on random states (every field in
 * its domain) of a system with every lock kind, a pseudo-lock and interrupt state, on a normal
 * and a PREEMPT_RT kernel — atomic context, kernel.sleep-in-atomic, kernel.recursive-lock (against
 * the lock operations' own closures) and kernel.lock-held-on-return.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AlwaysProperty } from '../../src/engine/model.js';
import { RecordingCtx } from '../../src/engine/trace.js';
import { HrTimer, localIrqRestore, localIrqSave, mutex, rawSpinlock, rwlock, spinlock, System, type Lock, type Proc } from '../../src/kernel/index.js';
import { FIRE, finish, S } from './helpers.js';

function build(preemptRt: boolean) {
  const sys = new System({ preemptRt });
  const a = sys.task('a', 0);
  const b = sys.task('b', 1);
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement: 'both', entry: 'cb.lock', fireSrc: FIRE });
  const m = mutex(sys, 'm');
  const sl = spinlock(sys, 'sl');
  const raw = rawSpinlock(sys, 'raw');
  const rw = rwlock(sys, 'rw');
  // a: mutex, then spinlock_irqsave inside, then the rwlock for writing
  m.lock(a, 'idle', 'a.sl', S('mutex_lock(&m);'));
  sl.lock(a, 'a.sl', 'a.w', S('spin_lock_irqsave(&sl, flags);'), { irqsave: true });
  rw.writeLock(a, 'a.w', 'a.wu', S('write_lock(&rw);'));
  rw.writeUnlock(a, 'a.wu', 'a.slu', S('write_unlock(&rw);'));
  sl.unlock(a, 'a.slu', 'a.mu', S('spin_unlock_irqrestore(&sl, flags);'), { irqsave: true });
  m.unlock(a, 'a.mu', 'done', S('mutex_unlock(&m);'), { returns: 'a' });
  // b: local_irq_save, raw spinlock, read lock, mutex (may block)
  localIrqSave(b, 'idle', 'b.raw', S('local_irq_save(flags);'));
  raw.lock(b, 'b.raw', 'b.r', S('raw_spin_lock(&raw);'));
  rw.readLock(b, 'b.r', 'b.m', S('read_lock(&rw);'));
  m.lock(b, 'b.m', 'b.mu', S('mutex_lock(&m);'));
  m.unlock(b, 'b.mu', 'b.ru', S('mutex_unlock(&m);'));
  rw.readUnlock(b, 'b.ru', 'b.rawu', S('read_unlock(&rw);'));
  raw.unlock(b, 'b.rawu', 'b.restore', S('raw_spin_unlock(&raw);'));
  localIrqRestore(b, 'b.restore', 'done', S('local_irq_restore(flags);'), { returns: 'b' });
  // the callback takes the raw spinlock
  raw.lock(tm.cb, 'cb.lock', 'cb.unlock', S('raw_spin_lock(&raw);'));
  raw.unlock(tm.cb, 'cb.unlock', 'cb.return', S('raw_spin_unlock(&raw);'));
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  const model = finish(sys, `ctx-${preemptRt}`);
  return { sys, model, locks: [m, sl, raw, rw] as Lock[], procs: [a, b, tm.cb] };
}

/** Atomic context by definition: a handler, interrupts disabled, or a lock held that spins on this kernel. */
function atomicRef(s: Uint8Array, p: Proc, locks: readonly Lock[]): boolean {
  if (p.context === 'hardirq') return true;
  if (p.irqoff && s[p.irqoff.offset]! > 0) return true;
  return locks.some((l) => l.spinningHeld(s, p));
}

for (const preemptRt of [false, true]) {
  test(`compiled context questions equal their definitions on random states (PREEMPT_RT ${preemptRt})`, () => {
    const { sys, model, locks, procs } = build(preemptRt);
    const fields = model.schema.fields;
    const state = fc.tuple(...fields.map((f) => fc.integer({ min: f.min, max: f.max }))).map((vals) => {
      const s = new Uint8Array(model.schema.size);
      fields.forEach((f, k) => model.schema.set(s, f, vals[k]!));
      return s;
    });
    const sleep = model.properties.find((p) => p.id === 'kernel.sleep-in-atomic') as AlwaysProperty;
    const recursive = model.properties.find((p) => p.id === 'kernel.recursive-lock') as AlwaysProperty;
    // the lock operations that wait, with their own closures "p already holds the lock" (KernelChecks.lockPoint)
    const waits = (sys.checks as unknown as { recursivePoints: { proc: Proc; pc: number; self: (s: Uint8Array) => boolean }[] }).recursivePoints;
    assert.ok(waits.length >= 3, 'the system has waiting lock operations');
    const mayBlock = sys.meta.flatMap((m) => (m.mayBlock ? [m] : []));
    assert.ok(mayBlock.length >= 2, 'the system has may-block points');
    let atomicSeen = 0;
    let recursiveSeen = 0;
    fc.assert(
      fc.property(state, (s) => {
        for (const p of procs) {
          const want = atomicRef(s, p, locks);
          if (want) atomicSeen++;
          assert.equal(sys.checks.inAtomic(s, p), want, `inAtomic(${p.name})`);
          assert.equal(sys.checks.atomic(s, p) !== null, want, `atomic(${p.name})`);
          // lock-held-on-return: a lock still held, or interrupts left disabled
          const ctx = new RecordingCtx();
          sys.checks.checkReturn(s, p, ctx, 'entry');
          const heldAny = locks.some((l) => l.held(s, p)) || (p.irqoff !== null && s[p.irqoff.offset]! > 0);
          assert.equal(ctx.ids.length > 0, heldAny, `checkReturn(${p.name})`);
        }
        const violatedRef = mayBlock.some((m) => s[m.proc.pc.offset] === m.at && atomicRef(s, m.proc, locks));
        assert.equal(sleep.check(s), !violatedRef, 'kernel.sleep-in-atomic');
        const recursiveRef = waits.some((w) => s[w.proc.pc.offset] === w.pc && w.self(s));
        if (recursiveRef) recursiveSeen++;
        assert.equal(recursive.check(s), !recursiveRef, 'kernel.recursive-lock');
      }),
      { numRuns: 3000, seed: 1202 },
    );
    assert.ok(atomicSeen > 0, 'some random states are atomic');
    assert.ok(recursiveSeen > 0, 'some random states wait for a lock their process holds');
  });
}
