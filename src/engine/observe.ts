/**
 * Property bookkeeping for a search (the "visitor" of Stateright's checkers): what is checked on a
 * new state, on an edge, on a state without successors; each violated property recorded once,
 * with the anchor its trace is rebuilt from (a stored state id, and the step for edge violations).
 * Search drivers call it; it never decides what is explored, only what the properties say.
 */
import { ModelError, type AlwaysProperty, type Model, type Property, type PropertyKind, type SometimesProperty, type TerminalProperty, type TransitionProperty } from './model.js';
import type { CoverEntry, Violation } from './result.js';
import type { Field } from './schema.js';
import type { VisitedStore } from './store.js';
import { StepRelevance } from './step-relevance.js';
import type { Canonicalizer } from './symmetry.js';
import { buildTrace, type RecordingCtx } from './trace.js';

export const DEADLOCK_ID = 'deadlock';

interface Found {
  property: string;
  kind: PropertyKind;
  description: string;
  message: string;
  stateId: number;
  extraStep: number;
  source?: Property['source'];
  /** Under symmetry: the image of the stored state that violates the property. */
  target?: Uint8Array;
}

/** What an Observer has recorded, as JSON data (checkpoints); state vectors as byte lists. */
export interface ObserverSnapshot {
  readonly found: readonly (Omit<Found, 'source' | 'target'> & { readonly target?: number[] })[];
  readonly someReached: readonly number[];
  readonly someTarget: readonly (number[] | null)[];
}

export interface ObserveOptions {
  /** Report states with no enabled step that are not valid end states. */
  readonly deadlock: boolean;
  /** Check that every new state keeps its fields inside their domains. */
  readonly checkDomains: boolean;
}

export class Observer {
  readonly found: Found[] = [];
  readonly violated = new Set<string>();
  readonly always: readonly AlwaysProperty[];
  readonly transitionProps: readonly TransitionProperty[];
  readonly terminal: readonly TerminalProperty[];
  readonly sometimes: readonly SometimesProperty[];
  private readonly propById: Map<string, Property>;
  /** Per `sometimes` property: the first stored state id that satisfies it, or -1. */
  readonly someReached: Int32Array;
  private readonly someTarget: (Uint8Array | undefined)[];
  /** Per transition property: the steps it cares about (null: all). */
  private readonly transRelevant: (((step: number) => boolean) | null)[];
  /** Per step: the transition properties (indices) it is relevant to. */
  private readonly transOfStep: Int32Array[];
  /**
   * Per invariant (the model's `always` properties, in order): 1 once it was found violated (the
   * hot-path view of `violated`). Until then it holds in every stored state (partial-order
   * reduction reads this: SourceMemo).
   */
  readonly alwaysDone: Uint8Array;
  /** The same per transition property. */
  private readonly transDone: Uint8Array;
  /** Sometimes properties not reached yet: how many, and their indices (increasing) in coversLeft[0, someLeft). */
  private someLeft: number;
  private readonly coversLeft: Int32Array;
  /** The same per terminal property as alwaysDone. */
  private readonly terminalDone: Uint8Array;
  /** State properties need not be invariant under the group: check every image of each new state. */
  readonly imageChecks: boolean;
  private readonly narrow: readonly Field[];
  private readonly outside: (s: Uint8Array) => number;
  /** Per step: the invariants and covers it can change (step-relevance.ts); null: every one is checked. */
  private readonly relevance: StepRelevance | null;

  /**
   * @param onViolation called after each newly recorded violation (the search decides whether to stop)
   */
  constructor(
    private readonly model: Model,
    private readonly opts: ObserveOptions,
    private store: VisitedStore,
    private readonly canon: Canonicalizer | null,
    private readonly ctx: RecordingCtx,
    private readonly onViolation: () => void,
  ) {
    const props = model.properties;
    this.always = props.filter((p): p is AlwaysProperty => p.kind === 'always');
    this.transitionProps = props.filter((p): p is TransitionProperty => p.kind === 'transition');
    this.terminal = props.filter((p): p is TerminalProperty => p.kind === 'terminal');
    this.sometimes = props.filter((p): p is SometimesProperty => p.kind === 'sometimes');
    this.propById = new Map(props.map((p) => [p.id, p]));
    this.someReached = new Int32Array(this.sometimes.length).fill(-1);
    this.someTarget = new Array(this.sometimes.length);
    this.transRelevant = this.transitionProps.map((p) => (p.relevant ? p.relevant.bind(p) : null));
    // an edge is checked only by the transition properties relevant to its step (as a parallel search does)
    this.transOfStep = model.steps.map((_, i) => Int32Array.from(this.transRelevant.flatMap((rel, k) => (rel === null || rel(i) ? [k] : []))));
    this.alwaysDone = new Uint8Array(this.always.length);
    this.transDone = new Uint8Array(this.transitionProps.length);
    this.someLeft = this.sometimes.length;
    this.coversLeft = Int32Array.from(this.sometimes, (_, i) => i);
    this.terminalDone = new Uint8Array(this.terminal.length);
    this.imageChecks = canon !== null && canon.size > 1 && !canon.sym.invariantProperties;
    this.narrow = opts.checkDomains ? model.schema.narrowFields() : [];
    this.outside = model.schema.domainChecker(this.narrow);
    // under image checks every image is checked whole (their edges were not looked at); under
    // symmetry the state checked is a canonical image, where a step's components may have moved
    this.relevance = this.imageChecks ? null : StepRelevance.build(model, this.always, this.sometimes, canon === null || canon.size <= 1);
  }

  /** The store moved (Search.replaceStore): the same states under the same ids. */
  useStore(store: VisitedStore): void {
    this.store = store;
  }

  record(f: Found): void {
    if (this.violated.has(f.property)) return;
    this.markViolated(f);
    this.found.push(f);
    this.onViolation();
  }

  /** Property f.property is violated: in `violated` and in its kind's hot-path flags. */
  private markViolated(f: Pick<Found, 'property' | 'kind'>): void {
    this.violated.add(f.property);
    if (f.kind === 'always') this.alwaysDone[this.always.findIndex((p) => p.id === f.property)] = 1;
    if (f.kind === 'transition') this.transDone[this.transitionProps.findIndex((p) => p.id === f.property)] = 1;
    if (f.kind === 'terminal') this.terminalDone[this.terminal.findIndex((p) => p.id === f.property)] = 1;
  }

  /**
   * A state just stored as `id` (its vector `s`; under image checks its images are in canon's
   * table), reached from a stored state by step `step` (-1: an initial state, or a search that
   * does not say). `invariantsHold`: that edge was found invisible by partial-order reduction (it
   * changes nothing an invariant reads, PorAnalysis.visible) from a stored state, where every
   * invariant not violated yet holds — so they hold here too and only the covers are checked
   * (not under image checks: the images' edges were not looked at). Otherwise, with a step, only
   * the invariants and covers that step can change are evaluated (step-relevance.ts says why the
   * others keep their verdicts).
   */
  newState(id: number, s: Uint8Array, invariantsHold = false, step = -1): void {
    const bad = this.outside(s);
    if (bad >= 0) this.domainError(this.narrow[bad]!, s, this.store.parent(id), this.store.step(id));
    if (this.imageChecks) {
      // properties need not be invariant under the group: check every image of the new state
      // (canonicalize left them in its table)
      const canon = this.canon!;
      for (let g = 0; g < canon.size; g++) this.checkState(id, canon.image(g), true);
    } else if (step >= 0 && this.relevance !== null) this.checkAfterStep(id, s, step, invariantsHold);
    else this.checkState(id, s, false, invariantsHold);
  }

  /**
   * The error of a state `s`, reached from `parent` by step `step` (parent -1: initial state
   * number `step`), whose field `f` lies outside its domain (or, f undefined, that sets the
   * padding after the last field).
   */
  domainError(f: Field | undefined, s: Uint8Array, parent: number, step: number): never {
    const st = parent >= 0 ? this.model.steps[step]!.id : 'initial state';
    if (f === undefined) throw new ModelError(`model ${this.model.name}: ${st} wrote the padding after the last field of the state vector`);
    throw new ModelError(`model ${this.model.name}: ${st} set ${f.name} = ${this.model.schema.get(s, f)}, outside its domain ${f.min}..${f.max}`);
  }

  private checkState(id: number, s: Uint8Array, image: boolean, invariantsHold = false): void {
    const always = this.always;
    const done = this.alwaysDone;
    for (let i = invariantsHold ? always.length : 0; i < always.length; i++) {
      if (done[i] === 0) this.checkInvariant(id, s, i, image);
    }
    if (this.someLeft > 0) this.checkCovers(id, s, image, null, 0);
  }

  /**
   * checkState for a state reached by `step` from a stored state (not under image checks): only
   * the invariants and covers the step can change (StepRelevance). Skipped: an invariant the step
   * cannot change held in the source (it is not violated yet, and every stored state was checked),
   * a cover it cannot change was false there (not reached yet); an invariant the step changes only
   * through some components fails only if one of them does — then the whole check decides.
   */
  private checkAfterStep(id: number, s: Uint8Array, step: number, invariantsHold: boolean): void {
    const done = this.alwaysDone;
    if (!invariantsHold) {
      const inv = this.relevance!.invariants[step]!;
      for (let k = 0; k < inv.length; k++) {
        const r = inv[k]!;
        if (done[r.prop] !== 0) continue;
        if (r.parts === null || !allHold(r.parts, s)) this.checkInvariant(id, s, r.prop, false);
      }
    }
    if (this.someLeft > 0) this.checkCovers(id, s, false, this.relevance!.coverFlags, step * this.sometimes.length);
  }

  /** Invariant i on state `id` (vector s; `image`: an image of the stored state under symmetry). */
  private checkInvariant(id: number, s: Uint8Array, i: number, image: boolean): void {
    const p = this.always[i]!;
    if (!p.check(s)) {
      this.record({ property: p.id, kind: 'always', description: p.description, message: p.description, stateId: id, extraStep: -1, source: p.source, target: image ? s.slice() : undefined });
    }
  }

  /**
   * The covers not reached yet, on state `id` (vector s); with `flags` (StepRelevance.coverFlags),
   * only those whose flag at `base` + their index is set (the others were false in the source).
   */
  private checkCovers(id: number, s: Uint8Array, image: boolean, flags: Uint8Array | null, base: number): void {
    const left = this.coversLeft;
    const some = this.sometimes;
    let reached = 0;
    for (let k = 0; k < this.someLeft; k++) {
      const i = left[k]!;
      if ((flags !== null && flags[base + i] === 0) || !some[i]!.check(s)) continue;
      this.someReached[i] = id;
      if (image) this.someTarget[i] = s.slice();
      reached++;
    }
    if (reached > 0) this.dropReachedCovers();
  }

  /** Rebuild coversLeft from someReached. */
  private dropReachedCovers(): void {
    let n = 0;
    for (let i = 0; i < this.sometimes.length; i++) if (this.someReached[i]! < 0) this.coversLeft[n++] = i;
    this.someLeft = n;
  }

  /** The edge stateId --step--> dst from src: the assertions it raised (in ctx), the transition properties. */
  edge(stateId: number, step: number, src: Uint8Array, dst: Uint8Array): void {
    if (this.ctx.ids.length > 0) this.failures(stateId, step);
    const tp = this.transitionProps;
    const rel = this.transOfStep[step]!;
    for (let j = 0; j < rel.length; j++) {
      const k = rel[j]!;
      if (this.transDone[k] === 0) this.transition(tp[k]!, stateId, step, src, dst);
    }
  }

  /** Like edge() without the assertions, for the transition properties that care about `step` only. */
  relevantEdge(stateId: number, step: number, src: Uint8Array, dst: Uint8Array): void {
    const tp = this.transitionProps;
    for (let k = 0; k < tp.length; k++) {
      const p = tp[k]!;
      const rel = this.transRelevant[k]!;
      if (this.violated.has(p.id) || (rel !== null && !rel(step))) continue;
      this.transition(p, stateId, step, src, dst);
    }
  }

  /** Record the assertions step `step` raised from state `stateId` (listed in ctx), and clear them. */
  failures(stateId: number, step: number): void {
    const ctx = this.ctx;
    for (let k = 0; k < ctx.ids.length; k++) {
      const pid = ctx.ids[k]!;
      if (this.violated.has(pid)) continue;
      const p = this.propById.get(pid);
      this.record({
        property: pid,
        kind: p?.kind ?? 'assert',
        description: p?.description ?? pid,
        message: ctx.messages[k] ?? p?.description ?? pid,
        stateId,
        extraStep: step,
        source: p?.source,
      });
    }
    ctx.reset();
  }

  private transition(p: TransitionProperty, stateId: number, step: number, src: Uint8Array, dst: Uint8Array): void {
    const r = p.check(src, step, dst);
    if (r !== true) {
      this.record({ property: p.id, kind: 'transition', description: p.description, message: typeof r === 'string' ? r : p.description, stateId, extraStep: step, source: p.source });
    }
  }

  /** State `stateId` (vector srcW / src) has no enabled step: terminal properties and deadlock. */
  terminalState(stateId: number, srcW: Int32Array, src: Uint8Array): void {
    const canon = this.imageChecks ? this.canon! : null;
    const nImg = canon !== null ? canon.size : 1;
    if (canon !== null) canon.fill(srcW);
    for (let g = 0; g < nImg; g++) {
      const s = canon !== null ? canon.image(g) : src;
      for (let k = 0; k < this.terminal.length; k++) {
        const p = this.terminal[k]!;
        if (this.terminalDone[k] === 0 && !p.check(s)) {
          this.record({ property: p.id, kind: 'terminal', description: p.description, message: p.description, stateId, extraStep: -1, source: p.source, target: canon !== null ? s.slice() : undefined });
        }
      }
    }
    const model = this.model;
    if (this.opts.deadlock && !this.violated.has(DEADLOCK_ID) && !(model.validEnd && model.validEnd(src))) {
      this.record({ property: DEADLOCK_ID, kind: 'deadlock', description: 'no step is enabled and the state is not a valid end state', message: model.describeDeadlock ? model.describeDeadlock(src) : deadlockMessage(model, src), stateId, extraStep: -1 });
    }
  }

  /** Ids of the properties a worker need not report any more. */
  settled(): { skipAlways: string[]; skipSome: string[] } {
    return {
      skipAlways: this.always.filter((p) => this.violated.has(p.id)).map((p) => p.id),
      skipSome: this.sometimes.filter((_, i) => this.someReached[i]! >= 0).map((p) => p.id),
    };
  }

  /** Checkpoints: the violations recorded and the covers reached so far. */
  snapshot(): ObserverSnapshot {
    return {
      found: this.found.map(({ source: _s, target, ...f }) => ({ ...f, ...(target ? { target: [...target] } : {}) })),
      someReached: [...this.someReached],
      someTarget: this.sometimes.map((_, i) => (this.someTarget[i] ? [...this.someTarget[i]!] : null)),
    };
  }

  /** Checkpoints: take back a snapshot (into an Observer of the same model that has seen nothing). */
  restore(snap: ObserverSnapshot): void {
    for (const f of snap.found) {
      const p = this.propById.get(f.property);
      this.markViolated(f);
      const { target, ...rest } = f;
      this.found.push({ ...rest, ...(p?.source ? { source: p.source } : {}), ...(target ? { target: Uint8Array.from(target) } : {}) });
    }
    this.someReached.set(snap.someReached);
    this.dropReachedCovers();
    snap.someTarget.forEach((t, i) => {
      if (t) this.someTarget[i] = Uint8Array.from(t);
    });
  }

  /** What accumulating transition properties learned (call before any trace is rebuilt: that calls model.init()). */
  facts(): { facts: Record<string, unknown> } | undefined {
    const facts: Record<string, unknown> = {};
    let any = false;
    for (const p of this.transitionProps) {
      if (p.facts) {
        facts[p.id] = p.facts();
        any = true;
      }
    }
    return any ? { facts } : undefined;
  }

  /** The recorded violations with their traces, and the cover entries. */
  violations(): Violation[] {
    const { model, store, canon } = this;
    return this.found.map((f) => ({
      property: f.property,
      kind: f.kind,
      description: f.description,
      message: f.message,
      trace: buildTrace(model, store, f.stateId, {
        extraStep: f.extraStep,
        canon,
        target: f.target,
        edgeOk: f.kind === 'assert' ? (_b, _j, _a, fails) => fails.includes(f.property) : undefined,
      }),
      source: f.source,
    }));
  }

  covers(): CoverEntry[] {
    const { model, store, canon } = this;
    return this.sometimes.map((p, i) => {
      const id = this.someReached[i]!;
      if (id < 0) return { property: p.id, description: p.description, reached: false };
      const trace = buildTrace(model, store, id, { canon, target: this.someTarget[i] });
      return { property: p.id, description: p.description, reached: true, depth: trace.steps.length, trace };
    });
  }

  /** An unreached cover as a violation (only a complete search of the whole space can say so). */
  unreached(c: CoverEntry): Violation {
    const p = this.propById.get(c.property)!;
    return { property: p.id, kind: 'sometimes', description: p.description, message: `never reached: ${p.description}`, trace: null, source: p.source };
  }

  /** The properties checked, for the report. */
  checked(): { id: string; kind: PropertyKind; description: string; source?: Property['source'] }[] {
    return [
      ...this.model.properties.map((p) => ({ id: p.id, kind: p.kind as PropertyKind, description: p.description, source: p.source })),
      ...(this.opts.deadlock ? [{ id: DEADLOCK_ID, kind: 'deadlock' as PropertyKind, description: 'no reachable state where nothing can move and the state is not a valid end' }] : []),
    ];
  }
}

/** The control states of a state with no enabled step (simulate reports its deadlocks in the same words). */
export function deadlockMessage(model: Model, s: Uint8Array): string {
  return `no step enabled in a state that is not a valid end: ${Object.entries(model.schema.decode(s))
    .filter(([n]) => n.endsWith('pc') || n.endsWith('.state'))
    .map(([n, v]) => `${n}=${String(v)}`)
    .join(', ')}`.replace(/: $/, '');
}

/** Whether every one of `parts` holds in s. */
function allHold(parts: readonly ((s: Uint8Array) => boolean)[], s: Uint8Array): boolean {
  for (let k = 0; k < parts.length; k++) if (!parts[k]!(s)) return false;
  return true;
}
