/**
 * Golden text of the finding the tool exists for: FINDINGS.md F1, seed-v2's GET_ATTR(TIMER) taking
 * xen_lock recursively, as `check --explain` prints it — the trace (one row per step with the C
 * line and the fields it changed) and the race diagram.
 *
 * test/cli/fixtures/golden/seed-v2-f1-recursive-lock.txt was produced by this tool on 2026-12-02
 * and checked by hand once against FINDINGS.md F1: steps 1-6 the guest arms an already expired
 * timer and kvm_xen_start_timer() calls xen_timer_callback() directly; 7-9 the MMU notifier
 * invalidates shinfo_cache (write_lock_irq; gpc->valid = false); 10-14 the callback's fast path
 * finds the cache invalid (-EWOULDBLOCK), defers with atomic_inc(&timer_pending) and kicks; 15-21
 * GET_ATTR takes xen_lock (17), sees timer_expires, cancels the hrtimer and calls
 * kvm_xen_inject_timer_irqs(); 22-24 its fast path fails again, so vCPU 0 ends at
 * kvm_xen_set_evtchn()'s mutex_lock of the xen_lock it holds since step 17.
 * The shortest trace is the same 24 steps with K = 2, 3 and 4 operations (compared on
 * 2026-12-02); K = 2 keeps the run small (the default K = 4 is the matrix test's).
 * After a deliberate change of the model (fields, citations), regenerate it with
 *   node bin/xentimer-check.js check --ops 2 --all-violations --explain --no-timing |
 *     awk '/^✗ kernel.recursive-lock/{p=1} /^✗ xen.no-lost-event|^properties/{p=0} p'
 * and check the steps against F1 again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.js';
import { xenVerdict } from '../models/xen-expected.js';
import { runMain } from './in-process.js';

const GOLDEN = join(ROOT, 'test', 'cli', 'fixtures', 'golden', 'seed-v2-f1-recursive-lock.txt');

/** The section of a text report about one property: from its headline to the next headline. */
function section(report: string, property: string): string {
  const lines = report.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`✗ ${property} `));
  assert.ok(start >= 0, `${property} is reported`);
  const end = lines.findIndex((l, i) => i > start && /^(✗|properties$)/.test(l));
  return `${lines.slice(start, end).join('\n')}\n`;
}

test('golden: F1, the recursive xen_lock of seed-v2 — trace and race diagram (check --explain)', async () => {
  const r = await runMain(['check', '--variant', 'seed-v2', '--ops', '2', '--all-violations', '--explain', '--no-timing']);
  assert.equal(r.code, 1, r.stderr);
  const golden = readFileSync(GOLDEN, 'utf8');
  assert.equal(section(r.stdout, 'kernel.recursive-lock'), golden);
  // the length agrees with the regression matrix (models/xen-timer/expected.json, default bounds)
  assert.equal(xenVerdict('seed-v2', 'kernel.recursive-lock'), 'violated:24');
  assert.match(golden, /^ {2}shortest trace: 24 steps$/m);
  assert.match(golden, /^ {2}kernel\.recursive-lock \(always\): race over 24 steps$/m);
});
