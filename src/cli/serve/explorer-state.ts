/**
 * The explorer at the end of a path: replay the step ids from the initial state (engine/trace.ts),
 * list the steps enabled there, say which properties the last state or step breaks, and draw the
 * path as a race diagram. A path the model cannot take is a BadLocation with the replay's reason.
 */
import type { Model } from '../../engine/model.js';
import type { Value } from '../../engine/schema.js';
import { enabledSteps, ReplayError, replay, type ReplayOutcome } from '../../engine/trace.js';
import type { ExplorerState } from '../html/client/types.js';
import { raceLegend, raceSvg } from '../html/race-svg.js';
import { BadLocation, type Location } from './location.js';

type Finding = ExplorerState['here'][number];

export function explorerState(model: Model, loc: Location): ExplorerState {
  const outcome = replayPath(model, loc);
  const { states, steps } = outcome.trace;
  const last = model.schema.encode(states.at(-1) as Record<string, Value>);
  const enabled = enabledSteps(model, last).map((i) => model.steps[i]!);
  const here = findings(model, last, enabled.length, outcome);
  const indexed = steps.map((s, i) => ({ ...s, index: i + 1 }));
  const input = { lanes: model.processes, processes: model.processes, steps: indexed, states, ...(here[0] && steps.length > 0 ? { failure: here[0] } : {}) };
  return {
    model: model.name,
    init: loc.init,
    path: loc.path,
    steps: indexed,
    states,
    enabled: enabled.map((s) => ({ id: s.id, process: s.process, source: s.source })),
    svg: raceSvg(input),
    legend: raceLegend(input),
    here,
  };
}

function replayPath(model: Model, loc: Location): ReplayOutcome {
  try {
    return replay(model, loc.path, loc.init);
  } catch (e) {
    if (e instanceof ReplayError) throw new BadLocation(`this URL is not a path of model ${model.name}: ${e.message}`);
    throw e;
  }
}

/** What is wrong here: failed invariants of the last state, assertions of the last step, a deadlock. */
function findings(model: Model, s: Uint8Array, enabled: number, outcome: ReplayOutcome): Finding[] {
  const out: Finding[] = [];
  for (const p of model.properties) {
    if (p.kind === 'always' && !p.check(s)) out.push({ property: p.id, message: p.description });
    if (p.kind === 'terminal' && enabled === 0 && !p.check(s)) out.push({ property: p.id, message: p.description });
  }
  for (const f of outcome.failures.at(-1) ?? []) out.push({ property: f.property, message: f.message ?? 'assertion failed' });
  if (enabled === 0 && !model.validEnd?.(s)) {
    out.push({ property: 'deadlock', message: model.describeDeadlock?.(s) ?? 'no step is enabled and the state is not a valid end state' });
  }
  return out;
}
