/**
 * One benchmark run in a fresh process (so peak RSS belongs to it): explore a model and print one
 * JSON line. Argument: a JSON object { name, model: { dve: path } | { registry, params },
 * options: { symmetry?, fingerprint?, workers? } }.
 */
import { explore, type ExploreOptions } from '../src/engine/explore.js';
import type { Model } from '../src/engine/model.js';
import type { ModelSpec } from '../src/engine/parallel.js';
import { loadDve } from '../src/dve/index.js';

export interface RunSpec {
  readonly name: string;
  readonly model: { readonly dve: string } | { readonly registry: string; readonly params: Record<string, number | boolean | string> };
  readonly options?: { readonly symmetry?: boolean; readonly fingerprint?: boolean; readonly workers?: number; readonly allViolations?: boolean; readonly por?: boolean; readonly timeLimit?: number };
  /** The published state count, sizing the store (as SPIN's -w is sized). */
  readonly expectedStates?: number;
}

const run = JSON.parse(process.argv[2] ?? '{}') as RunSpec;
let model: Model;
let spec: ModelSpec;
if ('dve' in run.model) {
  model = loadDve(run.model.dve);
  spec = { module: new URL('../src/dve/index.js', import.meta.url).href, export: 'loadDve', args: run.model.dve };
} else {
  const args = { name: run.model.registry, params: run.model.params };
  // loaded only here: a DVE run does not load the Xen model's modules (a whole-process figure is compared with SPIN's)
  const { buildRegistered } = await import('../models/index.js');
  model = buildRegistered(args);
  spec = { module: new URL('../models/index.js', import.meta.url).href, export: 'buildRegistered', args };
}
const o = run.options ?? {};
const options: ExploreOptions = {
  deadlock: 'dve' in run.model ? false : undefined,
  allViolations: o.allViolations ?? true,
  symmetry: o.symmetry,
  fingerprint: o.fingerprint,
  expectedStates: run.expectedStates,
  ...(o.workers ? { parallel: { workers: o.workers, spec } } : {}),
  por: o.por,
  timeLimit: o.timeLimit,
};
const cpu0 = process.cpuUsage();
const r = explore(model, options);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    name: run.name,
    mode: [o.workers ? `workers=${o.workers}` : 'sequential', o.symmetry ? 'symmetry' : '', o.fingerprint ? 'fingerprint' : '', o.por ? 'por' : ''].filter(Boolean).join('+'),
    status: r.status,
    complete: r.complete,
    depth: r.stats.depth,
    states: r.stats.states,
    transitions: r.stats.transitions,
    levels: r.stats.levels,
    seconds: Number(r.stats.seconds.toFixed(3)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    statesPerSecond: Math.round(r.stats.statesPerSecond),
    stateBytes: r.stats.stateBytes,
    bytesPerState: Number(r.stats.bytesPerState.toFixed(1)),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(r.stats.symmetry ? { unreducedStates: r.stats.symmetry.unreducedStates, reduction: Number(r.stats.symmetry.reduction.toFixed(3)) } : {}),
    ...(r.stats.fingerprint ? { collisionProbability: r.stats.fingerprint.collisionProbability } : {}),
    ...(r.stats.por ? { por: r.stats.por } : {}),
    violations: r.violations.filter((v) => v.kind !== 'sometimes').map((v) => v.property),
  }) + '\n',
);
