/**
 * Checks a model's access declarations (Step.access, Property.reads) against what its code does:
 * on every state of a breadth-first search (up to a bound), each step's guard and effect run on a
 * recording view of the state, and every byte they read or write must belong to a declared field
 * (the step's label, its next labels and its assertions too); so must every byte an invariant or
 * a transition property reads. Partial-order reduction trusts the declarations; this is how
 * tests (and `check --verify-accesses`) make sure they are not wrong on the states explored.
 */
import type { Model, Step } from '../model.js';
import { RecordingCtx } from '../trace.js';

export interface AccessReport {
  /** States whose steps were checked. */
  readonly states: number;
  /** Steps with a declaration (the others are not checked: they count as touching everything). */
  readonly declaredSteps: number;
  /** The first problems found (empty: every declaration held). */
  readonly problems: readonly string[];
}

/** A view of `s` that notes the byte offsets read and written (any method call reads everything). */
function recording(s: Uint8Array, reads: Set<number>, writes: Set<number>): Uint8Array {
  return new Proxy(s, {
    get(t, k) {
      if (typeof k === 'string' && /^\d+$/.test(k)) reads.add(Number(k));
      else if (k !== 'length') {
        const v = Reflect.get(t, k) as unknown;
        if (typeof v === 'function') {
          for (let i = 0; i < t.length; i++) reads.add(i);
          return (v as (...a: unknown[]) => unknown).bind(t);
        }
        return v;
      }
      return Reflect.get(t, k) as unknown;
    },
    set(t, k, v) {
      if (typeof k === 'string' && /^\d+$/.test(k)) writes.add(Number(k));
      return Reflect.set(t, k, v);
    },
  });
}

export function verifyAccesses(model: Model, maxStates = 20000, maxProblems = 20): AccessReport {
  const schema = model.schema;
  const byteField: string[] = [];
  for (const f of schema.fields) for (let b = 0; b < f.width; b++) byteField[f.offset + b] = f.name;
  const problems: string[] = [];
  const note = (msg: string): void => {
    if (problems.length < maxProblems && !problems.includes(msg)) problems.push(msg);
  };
  const outside = (bytes: Set<number>, allowed: ReadonlySet<string>, what: string): void => {
    for (const b of bytes) {
      const f = byteField[b] ?? `byte ${b}`;
      if (!allowed.has(f)) note(`${what} ${f}, not declared`);
    }
  };
  const steps = model.steps;
  const decl = steps.map((st) => (st.access ? { reads: new Set([...st.access.reads, ...(st.access.at ? [st.access.at.field] : [])]), writes: new Set(st.access.writes), fails: new Set(st.access.fails ?? []) } : null));
  const props = model.properties.map((p) =>
    p.reads
      ? { p, reads: new Set([...p.reads.fields, ...Object.keys(p.reads.values ?? {}), ...(p.reads.guarded ?? []).flatMap((g) => [g.pc, ...g.fields]), ...(p.reads.components ?? []).flatMap((c) => [...c.owners, ...c.reads])]) }
      : null,
  );
  const seen = new Set<string>();
  const queue: Uint8Array[] = [];
  for (const s of model.init()) {
    const k = s.join(',');
    if (!seen.has(k)) {
      seen.add(k);
      queue.push(s);
    }
  }
  let states = 0;
  const ctx = new RecordingCtx();
  for (let q = 0; q < queue.length && states < maxStates; q++, states++) {
    const s = queue[q]!;
    for (const x of props) {
      if (!x || (x.p.kind !== 'always' && x.p.kind !== 'sometimes')) continue;
      const r = new Set<number>();
      x.p.check(recording(s, r, new Set()));
      outside(r, x.reads, `property ${x.p.id} reads`);
    }
    for (let i = 0; i < steps.length; i++) {
      const st = steps[i]!;
      const d = decl[i];
      const r = new Set<number>();
      const w = new Set<number>();
      const enabled = st.guard(d ? recording(s, r, w) : s);
      if (!enabled) {
        if (d) outside(r, d.reads, `step ${st.id} guard reads`);
        continue;
      }
      const t = s.slice();
      ctx.reset();
      const kept = st.apply(d ? recording(t, r, w) : t, ctx) !== false;
      if (d) checkStep(st, d, r, w, s, kept ? t : null, ctx, outside, note, schema.byName);
      transitionReads(model, props, s, i, t, outside);
      ctx.reset();
      if (!kept) continue;
      const k = t.join(',');
      if (!seen.has(k) && seen.size < maxStates) {
        seen.add(k);
        queue.push(t);
      }
    }
  }
  return { states, declaredSteps: decl.filter((d) => d !== null).length, problems };
}

type Outside = (bytes: Set<number>, allowed: ReadonlySet<string>, what: string) => void;

function checkStep(
  st: Step,
  d: { reads: Set<string>; writes: Set<string>; fails: Set<string> },
  r: Set<number>,
  w: Set<number>,
  before: Uint8Array,
  /** null: the step dropped the transition. */
  after: Uint8Array | null,
  ctx: RecordingCtx,
  outside: Outside,
  note: (m: string) => void,
  byName: ReadonlyMap<string, { offset: number }>,
): void {
  outside(r, d.reads, `step ${st.id} reads`);
  outside(w, d.writes, `step ${st.id} writes`);
  for (const id of ctx.ids) if (!d.fails.has(id)) note(`step ${st.id} raises ${id}, not declared`);
  const at = st.access!.at;
  if (at) {
    const off = byName.get(at.field)!.offset;
    if (before[off] !== at.value) note(`step ${st.id} is enabled with ${at.field} = ${before[off]}, not ${at.value}`);
    if (after && at.to && !at.to.includes(after[off]!)) note(`step ${st.id} leaves ${at.field} = ${after[off]}, not one of ${at.to.join(', ')}`);
  }
}

/** A transition property's check on the edge reads only what it declares (of both states). */
function transitionReads(model: Model, props: ({ p: Model['properties'][number]; reads: Set<string> } | null)[], before: Uint8Array, i: number, after: Uint8Array, outside: Outside): void {
  for (const x of props) {
    if (!x || x.p.kind !== 'transition') continue;
    if (x.p.relevant && !x.p.relevant(i)) continue;
    const r = new Set<number>();
    x.p.check(recording(before, r, new Set()), i, recording(after, r, new Set()));
    outside(r, x.reads, `property ${x.p.id} reads (step ${model.steps[i]!.id})`);
  }
}
