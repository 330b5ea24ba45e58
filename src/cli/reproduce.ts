/**
 * Does a saved violation still happen? Replays the saved step ids with the engine's `replay`
 * (every reached state must equal the saved one), then checks that the property is violated at
 * the end of the trace, the way the explorer would have found it.
 */
import { explore } from '../engine/explore.js';
import { enabledSteps, ReplayError, replay, type ReplayOutcome } from '../engine/trace.js';
import type { Model } from '../engine/model.js';
import type { Value } from '../engine/schema.js';
import type { ReportViolation, Settings } from './report.js';

export type Reproduction =
  | { readonly status: 'reproduces'; readonly outcome: ReplayOutcome; readonly how: string }
  | { readonly status: 'differs'; readonly outcome?: ReplayOutcome; readonly reason: string }
  | { readonly status: 'no-trace'; readonly reason: string };

function anyEnabled(model: Model, s: Uint8Array): boolean {
  return enabledSteps(model, s).length > 0;
}

/**
 * `fresh` builds a new copy of the model: transition properties (lock order...) accumulate over
 * every explored edge, so when the trace alone does not trip them they are checked by exploring
 * again and comparing the shortest trace.
 */
export async function reproduce(model: Model, v: ReportViolation, settings: Settings, fresh: () => Promise<Model>): Promise<Reproduction> {
  if (!v.trace) return { status: 'no-trace', reason: `${v.property} has no trace to replay (${v.message})` };
  const ids = v.trace.steps.map((s) => s.step);
  let outcome: ReplayOutcome;
  try {
    outcome = replay(model, ids, v.trace.initial, v.trace.states);
  } catch (e) {
    if (e instanceof ReplayError) return { status: 'differs', reason: e.message };
    throw e;
  }
  const states = outcome.trace.states;
  const enc = (k: number): Uint8Array => model.schema.encode(states[k] as Record<string, Value>);
  const last = enc(states.length - 1);
  const n = ids.length;
  const at = n === 0 ? 'in the initial state' : `after step ${n}`;
  const yes = (how: string): Reproduction => ({ status: 'reproduces', outcome, how });
  const no = (reason: string): Reproduction => ({ status: 'differs', outcome, reason });

  if (v.property === 'deadlock' && !model.properties.some((p) => p.id === 'deadlock')) {
    if (anyEnabled(model, last)) return no(`the final state is not a deadlock: a step is enabled ${at}`);
    if (model.validEnd?.(last)) return no('the final state is now a valid end state');
    return yes(`deadlock ${at}`);
  }
  const p = model.properties.find((q) => q.id === v.property);
  if (!p) return no(`model ${model.name} has no property '${v.property}' any more`);
  switch (p.kind) {
    case 'always':
      return p.check(last) ? no(`${p.id} holds in the final state`) : yes(`${p.id} is false ${at}`);
    case 'assert': {
      const f = outcome.failures.at(-1)?.find((x) => x.property === p.id);
      return f ? yes(`step ${n} fails ${p.id}${f.message ? `: ${f.message}` : ''}`) : no(`step ${n} no longer fails ${p.id}`);
    }
    case 'terminal':
      if (anyEnabled(model, last)) return no(`the final state is not terminal: a step is enabled ${at}`);
      return p.check(last) ? no(`${p.id} holds in the final state`) : yes(`${p.id} is false in the terminal state ${at}`);
    case 'sometimes':
      return no(`${p.id} is a reachability property; a trace reaching it is not a violation`);
    case 'transition': {
      for (let k = 0; k < n; k++) {
        const before = enc(k);
        const idx = model.steps.findIndex((s) => s.id === ids[k] && s.guard(before));
        const r = p.check(before, idx, enc(k + 1));
        if (r !== true && k === n - 1) return yes(`step ${n} fails ${p.id}${typeof r === 'string' ? `: ${r}` : ''}`);
      }
      // lockdep-style: the violation depends on edges seen elsewhere in the state space
      const again = explore(await fresh(), {
        maxStates: settings.maxStates ?? undefined,
        maxDepth: settings.maxDepth ?? undefined,
        allViolations: true,
        deadlock: settings.deadlock,
      });
      const w = again.violations.find((x) => x.property === p.id);
      if (!w || !w.trace) return no(`${p.id} is no longer violated`);
      const same = w.trace.steps.length === n && w.trace.steps.every((s, k) => s.step === ids[k]);
      return same ? yes(`${p.id} violated at step ${n} (the property accumulates over the explored steps: confirmed by exploring again)`) : no(`${p.id} is violated, but its shortest trace is now different (${w.trace.steps.length} steps)`);
    }
  }
}
