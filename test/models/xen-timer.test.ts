import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import { replay } from '../../src/engine/trace.js';
import { buildXenTimer, VARIANTS, type Variant } from '../../models/xen-timer/index.js';
import { findModel } from '../../models/index.js';
import { diffMatrix, runMatrix } from '../../models/matrix.js';
import { XEN_EXPECTED as expected, xenVerdict } from './xen-expected.js';


test('verdict matrix of every variant matches models/xen-timer/expected.json', () => {
  const m = runMatrix(findModel('xen-timer')!, expected.params);
  assert.deepEqual(diffMatrix(expected, m), []);
  // every row explored completely (a verdict from a partial run would be meaningless)
  for (const r of m.rows) assert.ok(r.result.complete, `${r.variant} explored completely`);
});

test('every violation trace of every variant replays to the same finding', () => {
  for (const v of VARIANTS) {
    const model = buildXenTimer({ variant: v.name, ops: 3 });
    const r = explore(model, { allViolations: true });
    for (const viol of r.violations) {
      if (!viol.trace) continue;
      const out = replay(model, viol.trace.steps.map((s) => s.step), viol.trace.initial, viol.trace.states);
      const last = out.trace.states.length - 1;
      const prop = model.properties.find((p) => p.id === viol.property);
      const final = model.schema.encode(out.trace.states[last] as Record<string, string | number | boolean>);
      if (viol.kind === 'assert' || viol.kind === 'transition') {
        const fired = out.failures[last - 1]!.some((f) => f.property === viol.property);
        // transition properties are checked by the engine, not raised by the step
        if (viol.kind === 'assert') assert.ok(fired, `${v.name} ${viol.property}: last step raises it`);
      } else if (prop && prop.kind === 'always') {
        assert.equal(prop.check(final), false, `${v.name} ${viol.property}: final state violates it`);
      } else if (viol.kind === 'deadlock' || viol.kind === 'terminal') {
        assert.equal(model.steps.some((st) => st.guard(final)), false, `${v.name} ${viol.property}: final state has no enabled step`);
      }
    }
  }
});

test('the seed patch: GET_ATTR -> inject -> kvm_xen_set_evtchn takes xen_lock recursively', () => {
  const model = buildXenTimer({ variant: 'seed-v2', ops: 3 });
  const r = explore(model, { allViolations: true });
  assert.equal(r.status, 'violation');
  const v = r.violations.find((x) => x.property === 'kernel.recursive-lock')!;
  assert.ok(v);
  const ids = v.trace!.steps.map((s) => s.step);
  assert.ok(ids.includes('vcpu0:get_attr.xen_lock'));
  assert.ok(ids.includes('mmu_notifier:invalidate shinfo_cache'), 'needs the shared_info cache invalidated');
  assert.equal(ids.at(-1), 'vcpu0:get_attr>inject>set_evtchn>set_evtchn_fast.out_unlock');
  assert.equal(v.trace!.states.at(-1)!['vcpu0.pc'], 'get_attr>inject>set_evtchn.mutex_lock');
});

test('F10: the old 34-step baseline "lost wakeup" is served — the port bit set by inject is still pending when arm #2 expires', () => {
  // the trace `check --variant baseline --all-violations` reported as xen.no-lost-event before
  // the served bookkeeping (regression trace produced by this tool on 2026-12-02)
  const model = buildXenTimer({ variant: 'baseline' });
  const cb = (k: string): string => `vcpu0.timer.callback:${k}`;
  const th = (k: string): string => `vcpu0:${k}`;
  const fast = (k: string): string => th(`run>inject>set_evtchn>set_evtchn_fast.${k}`);
  const arm = [th('hcall.set_timer_op(future)'), th('hcall>start_timer.clear_pending'), th('hcall>start_timer.set_expires'), th('hcall>start_timer.hrtimer_start')];
  const trace = [
    ...arm, cb('fire@cpu2'), th('hcall_arm.return'), ...arm, th('hcall_arm.return'), th('KVM_RUN'), th('run.has_pending_events'),
    cb('callback.read_pending'), cb('callback.atomic_inc'), th('run.has_pending_timer'), th('run>inject.read_pending'),
    fast('read_lock'), fast('check_shinfo'), fast('test_and_set_bit'), fast('unlock_shinfo'), fast('lock_vcpu_info'), fast('check_vcpu_info'), fast('out_unlock'),
    th('run>inject.clear_expires'), cb('callback.kick'), cb('callback.return'),
    cb('fire@cpu0'), cb('callback.read_pending'), cb('callback.return'), th('run>inject.clear_pending'), th('run.return'),
    th('KVM_RUN'), th('run.has_pending_events'), th('run.has_pending_timer'), th('run.return'),
  ];
  const out = replay(model, trace);
  // 34 steps then; 36 now that each KVM_RUN iteration also checks the in-kernel event bits
  // (kvm_xen_has_pending_events) before the pending timer
  assert.equal(out.trace.steps.length, 36);
  const st = out.trace.states;
  // step 20 (19 then): inject sets the port bit (for the stale arm #1), step 23 notifies the guest
  // through its vcpu_info; nothing consumes them afterwards
  assert.equal(st[19]!['vcpu0.evtchn_pending[timer_virq]'], false);
  assert.equal(st[20]!['vcpu0.evtchn_pending[timer_virq]'], true);
  assert.equal(st[23]!['vcpu0.vcpu_info.evtchn_upcall_pending'], true);
  for (let i = 23; i <= 36; i++) assert.equal(st[i]!['vcpu0.vcpu_info.evtchn_upcall_pending'] && st[i]!['vcpu0.evtchn_pending[timer_virq]'], true, `still pending after step ${i}`);
  // step 28 (27 then): arm #2 expires (its callback starts) with the event pending: the guest will
  // take the interrupt after #2's deadline, so #2 is served, although its callback then does nothing
  assert.equal(st[27]!['vcpu0.ghost.served'], false);
  assert.equal(st[28]!['vcpu0.ghost.gen'], 2);
  assert.equal(st[28]!['vcpu0.ghost.expired'], true);
  assert.equal(st[28]!['vcpu0.ghost.served'], true);
  assert.equal(st[30]!['vcpu0.timer.callback.pc'], 'idle', 'callback #2 returned on timer_pending');
  assert.ok(out.failures.every((f) => f.every((x) => x.property !== 'xen.no-lost-event')));
  const lost = model.properties.find((p) => p.id === 'xen.no-lost-event') as { check(s: Uint8Array): boolean };
  assert.equal(lost.check(model.schema.encode(st[36] as Record<string, string | number | boolean>)), true, 'quiescent, and not a loss');
});

test('served: an arm whose expiry comes after the guest consumed the only event is still owed', () => {
  // arm #1 already expired (direct call, deferred); inject raises the bit, serving #1; the guest
  // consumes it; re-arm #2 in the future and let it fire: the bit is clear at #2's expiry, so
  // the old event serves nothing and #2 is owed until its own delivery sets the bit again
  const model = buildXenTimer({ variant: 'baseline', ops: 6 });
  const th = (k: string): string => `vcpu0:${k}`;
  const cb = (k: string): string => `vcpu0.timer.callback:${k}`;
  const fast = (k: string): string => th(`run>inject>set_evtchn>set_evtchn_fast.${k}`);
  const inject = [th('run.has_pending_timer'), th('run>inject.read_pending'), fast('read_lock'), fast('check_shinfo'), fast('test_and_set_bit'), fast('unlock_shinfo'), fast('lock_vcpu_info'), fast('check_vcpu_info'), fast('out_unlock'), th('run>inject.clear_expires'), th('run>inject.clear_pending'), th('run.return')];
  const trace = [
    th('hcall.set_timer_op(expired)'), th('hcall>start_timer.clear_pending'), th('hcall>start_timer.set_expires'), th('hcall>start_timer>callback.read_pending'),
    th('hcall>start_timer>callback.atomic_inc'), th('hcall>start_timer>callback.kick'), th('hcall_arm.return'),
    th('KVM_RUN'), th('run.has_pending_events'), ...inject, th('guest.ack_event'),
    th('hcall.set_timer_op(future)'), th('hcall>start_timer.clear_pending'), th('hcall>start_timer.set_expires'), th('hcall>start_timer.hrtimer_start'), th('hcall_arm.return'),
    cb('fire@cpu2'),
  ];
  const st = replay(model, trace).trace.states.at(-1)!;
  assert.equal(st['vcpu0.ghost.gen'], 2);
  assert.equal(st['vcpu0.ghost.expired'], true);
  assert.equal(st['vcpu0.evtchn_pending[timer_virq]'], false);
  assert.equal(st['vcpu0.ghost.served'], false, 'the bit was consumed before #2 expired');
});

test('expires-truthful is generation-aware: a replaced arm\'s hrtimer still queued is not an armed timer, and its late event comes after the current arm expired', () => {
  const model = buildXenTimer({ variant: 'baseline' });
  const v0 = (ids: string[]): string[] => ids.map((id) => (id.includes(':') ? id : `vcpu0:${id}`));
  // arm #1 in the future; re-arm #2 already expired (direct call, defers); inject delivers #2
  const setup = v0([
    'hcall.set_timer_op(future)', 'hcall>start_timer.clear_pending', 'hcall>start_timer.set_expires', 'hcall>start_timer.hrtimer_start', 'hcall_arm.return',
    'hcall.set_timer_op(expired)', 'hcall>start_timer.clear_pending', 'hcall>start_timer.set_expires', 'hcall>start_timer>callback.read_pending',
    'hcall>start_timer>callback.atomic_inc', 'hcall>start_timer>callback.kick', 'hcall_arm.return',
    'KVM_RUN', 'run.has_pending_events', 'run.has_pending_timer', 'run>inject.read_pending', 'run>inject>set_evtchn>set_evtchn_fast.read_lock', 'run>inject>set_evtchn>set_evtchn_fast.check_shinfo',
    'run>inject>set_evtchn>set_evtchn_fast.test_and_set_bit', 'run>inject>set_evtchn>set_evtchn_fast.unlock_shinfo', 'run>inject>set_evtchn>set_evtchn_fast.lock_vcpu_info',
    'run>inject>set_evtchn>set_evtchn_fast.check_vcpu_info', 'run>inject>set_evtchn>set_evtchn_fast.out_unlock', 'run>inject.clear_expires', 'run>inject.clear_pending', 'run.return',
  ]);
  const a = replay(model, setup);
  const end = a.trace.states.at(-1)!;
  assert.equal(end['vcpu0.timer.enqueued'], true, 'timer #1 is still queued');
  assert.equal(end['vcpu0.ghost.hr_gen'], 1);
  assert.equal(end['vcpu0.ghost.gen'], 2);
  assert.equal(end['vcpu0.timer_expires'], false, '#2 is delivered');
  const truthful = model.properties.find((p) => p.id === 'xen.expires-truthful') as { check(s: Uint8Array): boolean };
  assert.equal(truthful.check(model.schema.encode(end as Record<string, string | number | boolean>)), true);
  // next, the guest handles #2's event and #1 fires and raises its event again. #2, the current
  // arm, has already expired, so the guest sees one more interrupt after #2's deadline: the same
  // as a duplicate of #2's own delivery, not a stale event (before the served contract this was
  // reported as xen.no-stale-event at step 37). A re-arm would replace the queued #1 (baseline
  // hrtimer_start) and a stop cancels it, so #1 cannot fire under a later, unexpired arm
  const cont = v0([
    'guest.ack_event', 'vcpu0.timer.callback:fire@cpu2', 'vcpu0.timer.callback:callback.read_pending', 'vcpu0.timer.callback:callback.atomic_inc',
    'vcpu0.timer.callback:callback.kick', 'vcpu0.timer.callback:callback.return', 'KVM_RUN(kicked)', 'run.has_pending_events', 'run.has_pending_timer', 'run>inject.read_pending',
    'run>inject>set_evtchn>set_evtchn_fast.read_lock', 'run>inject>set_evtchn>set_evtchn_fast.check_shinfo', 'run>inject>set_evtchn>set_evtchn_fast.test_and_set_bit',
  ]);
  // replay() throws unless every step is enabled in turn and reproduces the trace
  const b = replay(model, [...setup, ...cont]);
  assert.ok(b.failures.every((f) => f.length === 0));
  const last = b.trace.states.at(-1)!;
  assert.equal(last['vcpu0.evtchn_pending[timer_virq]'], true);
  assert.equal(last['vcpu0.ghost.expired'], true, '#2 had expired');
});

test('without MMU invalidations the shared_info cache stays valid and seed-v2 has no violation but the lock kind in the callback', () => {
  const r = explore(buildXenTimer({ variant: 'seed-v2', ops: 3, invalidations: 0 }), { allViolations: true });
  const real = r.violations.filter((v) => v.kind !== 'sometimes');
  // kernel.raw-lock-nesting (gpc->lock, an rwlock_t, in the hard-irq callback) does not depend
  // on the cache's validity; everything else does
  assert.deepEqual(real.map((v) => v.property), ['kernel.raw-lock-nesting']);
  assert.equal(r.complete, true);
});

test('PREEMPT_RT: the hard-irq callback takes gpc->lock, a sleeping rwlock', () => {
  const rt = explore(buildXenTimer({ variant: 'seed-v2', ops: 2, preemptRt: true }), { allViolations: true });
  const v = rt.violations.find((x) => x.property === 'kernel.sleep-in-atomic');
  assert.ok(v, 'fires on RT');
  assert.equal(v!.trace!.steps.at(-1)!.process, 'vcpu0.timer.callback');
  const nonRt = explore(buildXenTimer({ variant: 'seed-v2', ops: 2, preemptRt: false }), { allViolations: true });
  assert.equal(nonRt.violations.some((x) => x.property === 'kernel.sleep-in-atomic'), false);
  // baseline never touches gpc->lock from the callback
  const base = explore(buildXenTimer({ variant: 'baseline', ops: 2, preemptRt: true }), { allViolations: true });
  assert.equal(base.violations.some((x) => x.property === 'kernel.sleep-in-atomic'), false);
});

test('raw lock nesting: the fast-path callback takes gpc->lock (an rwlock_t) in hard irq, reported on a non-RT kernel too', () => {
  const seed = explore(buildXenTimer({ variant: 'seed-v2', ops: 2 }), { allViolations: true });
  const v = seed.violations.find((x) => x.property === 'kernel.raw-lock-nesting');
  assert.ok(v, 'fires on non-RT');
  assert.equal(v!.trace!.states.at(-1)!['vcpu0.timer.callback.pc'], 'callback>set_evtchn_fast.read_lock');
  assert.equal(seed.violations.some((x) => x.property === 'kernel.sleep-in-atomic'), false, 'the lock spins on this kernel');
  // the baseline callback takes no lock; proposed-fix uses read_trylock in hard irq
  for (const variant of ['baseline', 'proposed-fix']) {
    const r = explore(buildXenTimer({ variant, ops: 2 }), { allViolations: true });
    assert.equal(r.violations.some((x) => x.property === 'kernel.raw-lock-nesting'), false, variant);
  }
});

test('refresher: without another caller of kvm_gpc_refresh, GET_ATTR\'s flush (under xen_lock) can never deliver in seed-v2', () => {
  const cover = (refresher: boolean): string => {
    const r = explore(buildXenTimer({ variant: 'seed-v2', ops: 3, refresher }), { allViolations: true });
    const c = r.covers.find((x) => x.property === 'cover.get_attr.flush_delivered')!;
    return c.reached ? `reached:${c.depth}` : 'unreachable';
  };
  assert.equal(cover(false), 'unreachable');
  // 31 steps: regression value of this tool, FINDINGS.md F11 (the default K = 4 of
  // models/xen-timer/expected.json; the same with the K = 3 used here)
  assert.equal(cover(true), xenVerdict('seed-v2', 'cover.get_attr.flush_delivered'));
  const ids = buildXenTimer({ refresher: true }).steps.filter((s) => s.process === 'refresher').map((s) => s.id);
  assert.deepEqual(ids, ['refresher:xen_lock', 'refresher:refresh', 'refresher:xen_unlock']);
  assert.equal(buildXenTimer({ refresher: false }).processes.includes('refresher'), false);
});

test('snapshot-not-lurking asks only timer_pending == 0: in seed-v2 GET_ATTR may read while the callback is past timer_expires = 0 but not yet returned', () => {
  const model = buildXenTimer({ variant: 'seed-v2', ops: 3 });
  const f = (name: string): number => model.schema.fields.find((x) => x.name === name)!.offset;
  const pc = model.schema.fields.find((x) => x.name === 'vcpu0.pc')!;
  const cbPc = model.schema.fields.find((x) => x.name === 'vcpu0.timer.callback.pc')!;
  const read = pc.values!.indexOf('get_attr.read');
  const ret = cbPc.values!.indexOf('callback.return');
  const probe = { kind: 'sometimes' as const, id: 'probe.read-while-callback-returns', description: 'GET_ATTR reads while the callback is at its return', check: (s: Uint8Array) => s[pc.offset] === read && s[cbPc.offset] === ret && s[f('vcpu0.timer_pending')] === 0 };
  const r = explore({ ...model, properties: [...model.properties, probe] }, { allViolations: true });
  assert.ok(r.covers.find((c) => c.property === probe.id)!.reached, 'reachable: requiring the callback idle as well would be a false alarm');
  assert.equal(r.violations.some((v) => v.property === 'xen.snapshot-not-lurking'), false);
});

test('callback placement: same-CPU firing waits for interrupts to be enabled and freezes the thread', () => {
  const same = explore(buildXenTimer({ variant: 'seed-v2', ops: 2, placement: 'same' }), { allViolations: true });
  const other = explore(buildXenTimer({ variant: 'seed-v2', ops: 2, placement: 'other' }), { allViolations: true });
  const both = explore(buildXenTimer({ variant: 'seed-v2', ops: 2, placement: 'both' }), { allViolations: true });
  assert.ok(same.stats.states < other.stats.states, 'a handler on the same CPU interleaves less');
  assert.ok(both.stats.states >= other.stats.states);
  for (const r of [same, other, both]) assert.equal(r.complete, true);
});

test('no contract property is vacuous: each fires in some variant or mutation', () => {
  const fires = (variant: string | Variant, prop: string, extra: object = {}): boolean =>
    explore(buildXenTimer({ variant, ops: 3, ...extra }), { allViolations: true }).violations.some((v) => v.property === prop);
  assert.ok(fires('destroy-via-stop-timer', 'xen.warn-running-vcpu'));
  assert.ok(fires('baseline', 'xen.no-stale-event'));
  assert.ok(fires('fastpath-2022', 'xen.expires-truthful'));
  assert.ok(fires('no-cancel-in-start', 'xen.snapshot-complete'));
  assert.ok(fires('no-cancel-in-get-attr', 'xen.snapshot-not-lurking'));
  assert.equal(fires('seed-v2', 'xen.snapshot-not-lurking'), false);
  assert.ok(fires('seed-v2', 'xen.no-lost-event'));
  // baseline's old 34-step lost wakeup was served by the pending port bit (F10, test above)
  assert.equal(fires('baseline', 'xen.no-lost-event'), false);
  assert.ok(fires('seed-v2', 'deadlock'));
  // the unseen upcall: as a consequence of F1's deadlock here; the mutation of the upcall test too
  assert.ok(fires('seed-v2', 'xen.event-wakeup'));
  const seed = VARIANTS.find((v) => v.name === 'seed-v2')!;
  assert.ok(fires({ ...seed, name: 'mutant-no-destroy-cancel', destroy: 'none' }, 'xen.quiet-after-teardown'));
  assert.equal(fires('seed-v2', 'xen.quiet-after-teardown'), false);
  // xen.no-lost-event checks the contract itself, not only deadlocks: a baseline callback whose
  // atomic_inc(&timer_pending) is lost, and a fast path that claims delivery (rc = 1) without
  // setting the port bit, both lose the event in states where nothing is stuck (the thread idle,
  // script spent); without MMU invalidations seed-v2 cannot deadlock, so the second one is not
  // the recursive-lock consequence either
  const base = VARIANTS.find((v) => v.name === 'baseline')!;
  const lostWhereIdle = (variant: Variant, extra: object = {}): boolean => {
    const r = explore(buildXenTimer({ variant, ops: 3, ...extra }), { allViolations: true });
    const v = r.violations.find((x) => x.property === 'xen.no-lost-event');
    return v !== undefined && v.trace!.states.at(-1)!['vcpu0.pc'] === 'idle' && !r.violations.some((x) => x.property === 'deadlock');
  };
  assert.ok(lostWhereIdle({ ...base, name: 'mutant-no-pending-inc', mutantNoPendingInc: true }));
  assert.ok(lostWhereIdle({ ...seed, name: 'mutant-fast-path-no-bit', mutantFastPathNoBit: true }, { invalidations: 0 }));
  assert.equal(fires('seed-v2', 'xen.no-lost-event', { invalidations: 0 }), false);
});

test('citations: hypercalls cite the hypercall path inside KVM_RUN, the pending-timer check the vcpu_run loop', () => {
  const model = buildXenTimer({});
  const src = (id: string) => model.steps.find((s) => s.id === id)!.source;
  for (const id of ['vcpu0:hcall.set_timer_op(future)', 'vcpu0:hcall.set_timer_op(expired)', 'vcpu0:hcall.set_timer_op(0)']) {
    assert.equal(src(id).func, 'kvm_xen_hcall_set_timer_op', id);
    assert.equal(src(id).file, 'arch/x86/kvm/xen.c', id);
  }
  assert.equal(src('vcpu0:hcall_arm.return').func, 'kvm_xen_hypercall');
  assert.deepEqual([src('vcpu0:run.has_pending_timer').file, src('vcpu0:run.has_pending_timer').func], ['arch/x86/kvm/x86.c', 'vcpu_run']);
  assert.equal(src('vcpu0:ioctl.GET_ATTR(TIMER)').func, 'kvm_vcpu_ioctl');
});

test('exploration is deterministic', () => {
  const a = explore(buildXenTimer({ variant: 'upstream-v3', ops: 2 }), { allViolations: true });
  const b = explore(buildXenTimer({ variant: 'upstream-v3', ops: 2 }), { allViolations: true });
  assert.equal(a.stats.states, b.stats.states);
  assert.equal(a.stats.transitions, b.stats.transitions);
  assert.deepEqual(a.violations.map((v) => v.trace?.steps.map((s) => s.step)), b.violations.map((v) => v.trace?.steps.map((s) => s.step)));
});

test('today\'s kernels: 6.9 drops xen_lock from kvm_xen_set_evtchn (and the refresher with it), mainline reads the pvclock through vcpu_info, the trylock branch never waits for gpc->lock', () => {
  const ids = (variant: string): string[] => buildXenTimer({ variant }).steps.map((s) => s.id);
  for (const variant of ['upstream-v6.9', 'mainline', 'trylock-branch']) {
    const all = ids(variant);
    assert.equal(all.some((id) => id.includes('set_evtchn.mutex_lock')), false, `${variant}: 7a36d680658b`);
    assert.ok(all.includes('vcpu0:run>inject>set_evtchn>retry>set_evtchn_fast.read_lock'), variant);
    assert.deepEqual(all.filter((id) => id.startsWith('refresher:')), ['refresher:gpc_check_failed', 'refresher:refresh'], variant);
  }
  assert.ok(ids('upstream-v3').includes('vcpu0:run>inject>set_evtchn.mutex_lock'));
  assert.deepEqual(ids('upstream-v3').filter((id) => id.startsWith('refresher:')), ['refresher:xen_lock', 'refresher:refresh', 'refresher:xen_unlock']);
  // mainline: the clock read comes before anything touches the timer, from the hypercall and SET_ATTR
  const main = buildXenTimer({ variant: 'mainline' });
  const src = (id: string) => main.steps.find((s) => s.id === id)!.source;
  assert.match(src('vcpu0:hcall>start_timer.pvclock_lock').line, /read_lock_irqsave\(&gpc->lock, flags\);.*vcpu_info_cache/);
  assert.match(src('vcpu0:hcall.set_timer_op(future)').line, /kvm_xen_start_timer\(vcpu, timeout, true\)/);
  assert.ok(main.steps.some((s) => s.id === 'vcpu0:set_attr>start_timer.pvclock_refresh'));
  assert.equal(ids('upstream-v6.9').some((id) => id.includes('pvclock')), false);
  // the trylock branch: trylocks in task context too (the vCPU thread's inject)
  const tb = buildXenTimer({ variant: 'trylock-branch' });
  assert.match(tb.steps.find((s) => s.id === 'vcpu0:run>inject>set_evtchn>set_evtchn_fast.read_lock')!.source.line, /read_trylock/);
  const pf = buildXenTimer({ variant: 'proposed-fix' });
  assert.match(pf.steps.find((s) => s.id === 'vcpu0:run>inject>set_evtchn>set_evtchn_fast.read_lock')!.source.line, /read_lock_irqsave/, 'proposed-fix: trylock in interrupt context only');
});

test('the upcall: a fast path that forgets its kick is caught by xen.event-wakeup, not by xen.no-lost-event (the guest was notified, but a halted vCPU never wakes to see it)', () => {
  const main = VARIANTS.find((v) => v.name === 'mainline')!;
  const run = (variant: Variant, extra: object) => explore(buildXenTimer({ variant, ops: 3, ...extra }), { allViolations: true });
  const noKick = run({ ...main, name: 'mutant-no-kick', mutantNoKick: true }, { invalidations: 0, vcpuInfoInvalidations: 0 });
  const w = noKick.violations.find((v) => v.property === 'xen.event-wakeup');
  assert.ok(w, 'the missing kick is found');
  const end = w!.trace!.states.at(-1)!;
  assert.equal(end['vcpu0.pc'], 'idle');
  assert.equal(end['vcpu0.vcpu_info.evtchn_upcall_pending'], true, 'the guest is notified ...');
  assert.equal(end['vcpu0.req_unblock'], false, '... but nothing will run the halted vCPU');
  assert.equal(noKick.violations.some((v) => v.property === 'xen.no-lost-event'), false);
  // the real code holds both, also when vcpu_info is invalidated and the bit waits in the
  // in-kernel evtchn_pending_sel for kvm_xen_inject_pending_events()
  const real = run(main, { invalidations: 0, vcpuInfoInvalidations: 1 });
  assert.equal(real.violations.some((v) => v.property === 'xen.event-wakeup' || v.property === 'xen.no-lost-event'), false);
  assert.ok(real.covers.find((c) => c.property === 'cover.inject_events.copies')!.reached);
  assert.ok(real.covers.find((c) => c.property === 'cover.set_evtchn_fast.vcpu_info_invalid')!.reached);
});

test('another sender: the VMM\'s KVM_XEN_HVM_EVTCHN_SEND to a port in the timer\'s word contends for the same locks and adds no violation to 6.9 (quiescence waits for the send to finish)', () => {
  assert.equal(buildXenTimer({}).processes.includes('vmm_sender'), false, 'off by default');
  const model = buildXenTimer({ variant: 'upstream-v6.9', ops: 2, vcpuInfoInvalidations: 0, sends: 1 });
  assert.equal(model.symmetry, undefined, 'the sender targets vCPU 0: no vCPU symmetry');
  const ids = model.steps.filter((s) => s.process === 'vmm_sender').map((s) => s.id);
  assert.ok(ids.includes('vmm_sender:KVM_XEN_HVM_EVTCHN_SEND') && ids.includes('vmm_sender:send>set_evtchn>retry>set_evtchn_fast.read_lock'), ids.join(' '));
  const r = explore(model, { allViolations: true });
  // F2 only (the hard-irq callback's rwlock): no unseen upcall while the sender is between its
  // vcpu_info write and its kick, and its ioctl returns hold no lock (kernel.lock-held-on-return)
  assert.deepEqual(r.violations.filter((v) => v.kind !== 'sometimes').map((v) => v.property), ['kernel.raw-lock-nesting']);
  assert.equal(r.complete, true);
});
