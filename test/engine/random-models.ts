/**
 * Random small models for property-based tests (explore.property.test.ts, por.property.test.ts):
 * a few fields with small domains, 1-4 processes with program counters, random guards / effects /
 * drops / assertion failures from a small expression vocabulary, as plain data (Spec), its
 * fast-check arbitrary, and its compilation to an engine Model (optionally with declared accesses).
 */
import fc from 'fast-check';
import type { Model, Property, Step, StepAccess } from '../../src/engine/model.js';
import { Layout, type Field } from '../../src/engine/schema.js';

// ---------------------------------------------------------------------------------------------
// Model specs (plain data)

export interface Domain {
  readonly min: number;
  readonly size: number;
}
export type Cond =
  | { readonly k: 'true' }
  | { readonly k: 'cmp'; readonly f: number; readonly op: '==' | '!=' | '<' | '>='; readonly c: number }
  | { readonly k: 'and' | 'or'; readonly a: Cond; readonly b: Cond }
  | { readonly k: 'not'; readonly a: Cond };
/** Value assigned to a data field, wrapped into its domain. */
export type Expr = { readonly k: 'const'; readonly c: number } | { readonly k: 'field'; readonly f: number; readonly d: number };
export interface Assign {
  readonly f: number;
  readonly e: Expr;
}
export interface StepSpec {
  readonly proc: number;
  readonly from: number;
  readonly to: number;
  readonly guard: Cond;
  readonly effect: readonly Assign[];
  readonly drop: Cond | null;
  readonly fail: { readonly cond: Cond; readonly prop: 'a0' | 'a1' } | null;
}
export interface Spec {
  /** Data fields, then one pc field per process (domain 0..pcs-1); conditions may read all. */
  readonly data: readonly Domain[];
  readonly pcs: readonly number[];
  readonly steps: readonly StepSpec[];
  /** Initial data values (pcs start at 0). */
  readonly inits: readonly (readonly number[])[];
  readonly always: Cond | null;
  readonly terminal: Cond | null;
  readonly validEnd: Cond | null;
  readonly sometimes: readonly Cond[];
  /** Steps with index parity `parity` must not decrease data field `f`. */
  readonly transition: { readonly f: number; readonly parity: number } | null;
}

export const domainOf = (spec: Pick<Spec, 'data' | 'pcs'>, f: number): Domain => (f < spec.data.length ? spec.data[f]! : { min: 0, size: spec.pcs[f - spec.data.length]! });
export const wrap = (d: Domain, v: number): number => d.min + ((((v - d.min) % d.size) + d.size) % d.size);

// ---------------------------------------------------------------------------------------------
// Arbitraries: raw integers normalised against the spec being built (so shrinking stays simple)

const arbDomain: fc.Arbitrary<Domain> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ min: fc.constant(0), size: fc.integer({ min: 2, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ min: fc.integer({ min: -3, max: -1 }), size: fc.integer({ min: 2, max: 4 }) }) }, // signed byte
  { weight: 1, arbitrary: fc.record({ min: fc.constantFrom(-300, 1000, 32764), size: fc.integer({ min: 2, max: 3 }) }) }, // 16-bit
  { weight: 1, arbitrary: fc.record({ min: fc.constant(253), size: fc.integer({ min: 2, max: 3 }) }) }, // top of a byte
);

type RawCond = { k: 'true' } | { k: 'cmp'; f: number; op: number; c: number } | { k: 'and' | 'or'; a: RawCond; b: RawCond } | { k: 'not'; a: RawCond };

const { cond: arbRawCond } = fc.letrec<{ cond: RawCond }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant({ k: 'true' as const }) },
    { weight: 5, arbitrary: fc.record({ k: fc.constant('cmp' as const), f: fc.nat(20), op: fc.nat(3), c: fc.integer({ min: -1, max: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('and' as const, 'or' as const), a: tie('cond'), b: tie('cond') }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('not' as const), a: tie('cond') }) },
  ),
}));

// guards are often true so that state spaces are not all trivially small
const arbGuard: fc.Arbitrary<RawCond> = fc.oneof({ weight: 3, arbitrary: fc.constant({ k: 'true' as const }) }, { weight: 2, arbitrary: arbRawCond });

const arbRawStep = fc.record({
  proc: fc.nat(10),
  from: fc.nat(10),
  to: fc.nat(10),
  guard: arbGuard,
  // k: constant or field + d; `c` is the constant, or d + 2 (so mostly d in -1..1: counters)
  effect: fc.array(fc.record({ f: fc.nat(10), k: fc.nat(3).map((v) => v === 0), g: fc.nat(20), c: fc.integer({ min: 0, max: 4 }) }), { minLength: 1, maxLength: 2 }),
  drop: fc.option(arbRawCond, { freq: 5 }),
  fail: fc.option(fc.record({ cond: arbRawCond, prop: fc.constantFrom('a0' as const, 'a1' as const) }), { freq: 3 }),
});

export const arbSpec: fc.Arbitrary<Spec> = fc
  .record({
    data: fc.array(arbDomain, { minLength: 1, maxLength: 4 }),
    pcs: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    steps: fc.array(arbRawStep, { minLength: 3, maxLength: 14 }),
    inits: fc.array(fc.array(fc.nat(10), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    always: fc.option(arbRawCond, { freq: 2 }),
    terminal: fc.option(arbRawCond, { freq: 2 }),
    validEnd: fc.option(arbRawCond, { freq: 2 }),
    sometimes: fc.array(arbRawCond, { maxLength: 2 }),
    transition: fc.option(fc.record({ f: fc.nat(10), parity: fc.nat(1) }), { freq: 2 }),
  })
  .map((raw): Spec => {
    const nd = raw.data.length;
    const nAll = nd + raw.pcs.length;
    const base = { data: raw.data, pcs: raw.pcs };
    const cond = (c: RawCond): Cond => {
      switch (c.k) {
        case 'true':
          return c;
        case 'cmp': {
          const f = c.f % nAll;
          const d = domainOf(base, f);
          // constants around the domain, one past each end included
          return { k: 'cmp', f, op: (['==', '!=', '<', '>='] as const)[c.op]!, c: d.min + (c.c % (d.size + 1)) };
        }
        case 'not':
          return { k: 'not', a: cond(c.a) };
        default:
          return { k: c.k, a: cond(c.a), b: cond(c.b) };
      }
    };
    return {
      ...base,
      steps: raw.steps.map((s) => {
        const proc = s.proc % raw.pcs.length;
        const n = raw.pcs[proc]!;
        return {
          proc,
          from: s.from % n,
          to: s.to % n,
          guard: cond(s.guard),
          effect: s.effect.map((a) => ({ f: a.f % nd, e: a.k ? { k: 'const' as const, c: a.c } : { k: 'field' as const, f: a.g % nAll, d: a.c - 2 } })),
          drop: s.drop === null ? null : cond(s.drop),
          fail: s.fail === null ? null : { cond: cond(s.fail.cond), prop: s.fail.prop },
        };
      }),
      inits: raw.inits.map((v) => raw.data.map((d, i) => wrap(d, d.min + v[i]!))),
      always: raw.always && cond(raw.always),
      terminal: raw.terminal && cond(raw.terminal),
      validEnd: raw.validEnd && cond(raw.validEnd),
      sometimes: raw.sometimes.map(cond),
      transition: raw.transition && { f: raw.transition.f % nd, parity: raw.transition.parity },
    };
  });

// ---------------------------------------------------------------------------------------------
// Engine side: compile the spec to a Model over packed bytes

export const stepId = (spec: Spec, i: number): string => `p${spec.steps[i]!.proc}.s${i}`;

export function buildModel(spec: Spec, declare?: Declare): Model {
  const L = new Layout();
  const fields: Field[] = spec.data.map((d, i) => L.int(`v${i}`, d.min, d.min + d.size - 1));
  spec.pcs.forEach((n, p) => fields.push(L.enum(`p${p}.pc`, Array.from({ length: n }, (_, k) => `l${k}`), `p${p}`)));
  const schema = L.finish();
  const get = (s: Uint8Array, f: number): number => schema.get(s, fields[f]!);

  const compile = (c: Cond): ((s: Uint8Array) => boolean) => {
    switch (c.k) {
      case 'true':
        return () => true;
      case 'cmp': {
        const f = c.f;
        const k = c.c;
        if (c.op === '==') return (s) => get(s, f) === k;
        if (c.op === '!=') return (s) => get(s, f) !== k;
        if (c.op === '<') return (s) => get(s, f) < k;
        return (s) => get(s, f) >= k;
      }
      case 'and': {
        const a = compile(c.a);
        const b = compile(c.b);
        return (s) => a(s) && b(s);
      }
      case 'or': {
        const a = compile(c.a);
        const b = compile(c.b);
        return (s) => a(s) || b(s);
      }
      case 'not': {
        const a = compile(c.a);
        return (s) => !a(s);
      }
    }
  };
  const assign = (a: Assign): ((s: Uint8Array) => void) => {
    const f = fields[a.f]!;
    const lo = f.min;
    const size = f.max - f.min + 1;
    const put = (s: Uint8Array, v: number): void => schema.set(s, f, lo + ((((v - lo) % size) + size) % size));
    if (a.e.k === 'const') {
      const c = a.e.c;
      return (s) => put(s, c);
    }
    const g = fields[a.e.f]!;
    const d = a.e.d;
    return (s) => put(s, schema.get(s, g) + d);
  };

  const steps: Step[] = spec.steps.map((st, i) => {
    const pc = fields[spec.data.length + st.proc]!;
    const guard = compile(st.guard);
    const effects = st.effect.map(assign);
    const drop = st.drop ? compile(st.drop) : null;
    const fail = st.fail ? { cond: compile(st.fail.cond), prop: st.fail.prop } : null;
    return {
      id: stepId(spec, i),
      process: `p${st.proc}`,
      source: { file: 'random', func: `p${st.proc}`, line: `step ${i}` },
      ...(declare ? { access: stepAccess(spec, i, fields, declare) } : {}),
      guard: (s) => s[pc.offset] === st.from && guard(s),
      apply: (s, ctx) => {
        if (fail && fail.cond(s)) ctx.fail(fail.prop, `step ${i}`);
        if (drop && drop(s)) return false;
        for (const e of effects) e(s);
        s[pc.offset] = st.to;
        return true;
      },
    };
  });

  const properties: Property[] = [{ kind: 'assert', id: 'a0', description: 'assertion a0' }];
  if (spec.always) properties.push({ kind: 'always', id: 'always', description: 'random invariant', check: compile(spec.always), ...(declare ? { reads: { fields: condFields(spec.always).map((f) => fields[f]!.name) } } : {}) });
  if (spec.terminal) properties.push({ kind: 'terminal', id: 'terminal', description: 'random end condition', check: compile(spec.terminal) });
  spec.sometimes.forEach((c, i) => properties.push({ kind: 'sometimes', id: `sometimes${i}`, description: `cover ${i}`, check: compile(c) }));
  if (spec.transition) {
    const { f, parity } = spec.transition;
    properties.push({
      kind: 'transition',
      id: 'transition',
      description: 'monotone field',
      check: (b, step, a) => step % 2 !== parity || get(a, f) >= get(b, f),
      ...(declare ? { reads: { fields: [fields[f]!.name] } } : {}),
    });
  }
  const validEnd = spec.validEnd ? compile(spec.validEnd) : undefined;
  return {
    name: 'random',
    schema,
    processes: spec.pcs.map((_, p) => `p${p}`),
    init: () =>
      spec.inits.map((vals) => {
        const s = schema.blank();
        vals.forEach((v, i) => schema.set(s, fields[i]!, v));
        return s;
      }),
    steps,
    properties,
    validEnd,
  };
}

// ---------------------------------------------------------------------------------------------
// Access declarations (partial-order reduction): exact, plus random extra fields

/** How to declare accesses: `extra(i)` lists field indices added to step i's reads and writes (over-approximation). */
export interface Declare {
  readonly extra: (i: number) => readonly number[];
}

export function condFields(c: Cond): number[] {
  switch (c.k) {
    case 'true':
      return [];
    case 'cmp':
      return [c.f];
    case 'not':
      return condFields(c.a);
    default:
      return [...condFields(c.a), ...condFields(c.b)];
  }
}

function stepAccess(spec: Spec, i: number, fields: readonly Field[], declare: Declare): StepAccess {
  const st = spec.steps[i]!;
  const pc = spec.data.length + st.proc;
  const extra = declare.extra(i).map((f) => f % fields.length);
  const reads = [pc, ...condFields(st.guard), ...(st.drop ? condFields(st.drop) : []), ...(st.fail ? condFields(st.fail.cond) : []), ...st.effect.flatMap((a) => (a.e.k === 'field' ? [a.e.f] : [])), ...extra];
  const writes = [pc, ...st.effect.map((a) => a.f), ...extra];
  const names = (fs: number[]): string[] => [...new Set(fs)].map((f) => fields[f]!.name);
  return { reads: names(reads), writes: names(writes), fails: st.fail ? [st.fail.prop] : [], at: { field: fields[pc]!.name, value: st.from, to: [st.to] } };
}
