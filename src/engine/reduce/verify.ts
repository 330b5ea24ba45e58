/**
 * Checks a model's access declarations (Step.access, Property.reads) against what its code does:
 * on every state of a breadth-first search (up to a bound), each step's guard and effect run on a
 * recording view of the state, and every byte they read or write must belong to a declared field
 * (the step's label, its next labels and its assertions too); so must every byte an invariant or
 * a transition property reads. Partial-order reduction trusts the declarations; this is how
 * tests (and `check --verify-accesses`) make sure they are not wrong on the states explored.
 *
 * Process fields (Model.processFields): a step of process q must change a field only as to
 * whether it designates q (checked on every edge). A declared read of `F@P` alone (whether F
 * designates P) is checked by perturbation: the step's guard and effect, and the invariants that
 * declare it, must give the same results when F is changed in ways that keep whether it
 * designates P.
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

/** `F@P` names the field F (only whether it designates process P). */
function fieldName(model: Model, name: string): string {
  const at = name.lastIndexOf('@');
  if (at < 0 || !model.processFields?.[name.slice(0, at)]) return name;
  return name.slice(0, at);
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
  const fname = (nm: string): string => fieldName(model, nm);
  const decl = steps.map((st) => (st.access ? { reads: new Set([...st.access.reads, ...(st.access.at ? [st.access.at.field] : [])].map(fname)), writes: new Set(st.access.writes.map(fname)), fails: new Set(st.access.fails ?? []) } : null));
  const props = model.properties.map((p) =>
    p.reads
      ? { p, reads: new Set([...p.reads.fields, ...Object.keys(p.reads.values ?? {}), ...(p.reads.guarded ?? []).flatMap((g) => [g.pc, ...g.fields]), ...(p.reads.components ?? []).flatMap((c) => [...c.owners, ...c.reads])].map(fname)) }
      : null,
  );
  const pf = processFieldChecks(model);
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
    pf.properties(s, note);
    conjunctions(model, s, note);
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
      if (d) pf.step(i, s, kept ? t : null, note);
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

/**
 * An invariant with components (PropertyReads.components) is their conjunction: where it holds,
 * each holds (the reduction takes a source state's components from its invariants' verdicts:
 * SourceMemo), and, when it declares nothing else it reads, where each holds, it holds.
 */
function conjunctions(model: Model, s: Uint8Array, note: (m: string) => void): void {
  for (const p of model.properties) {
    const comps = p.kind === 'always' ? p.reads?.components : undefined;
    if (!comps || comps.length === 0 || p.kind !== 'always') continue;
    const all = comps.every((c) => c.holds(s));
    const only = p.reads!.fields.length === 0 && Object.keys(p.reads!.values ?? {}).length === 0 && (p.reads!.guarded ?? []).length === 0;
    const holds = p.check(s);
    if (holds && !all) note(`property ${p.id} holds in a state where one of its components does not: it is not their conjunction`);
    if (!holds && all && only) note(`property ${p.id} fails in a state where each of its components holds: it is not their conjunction`);
  }
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
    const allowed = x.p.stepReads ? new Set(x.p.stepReads(i).map((nm) => fieldName(model, nm))) : x.reads;
    outside(r, allowed, `property ${x.p.id} reads (step ${model.steps[i]!.id})`);
  }
}

/**
 * The checks of Model.processFields: per edge, a step of process q changes such a field only as
 * to whether it designates q; a step (or an invariant) that declares only `F@P` of a field gives
 * the same results on the state with F changed but not as to P.
 */
function processFieldChecks(model: Model): {
  step(i: number, before: Uint8Array, after: Uint8Array | null, note: (m: string) => void): void;
  properties(s: Uint8Array, note: (m: string) => void): void;
} {
  const pf = Object.entries(model.processFields ?? {}).map(([name, kind]) => ({ name, kind, offset: model.schema.byName.get(name)!.offset }));
  const nproc = model.processes.length;
  const designates = (kind: string, v: number, p: number): boolean => (kind === 'proc' ? v === p + 1 : (v & (1 << p)) !== 0);
  /** Values of the field that agree with v as to process p (other than v). */
  const variants = (kind: string, v: number, p: number): number[] => {
    const out: number[] = [];
    if (kind === 'proc') {
      if (designates(kind, v, p)) return out;
      for (let u = 0; u <= nproc; u++) if (u !== v && u !== p + 1) out.push(u);
    } else {
      for (let b = 0; b < Math.min(nproc, 8); b++) if (b !== p) out.push((v ^ (1 << b)) & 0xff);
    }
    return out;
  };
  /** Per step (and per invariant): the process-field parts it reads without the whole field. */
  const partsOnly = (names: readonly string[]): { offset: number; kind: string; proc: number }[] => {
    const whole = new Set(names);
    const out: { offset: number; kind: string; proc: number }[] = [];
    for (const f of pf) {
      if (whole.has(f.name)) continue;
      model.processes.forEach((pn, p) => {
        if (whole.has(`${f.name}@${pn}`)) out.push({ offset: f.offset, kind: f.kind, proc: p });
      });
    }
    return out;
  };
  const stepParts = model.steps.map((st) => (st.access ? partsOnly(st.access.reads) : []));
  const procOf = model.steps.map((st) => model.processes.indexOf(st.process));
  // per invariant (and cover): the property as a whole with the parts its `fields` name, and
  // each component with the parts it names
  const propChecks = model.properties.flatMap((p) => {
    if (!p.reads || (p.kind !== 'always' && p.kind !== 'sometimes')) return [];
    const whole = { id: p.id, holds: (s: Uint8Array) => p.check(s), parts: partsOnly(p.reads.fields) };
    const comps = (p.reads.components ?? []).map((c) => ({ id: p.id, holds: (s: Uint8Array) => c.holds(s), parts: partsOnly(c.reads) }));
    return [whole, ...comps].filter((x) => x.parts.length > 0);
  });
  const ctx = new RecordingCtx();
  const outcome = (i: number, s: Uint8Array): string => {
    const st = model.steps[i]!;
    if (!st.guard(s)) return 'disabled';
    const t = s.slice();
    ctx.reset();
    const kept = st.apply(t, ctx) !== false;
    return `${kept ? t.join(',') : 'dropped'}|${ctx.ids.join(',')}`;
  };
  return {
    step(i, before, after, note) {
      const st = model.steps[i]!;
      const q = procOf[i]!;
      if (after) {
        for (const f of pf) {
          for (let p = 0; p < nproc; p++) {
            if (p === q) continue;
            if (designates(f.kind, before[f.offset]!, p) !== designates(f.kind, after[f.offset]!, p)) note(`step ${st.id} (process ${st.process}) changes whether ${f.name} designates ${model.processes[p]}`);
          }
        }
      }
      const parts = stepParts[i]!;
      if (parts.length === 0) return;
      const base = outcome(i, before);
      for (const x of parts) {
        for (const v of variants(x.kind, before[x.offset]!, x.proc)) {
          const s2 = before.slice();
          s2[x.offset] = v;
          const o = outcome(i, s2);
          // the successors differ in the perturbed byte when the step leaves it alone: compare the rest
          if (stripByte(o, x.offset) !== stripByte(base, x.offset)) {
            note(`step ${st.id} reads more of field ${pf.find((f) => f.offset === x.offset)!.name} than whether it designates ${model.processes[x.proc]}`);
            return;
          }
        }
      }
    },
    properties(s, note) {
      for (const c of propChecks) {
        const base = c.holds(s);
        for (const x of c.parts) {
          for (const v of variants(x.kind, s[x.offset]!, x.proc)) {
            const s2 = s.slice();
            s2[x.offset] = v;
            if (c.holds(s2) !== base) {
              note(`property ${c.id} reads more of field ${pf.find((f) => f.offset === x.offset)!.name} than whether it designates ${model.processes[x.proc]}`);
              break;
            }
          }
        }
      }
    },
  };
}

/** An outcome string (successor bytes joined by commas, then assertions) without byte `offset`. */
function stripByte(o: string, offset: number): string {
  const bar = o.indexOf('|');
  const head = o.slice(0, bar);
  if (head === 'disabled' || head === 'dropped' || bar < 0) return o;
  const bytes = head.split(',');
  bytes[offset] = '*';
  return `${bytes.join(',')}${o.slice(bar)}`;
}
