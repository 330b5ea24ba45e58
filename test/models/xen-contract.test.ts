/**
 * The contract invariants' compiled per-vCPU parts (models/xen-timer/contract-compiled.ts) against
 * their definitions (contract.ts: contractDefinitions): equal on random states (every field in its
 * domain) and on the reachable states of a breadth-first search, for several variants, one and two
 * vCPUs, with and without the VMM sender.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileContractParts } from '../../models/xen-timer/contract-compiled.js';
import { contractDefinitions, quiescentMutexLabels, quiescentState } from '../../models/xen-timer/contract.js';
import { buildXenTimerWith } from '../../models/xen-timer/index.js';
import type { Model } from '../../src/engine/model.js';
import { RecordingCtx } from '../../src/engine/trace.js';

const CASES = [
  { variant: 'proposed-fix', ops: 2 },
  { variant: 'baseline', ops: 2, preemptRt: true },
  { variant: 'upstream-v3', vcpus: 2, ops: 1 },
  { variant: 'seed-v2', ops: 2, sends: 1 },
] as const;

const PARTS = ['lost', 'truthful', 'wakeup', 'quiet'] as const;

/** Up to `max` reachable states, breadth first. */
function reachable(model: Model, max: number): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const s of model.init()) if (!seen.has(s.join(','))) (seen.add(s.join(',')), out.push(s));
  const ctx = new RecordingCtx();
  for (let q = 0; q < out.length && out.length < max; q++) {
    for (const st of model.steps) {
      if (!st.guard(out[q]!)) continue;
      const t = out[q]!.slice();
      ctx.reset();
      if (st.apply(t, ctx) === false) continue;
      const k = t.join(',');
      if (!seen.has(k)) (seen.add(k), out.push(t));
    }
  }
  return out;
}

for (const params of CASES) {
  test(`contract parts compiled = defined (${JSON.stringify(params)})`, () => {
    const { x, model } = buildXenTimerWith(params);
    const defs = contractDefinitions(x);
    const compiled = x.vcpus.map((vc) => compileContractParts(x, vc));
    const same = (s: Uint8Array): number => {
      let falses = 0;
      for (const vc of x.vcpus) {
        for (const part of PARTS) {
          const want = defs[part](vc, s);
          if (!want) falses++;
          assert.equal(compiled[vc.i]![part](s), want, `${part} of ${vc.name} in ${JSON.stringify(model.schema.decode(s))}`);
        }
      }
      return falses;
    };
    // reachable states: the parts are not vacuous there (the variants' own verdicts aside, the
    // random states below make each part false often)
    for (const s of reachable(model, 20000)) same(s);
    const fields = model.schema.fields;
    // half of them pushed towards quiescence case (b): vCPU 0's callback (and the sender) idle, the
    // hrtimer not enqueued, the thread at one of its mutex_lock labels
    const vc0 = x.vcpus[0]!;
    const waitLabels = quiescentMutexLabels(x, vc0).flatMap((w) => w.pcs);
    assert.ok(waitLabels.length > 0, 'the thread has mutex_lock labels');
    const state = fc.tuple(fc.tuple(...fields.map((f) => fc.integer({ min: f.min, max: f.max }))), fc.boolean(), fc.nat(waitLabels.length - 1)).map(([vals, push, k]) => {
      const s = model.schema.blank();
      fields.forEach((f, i) => model.schema.set(s, f, vals[i]!));
      if (push) {
        s[vc0.cb.pc.offset] = vc0.cb.idle;
        s[vc0.timer.enqueued.offset] = 0;
        if (x.sender) s[x.sender.pc.offset] = x.sender.idle;
        s[vc0.thread.pc.offset] = waitLabels[k]!;
      }
      return s;
    });
    const quiescent0 = quiescentState(x, vc0);
    let falses = 0;
    let selfWaits = 0;
    fc.assert(
      fc.property(state, (s) => {
        falses += same(s);
        if (!vc0.thread.isIdle(s) && quiescent0(s)) selfWaits++;
      }),
      { numRuns: 3000, seed: 1202 },
    );
    assert.ok(falses > 0, 'some random states violate a part');
    assert.ok(selfWaits > 0, 'some random states are quiescent by a thread waiting for its own mutex');
  });
}
