/**
 * Traces: reconstruction from parent links, per-step diffs, and replay of a list of step ids.
 */
import type { Model, StepCtx } from './model.js';
import type { Trace, TraceStep } from './result.js';
import type { StateStore } from './store.js';

/** A StepCtx that records failures; reused. */
export class RecordingCtx implements StepCtx {
  readonly ids: string[] = [];
  readonly messages: (string | undefined)[] = [];
  fail(propertyId: string, message?: string): void {
    this.ids.push(propertyId);
    this.messages.push(message);
  }
  reset(): void {
    this.ids.length = 0;
    this.messages.length = 0;
  }
}

function bytesOf(words: Int32Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

/** The chain of state ids from an initial state to `id` (inclusive). */
export function pathTo(store: StateStore, id: number): number[] {
  const path: number[] = [];
  for (let cur = id; cur >= 0; cur = store.parent(cur)) path.push(cur);
  return path.reverse();
}

/**
 * The trace to state `id`, optionally followed by one more step `extraStep` (for violations found
 * on an edge: the successor is recomputed by applying the step to the last state).
 */
export function buildTrace(model: Model, store: StateStore, id: number, extraStep = -1): Trace {
  const schema = model.schema;
  const path = pathTo(store, id);
  const w = new Int32Array(schema.words);
  const cur = bytesOf(w);
  const prev = new Uint8Array(schema.size);
  const states: Record<string, import('./schema.js').Value>[] = [];
  const steps: TraceStep[] = [];
  const initial = store.step(path[0]!);
  for (let k = 0; k < path.length; k++) {
    store.load(path[k]!, w);
    states.push(schema.decode(cur));
    if (k > 0) steps.push(traceStep(model, store.step(path[k]!), prev, cur));
    prev.set(cur);
  }
  if (extraStep >= 0) {
    const next = prev.slice();
    const ctx = new RecordingCtx();
    model.steps[extraStep]!.apply(next, ctx);
    steps.push(traceStep(model, extraStep, prev, next));
    states.push(schema.decode(next));
  }
  return { initial, states, steps };
}

function traceStep(model: Model, index: number, before: Uint8Array, after: Uint8Array): TraceStep {
  const st = model.steps[index]!;
  return { step: st.id, process: st.process, source: st.source, changes: model.schema.diff(before, after) };
}

export class ReplayError extends Error {
  constructor(
    message: string,
    /** 0-based index of the step that failed (-1: the initial state). */
    readonly at: number,
  ) {
    super(message);
  }
}

export interface ReplayOutcome {
  readonly trace: Trace;
  /** Assertion failures raised by each step (index-aligned with trace.steps). */
  readonly failures: readonly (readonly { property: string; message?: string }[])[];
}

/**
 * Re-execute a list of step ids from initial state `initial`. Fails with a ReplayError naming the
 * first step that is unknown or not enabled. When `expectedStates` is given (decoded states from a
 * saved trace), every reached state must equal the saved one.
 */
export function replay(
  model: Model,
  stepIds: readonly string[],
  initial = 0,
  expectedStates?: readonly Readonly<Record<string, unknown>>[],
): ReplayOutcome {
  const schema = model.schema;
  const inits = model.init();
  if (initial < 0 || initial >= inits.length) throw new ReplayError(`initial state ${initial} does not exist (the model has ${inits.length})`, -1);
  const byId = new Map<string, number[]>();
  model.steps.forEach((s, i) => {
    const l = byId.get(s.id);
    if (l) l.push(i);
    else byId.set(s.id, [i]);
  });
  let cur = new Uint8Array(schema.size);
  cur.set(inits[initial]!);
  const states = [schema.decode(cur)];
  const steps: TraceStep[] = [];
  const failures: { property: string; message?: string }[][] = [];
  const ctx = new RecordingCtx();
  checkExpected(0);
  for (let k = 0; k < stepIds.length; k++) {
    const id = stepIds[k]!;
    const candidates = byId.get(id);
    if (!candidates) throw new ReplayError(`step ${k + 1} '${id}' is not a step of model ${model.name}`, k);
    let done = false;
    for (const i of candidates) {
      if (!model.steps[i]!.guard(cur)) continue;
      const next = cur.slice();
      ctx.reset();
      if (model.steps[i]!.apply(next, ctx) === false) continue;
      steps.push(traceStep(model, i, cur, next));
      failures.push(ctx.ids.map((p, j) => ({ property: p, message: ctx.messages[j] })));
      cur = next;
      states.push(schema.decode(cur));
      done = true;
      break;
    }
    if (!done) throw new ReplayError(`step ${k + 1} '${id}' is not enabled in the state reached after ${k} step(s)`, k);
    checkExpected(k + 1);
  }
  return { trace: { initial, states, steps }, failures };

  function checkExpected(k: number): void {
    const exp = expectedStates?.[k];
    if (!exp) return;
    const got = states[k]!;
    for (const [name, v] of Object.entries(exp)) {
      if (!(name in got)) throw new ReplayError(`state ${k}: the model has no field '${name}'`, k - 1);
      if (got[name] !== v) {
        throw new ReplayError(`state ${k}: field '${name}' is ${String(got[name])}, the trace says ${String(v)}`, k - 1);
      }
    }
  }
}
