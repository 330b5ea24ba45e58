/**
 * src/kernel/kvm.ts: the gfn_to_pfn_cache (valid flag under an rwlock, MMU-notifier invalidation,
 * sleeping refresh), vCPU requests + kick and kvm_get_running_vcpu(), WARN_ON_ONCE. Counts by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import { replay, ReplayError } from '../../src/engine/trace.js';
import { RecordingCtx } from '../../src/engine/trace.js';
import type { Model } from '../../src/engine/index.js';
import { counts, FIRE, finish, ids, run, S, viol, violated } from './helpers.js';
import { Gpc, HrTimer, src, System, VcpuState, warnOnOnce, type Placement } from '../../src/kernel/index.js';



// ---------------------------------------------------------------------------------------------
// gfn_to_pfn_cache

/**
 * r (CPU 0) uses the cache: with the lock (twin: read_lock; check valid; use / miss; read_unlock;
 * refresh on a miss) or without it (bug: check valid; use / refresh). mmu (CPU 1) invalidates once.
 * The cache starts valid. Property: r uses the mapping only while it is valid.
 */
function gpcUser(locked: boolean): { model: Model; gpc: Gpc } {
  const sys = new System({ preemptRt: false });
  const r = sys.task('r', 0, locked ? 'read_lock' : 'check');
  const mmu = sys.task('mmu', 1, 'invalidate');
  const gpc = new Gpc(sys, 'cache');
  const use = r.label('use');
  const miss = r.label(locked ? 'miss' : 'refresh');
  if (locked) gpc.lock.readLock(r, 'read_lock', 'check', S('read_lock(&gpc->lock);'));
  r.step({ at: 'check', src: S('if (!kvm_gpc_check(gpc, PAGE_SIZE)) goto miss;'), run: (s) => (gpc.valid(s) ? use : miss) });
  if (locked) {
    gpc.lock.readUnlock(r, 'use', 'done', S('use(gpc->khva); read_unlock(&gpc->lock);'));
    gpc.lock.readUnlock(r, 'miss', 'refresh', S('read_unlock(&gpc->lock);'));
  } else {
    r.step({ at: 'use', next: 'done', src: S('use(gpc->khva);') });
  }
  gpc.refresh(r, 'refresh', 'done', S('kvm_gpc_refresh(gpc, PAGE_SIZE);'));
  gpc.invalidate(mmu, 'invalidate', 'unlock', 'done');
  const model = finish(sys, locked ? 'gpc-locked' : 'gpc-unlocked', {
    init: (s) => void (s[gpc.validField.offset] = 1),
    properties: [{ kind: 'always', id: 'demo.use-valid', description: 'the mapping is used only while valid', check: (s) => !r.at(s, use) || gpc.valid(s) }],
  });
  return { model, gpc };
}

test('gpc: checking valid under read_lock, the mapping stays valid until read_unlock (invalidation waits)', () => {
  const { model } = gpcUser(true);
  const r = run(model);
  // r: r0 read_lock, r1 check, r2 use, r3 miss (all three hold the read lock), r5 refresh,
  // r4 done; mmu: m0, m1 (write-held, valid = 0 from here), m2. valid is 1 until m1, and 1 again
  // after r's refresh.
  // m0 (valid): r at r0, r1, r2, r4 (r3 needs an invalid cache): 4. m1: r not holding: r0, r4
  // (r5 needs r to have seen m's write, and m1 excludes readers): 2. m2, valid 0: r0, r1, r3, r5,
  // r4 (r finished before the invalidation): 5; m2, valid 1: r4 after refresh: 1. 12 states.
  // Edges: (r0,m0) 2, (r1,m0) 1, (r2,m0) 1, (r4,m0) 1, (r0,m1) 1 (r waits), (r4,m1) 1,
  // (r0,m2) 1, (r1,m2) 1, (r3,m2) 1, (r5,m2) 1: 11. The refresh path is the longest:
  // invalidate, unlock, read_lock, check, read_unlock, refresh = 6 steps: 7 levels.
  assert.deepEqual(counts(r), [12, 11, 7]);
  assert.equal(r.status, 'pass');
  // the invalidation waits for the reader; it clears valid in the same step as taking the lock
  assert.throws(() => replay(model, ['r:read_lock', 'mmu:invalidate']), ReplayError);
  const out = replay(model, ['mmu:invalidate']);
  assert.deepEqual(out.trace.steps[0]!.changes, { 'mmu.pc': 'unlock', 'mmu.irqs_off': 1, 'cache.valid': false, 'cache.lock.writer': 2 });
  // refresh re-validates (after the writer is gone)
  const re = replay(model, ['mmu:invalidate', 'mmu:unlock', 'r:read_lock', 'r:check', 'r:miss', 'r:refresh']);
  assert.equal(re.trace.states[6]!['cache.valid'], true);
  assert.equal(re.trace.states[2]!['mmu.irqs_off'], 0);
});

test('gpc: checking valid without the lock (bug) can use a mapping invalidated in between', () => {
  const { model } = gpcUser(false);
  const r = run(model);
  // r: r0 check, r2 use, r5 refresh, r4 done (no lock held). m0 (valid): r0, r2, r4: 3. m1: r0,
  // r2 (checked before the invalidation), r4, r5 (checked after it; refresh waits for the
  // writer): 4. m2 valid 0: r0, r2, r4, r5: 4; m2 valid 1: r4 after refresh: 1. 12 states.
  // Edges: (r0,m0) 2, (r2,m0) 2, (r4,m0) 1, (r0,m1) 2, (r2,m1) 2, (r4,m1) 1, (r5,m1) 1,
  // (r0,m2) 1, (r2,m2) 1, (r5,m2) 1: 14. Longest: invalidate, check, unlock, refresh (or
  // invalidate, unlock, check, refresh) = 4: 5 levels.
  assert.deepEqual(counts(r), [12, 14, 5]);
  assert.deepEqual(violated(r), ['demo.use-valid']);
  assert.deepEqual(ids(viol(r, 'demo.use-valid')), ['r:check', 'mmu:invalidate']);
});

test('gpc refresh may sleep and waits for the lock to be free', () => {
  const sys = new System({ preemptRt: false });
  const t = sys.task('t', 0, 'lock');
  const gpc = new Gpc(sys, 'cache');
  // kvm_gpc_refresh while holding gpc->lock for reading: it needs the lock free, so this never
  // returns, and with a spinning lock held it is also sleeping in atomic context
  gpc.lock.readLock(t, 'lock', 'refresh', S('read_lock(&gpc->lock);'));
  gpc.refresh(t, 'refresh', 'unlock', S('kvm_gpc_refresh(gpc, PAGE_SIZE);'));
  gpc.lock.readUnlock(t, 'unlock', 'done', S('read_unlock(&gpc->lock);'));
  const r = run(finish(sys, 'refresh-under-lock'));
  // lock -> refresh (stuck): 2 states, 1 edge
  assert.deepEqual(counts(r), [2, 1, 2]);
  assert.deepEqual(violated(r), ['deadlock', 'kernel.sleep-in-atomic']);
  assert.deepEqual(ids(viol(r, 'kernel.sleep-in-atomic')), ['t:lock']);
  assert.equal(viol(r, 'deadlock').message, 't stuck at t:refresh `kvm_gpc_refresh(gpc, PAGE_SIZE);` waiting for cache.lock held by readers t');
});

test('gpc: one lock class for every cache (lockdep key of kvm_gpc_init)', () => {
  const sys = new System({ preemptRt: false });
  const a = new Gpc(sys, 'a');
  const b = new Gpc(sys, 'b');
  assert.equal(a.lock.cls, 'gpc->lock');
  assert.equal(b.lock.cls, 'gpc->lock');
  assert.equal(a.lock.name, 'a.lock');
  assert.notEqual(a.validField.offset, b.validField.offset);
});

// ---------------------------------------------------------------------------------------------
// requests, kick, kvm_get_running_vcpu(), WARN_ON_ONCE

/**
 * v (CPU 0) has the vCPU loaded and is halted until KVM_REQ_UNBLOCK; then vcpu_put. The timer
 * (enqueued initially) fires on CPU 0 and/or CPU 1: its callback does
 * WARN_ON_ONCE(kvm_get_running_vcpu() != vcpu), then kvm_make_request + kvm_vcpu_kick.
 */
function kick(placement: Placement): Model {
  const sys = new System({ preemptRt: false });
  const v = sys.task('v', 0, 'halt');
  const vc = new VcpuState(sys, 'vcpu0', 0);
  const tm = new HrTimer(sys, 'tm', { homeCpu: 0, otherCpu: 1, placement, entry: 'cb.warn', fireSrc: FIRE });
  const req = vc.reqUnblock.offset;
  const loaded = vc.loaded.offset;
  v.step({ at: 'halt', next: 'put', src: S('kvm_vcpu_halt(vcpu); if (kvm_check_request(KVM_REQ_UNBLOCK, vcpu))'), guard: (s) => s[req] === 1, run: (s) => void (s[req] = 0) });
  v.step({ at: 'put', next: 'done', src: S('vcpu_put(vcpu);'), run: (s) => void (s[loaded] = 0) });
  tm.cb.step({
    at: 'cb.warn',
    next: 'cb.kick',
    src: S('WARN_ON_ONCE(kvm_get_running_vcpu() != vcpu);'),
    run: (s, ctx) => void warnOnOnce(ctx, !vc.isRunningOn(s, tm.cb.cpuOf(s)), 'demo.warn', `running vcpu is not vcpu0 on cpu ${tm.cb.cpuOf(s)}`),
  });
  tm.cb.step({ at: 'cb.kick', next: 'cb.return', src: S('kvm_make_request(KVM_REQ_UNBLOCK, vcpu); kvm_vcpu_kick(vcpu);'), run: (s) => vc.kick(s) });
  tm.callbackReturn('cb.return', S('return HRTIMER_NORESTART;'));
  return finish(sys, `kick-${placement}`, {
    init: (s) => {
      s[loaded] = 1;
      s[tm.enqueued.offset] = 1;
    },
    properties: [{ kind: 'assert', id: 'demo.warn', description: 'WARN_ON_ONCE(kvm_get_running_vcpu() != vcpu)' }],
  });
}

// v: halt (loaded, waits for the request), put, done. Callback: I1, then after firing on CPU c:
// W_c (at warn), K_c (at kick), R_c (at return, request made), I0_c. v can leave halt only after
// the kick; req is 1 from the kick until v consumes it, so it is a function of (v, callback).

test('kick wakes the halted vCPU; WARN_ON_ONCE fires only when the callback runs on another CPU, and execution continues', () => {
  const r = run(kick('both'));
  // I1: (halt) 1. CPU 0 (v frozen until the return): (halt, W0/K0/R0) 3, then I0_0 with v at
  // halt/put/done 3: 6. CPU 1 (interleaved): W1, K1 with v at halt 2; R1 and I0_1 with v at
  // halt/put/done 6: 8. 15 states. Edges: (halt,I1) 2 (fire on either CPU); W0, K0, R0 1 each;
  // I0_0: halt->put, put->done 2; W1, K1 1 each (v waits); R1: v at halt/put 2 each, at done 1;
  // I0_1: 2. 2 + 3 + 2 + 2 + 5 + 2 = 16. Longest: fire, warn, kick, return, halt, put: 7 levels.
  assert.deepEqual(counts(r), [15, 16, 7]);
  assert.deepEqual(violated(r), ['demo.warn']);
  const w = viol(r, 'demo.warn');
  assert.equal(w.kind, 'assert');
  assert.deepEqual(ids(w), ['tm.callback:fire@cpu1', 'tm.callback:cb.warn']);
  assert.equal(w.message, 'running vcpu is not vcpu0 on cpu 1');
  // execution continued past the WARN: the callback kicked and v woke in the CPU-1 branch
  const out = replay(kick('both'), ['tm.callback:fire@cpu1', 'tm.callback:cb.warn', 'tm.callback:cb.kick', 'v:halt', 'v:put']);
  assert.deepEqual(out.failures.map((f) => f.map((x) => x.property)), [[], ['demo.warn'], [], [], []]);
  assert.equal(out.trace.states[3]!['vcpu0.req_unblock'], true);
  assert.equal(out.trace.states[4]!['vcpu0.req_unblock'], false);
  assert.equal(out.trace.states[5]!['vcpu0.loaded'], false);
  // without the kick v stays halted
  assert.throws(() => replay(kick('both'), ['v:halt']), ReplayError);
});

test('kick twin: the callback on the vCPU\'s own CPU sees it loaded and does not warn', () => {
  const r = run(kick('same'));
  // (halt,I1) -> W0 -> K0 -> R0 -> (halt,I0_0) -> (put,I0_0) -> (done,I0_0): 7 states, 6 edges,
  // 7 levels
  assert.deepEqual(counts(r), [7, 6, 7]);
  assert.equal(r.status, 'pass');
});

test('VcpuState.isRunningOn: only on its CPU and only while loaded', () => {
  const sys = new System({ preemptRt: false });
  const vc = new VcpuState(sys, 'vcpu1', 1);
  const schema = sys.layout.finish();
  const s = schema.blank();
  assert.equal(vc.isRunningOn(s, 1), false);
  s[vc.loaded.offset] = 1;
  assert.equal(vc.isRunningOn(s, 1), true);
  assert.equal(vc.isRunningOn(s, 0), false);
  vc.kick(s);
  assert.equal(s[vc.reqUnblock.offset], 1);
});

test('warnOnOnce reports through ctx.fail only when the condition holds, and returns the condition', () => {
  const ctx = new RecordingCtx();
  assert.equal(warnOnOnce(ctx, false, 'p', 'no'), false);
  assert.deepEqual(ctx.ids, []);
  assert.equal(warnOnOnce(ctx, true, 'p', 'yes'), true);
  assert.equal(warnOnOnce(ctx, true, 'p', 'again'), true);
  assert.deepEqual(ctx.ids, ['p', 'p']);
  assert.deepEqual(ctx.messages, ['yes', 'again']);
});
