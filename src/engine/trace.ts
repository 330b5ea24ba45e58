/**
 * Traces: reconstruction from parent links, per-step diffs, and replay of a list of step ids.
 */
import type { Model, StepCtx } from './model.js';
import type { Trace, TraceStep } from './result.js';
import type { VisitedStore } from './store.js';
import { elementMapping, type Canonicalizer } from './symmetry.js';

/** A StepCtx that records failures; reused. */
export class RecordingCtx implements StepCtx {
  readonly ids: string[] = [];
  readonly messages: (string | undefined)[] = [];
  fail(propertyId: string, message?: string): void {
    this.ids.push(propertyId);
    this.messages.push(message);
  }
  reset(): void {
    // called for every state: writing .length is not free
    if (this.ids.length === 0) return;
    this.ids.length = 0;
    this.messages.length = 0;
  }
}

/** Indices of the steps enabled in `s` (guard true and the effect does not drop the transition). */
export function enabledSteps(model: Model, s: Uint8Array): number[] {
  const ctx = new RecordingCtx();
  const out: number[] = [];
  model.steps.forEach((st, i) => {
    if (!st.guard(s)) return;
    ctx.reset();
    if (st.apply(s.slice(), ctx) !== false) out.push(i);
  });
  return out;
}

function bytesOf(words: Int32Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

/** The chain of state ids from an initial state to `id` (inclusive). */
export function pathTo(store: Pick<VisitedStore, 'parent'>, id: number): number[] {
  const path: number[] = [];
  for (let cur = id; cur >= 0; cur = store.parent(cur)) path.push(cur);
  return path.reverse();
}

export interface TraceOptions {
  /** One more step after state `id` (violations found on an edge). */
  readonly extraStep?: number;
  /** The search stored orbit representatives under this canonicalizer. */
  readonly canon?: Canonicalizer | null;
  /** Filter for the concrete step standing for `extraStep` under symmetry (e.g. it must raise the same assertion). */
  readonly edgeOk?: (before: Uint8Array, step: number, after: Uint8Array, failures: readonly string[]) => boolean;
  /** Under symmetry: the trace must end in exactly this image of state `id`. */
  readonly target?: Uint8Array;
}

/**
 * The trace to state `id`, optionally followed by one more step `extraStep` (for violations found
 * on an edge: the successor is recomputed by applying the step to the last state).
 *
 * When the store keeps every state and no symmetry reduction was used, the states are read back.
 * Otherwise (hash compaction, or stored states that are orbit representatives) the trace is
 * re-executed from the initial state: at each point the step recorded in the store is tried first,
 * then every other enabled step, until one leads to a state the store identifies with the next id
 * of the path. Under symmetry that yields a real, replayable execution whose states are images of
 * the stored representatives; with `target` it is then mapped, state by state, by the group
 * element taking its last state to the target (the image of an execution is an execution).
 */
export function buildTrace(model: Model, store: VisitedStore, id: number, opts: TraceOptions = {}): Trace {
  const schema = model.schema;
  const canon = opts.canon ?? null;
  const extraStep = opts.extraStep ?? -1;
  const path = pathTo(store, id);
  const w = new Int32Array(schema.words);
  const cur = bytesOf(w);
  let initial = store.step(path[0]!);
  // raw states along the trace, and the step index taken between consecutive ones
  const raw: Uint8Array[] = [];
  const taken: number[] = [];
  if (store.keepsStates && canon === null) {
    for (let k = 0; k < path.length; k++) {
      store.load(path[k]!, w);
      raw.push(cur.slice());
      if (k > 0) taken.push(store.step(path[k]!));
    }
  } else {
    const init = model.init()[initial];
    if (!init) throw new Error(`trace: initial state ${initial} does not exist`);
    cur.set(init);
    raw.push(cur.slice());
    const nw = new Int32Array(schema.words);
    const next = bytesOf(nw);
    const key = new Int32Array(schema.words);
    const ctx = new RecordingCtx();
    for (let k = 1; k < path.length; k++) {
      const target = path[k]!;
      const j = findStep(model, cur, next, ctx, store.step(target), canon !== null, () => {
        key.set(nw);
        canon?.canonicalize(key);
        return store.matches(target, key) || undefined;
      });
      if (j < 0) throw new Error(`trace reconstruction failed at step ${k} of ${path.length - 1}: no enabled step leads to the stored state (a nondeterministic step effect, or a symmetry that the model does not have)`);
      taken.push(j);
      cur.set(next);
      raw.push(cur.slice());
    }
  }
  if (canon !== null && opts.target) initial = retarget(model, canon, raw, taken, opts.target, initial);
  if (extraStep >= 0) {
    const prev = raw[raw.length - 1]!;
    const ctx = new RecordingCtx();
    let j = extraStep;
    let after = prev.slice();
    if (canon === null) {
      model.steps[extraStep]!.apply(after, ctx);
    } else {
      // the stored edge left the representative of prev's orbit; find the concrete step it stands for
      const rw = new Int32Array(schema.words);
      const rep = bytesOf(rw);
      rep.set(prev);
      canon.canonicalize(rw);
      model.steps[extraStep]!.apply(rep, ctx);
      const wanted = [...ctx.ids];
      canon.canonicalize(rw);
      const nw = new Int32Array(schema.words);
      const next = bytesOf(nw);
      const cctx = new RecordingCtx();
      const edgeOk = opts.edgeOk;
      j = findStep(model, prev, next, cctx, extraStep, true, (jj) => {
        if (!wanted.every((p) => cctx.ids.includes(p))) return undefined;
        if (edgeOk && !edgeOk(prev, jj, next, cctx.ids)) return undefined;
        const key = nw.slice();
        canon.canonicalize(key);
        for (let i = 0; i < key.length; i++) if (key[i] !== rw[i]) return undefined;
        return true;
      });
      if (j < 0) throw new Error('trace reconstruction failed at the violating step: no enabled step matches it (a symmetry that the model does not have)');
      after = next.slice();
    }
    raw.push(after);
    taken.push(j);
  }
  const states = raw.map((r) => schema.decode(r));
  const steps = taken.map((j, k) => traceStep(model, j, raw[k]!, raw[k + 1]!));
  return { initial, states, steps };
}

/** Map the execution `raw` (steps `taken`) by the group element taking its last state to `target`. */
function retarget(model: Model, canon: Canonicalizer, raw: Uint8Array[], taken: number[], target: Uint8Array, initial: number): number {
  const sym = canon.sym;
  const g = elementMapping(sym, raw[raw.length - 1]!, target);
  if (g < 0) throw new Error('trace reconstruction failed: the violating state is not in the orbit of the stored one (a symmetry that the model does not have)');
  if (g === 0) return initial;
  for (let k = 0; k < raw.length; k++) {
    const img = new Uint8Array(raw[k]!.length);
    sym.apply(g, raw[k]!, img);
    raw[k] = img;
  }
  const next = new Uint8Array(model.schema.size);
  const ctx = new RecordingCtx();
  for (let k = 0; k < taken.length; k++) {
    const want = raw[k + 1]!;
    const j = findStep(model, raw[k]!, next, ctx, taken[k]!, true, () => {
      for (let i = 0; i < want.length; i++) if (next[i] !== want[i]) return undefined;
      return true;
    });
    if (j < 0) throw new Error(`trace reconstruction failed at step ${k + 1}: the image of the execution is not an execution (a symmetry that the model does not have)`);
    taken[k] = j;
  }
  const k0 = model.init().findIndex((s) => s.every((b, i) => b === raw[0]![i]));
  if (k0 < 0) throw new Error('trace reconstruction failed: the image of the initial state is not an initial state (a symmetry that the model does not have)');
  return k0;
}

/**
 * Try step `first`, then (when `others`) every other step, on `from`: the first enabled one whose
 * successor (written to `to`) `accept` approves. Returns its index, or -1.
 */
function findStep(model: Model, from: Uint8Array, to: Uint8Array, ctx: RecordingCtx, first: number, others: boolean, accept: (step: number) => true | undefined): number {
  const n = model.steps.length;
  for (let t = -1; t < (others ? n : 0); t++) {
    const j = t < 0 ? first : t;
    if (t >= 0 && j === first) continue;
    const st = model.steps[j];
    if (!st || !st.guard(from)) continue;
    to.set(from);
    ctx.reset();
    if (st.apply(to, ctx) === false) continue;
    if (accept(j)) return j;
  }
  return -1;
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
