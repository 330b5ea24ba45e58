/**
 * DVE syntax tree → engine Model.
 *
 * State layout: the globals in declaration order (`x`, `a[0]`, `a[1]`...), then for each process
 * its control state (enum field `P.state`, values = the state names) and its locals (`P.j`...,
 * group = the process name). `byte` is 0..255 (one byte), `int` is -32768..32767 (two bytes,
 * little endian). Constants are folded into the code and take no room.
 *
 * Steps: one per DVE transition in file order (process order, then transition order). Each step
 * has a `guard`/`apply` pair (one small generated function each, used by replay and trace
 * reconstruction), and the model has one generated `expand` that inlines every transition: a
 * switch on the process's state byte, the guard with constant byte offsets, a word copy of the
 * source into the destination, the effects in place on the destination, the new control state,
 * then `emit(i)`. Nothing is interpreted and nothing is allocated per transition.
 * Two rules keep V8 from deoptimising expand in the middle of a search (it does when optimised
 * code reaches an operation that had never run before it was compiled): a right operand of
 * `&&`/`||`/`imply` that cannot fail is evaluated without a branch (`(a & b)` on 0/1), and the
 * model's primeExpand runs every case and transition (guards evaluated, not obeyed) before the
 * search starts, putting the error counts back — the search passes the emit it will use.
 *
 * Semantics: `system async` interleaving. Effects run left to right, each seeing the previous.
 * `&&`, `||`, `imply` short-circuit. Arithmetic is on int32, C division (truncation toward zero).
 * Committed states (DiVinE): while some process is in a committed state, only transitions of
 * processes that are in a committed state are enabled. Accepting states are only recorded.
 *
 * EVALUATION ERRORS. The rule implemented (it reproduces every published BEEM count):
 *   1. `&&`, `||` and `imply` are evaluated lazily (C short-circuit): a right operand that the
 *      left one makes irrelevant is not evaluated, so it cannot fail;
 *   2. a transition whose guard hits an evaluation error — an array index out of bounds, a
 *      division or modulo by zero — is disabled (the guard counts as false);
 *   3. a transition whose effect hits one — the same errors, or an assignment of a value outside
 *      the variable's range (byte 0..255, int -32768..32767) — does not happen: no successor,
 *      not counted (Step.apply returns false; expand does not emit). Nothing wraps.
 *
 * EVIDENCE (all 23 instances of expected.csv, plus peterson.4, phils.5, hanoi.2, loyd.2 of
 * large.csv, explored with `deadlock: false`; diagnostics via CompileOptions.errorCounts):
 *   - With rule 1, no reachable transition of any of these instances ever meets an evaluation
 *     error, in a guard or in an effect; all 23 (states, transitions, BFS levels) triples match
 *     exactly, and so do the large.csv state counts. Rules 2 and 3 are therefore not exercised
 *     by the published counts: 'error-state' (one extra error state as the successor of an
 *     erroneous transition), 'wrap' (assignments modulo 2^8 / 2^16) and 'drop' all give the same,
 *     correct, numbers. 'drop'/'disable' is kept because it never invents states.
 *   - What the counts do decide is rule 1. Under strict evaluation (both operands always
 *     evaluated) the right operand of a guard indexes out of bounds in reachable states of nine
 *     models: bakery.1 (`number[j]`, j = 2), elevator2.1 (`req[t]`, t = -1 or 4), frogs.1
 *     (`a[y-1]`, `a[y+1]` at the ends of the row), lamport.1 (`b[j]`, j = 3), leader_filters.1
 *     (`c[curr-1]`, curr = 0), peterson.1 (`pos[k]`, k = 3), rushhour.1 (`A[...]` off the
 *     board), szymanski.1 (`s[j]`, `a[j]`, `w[j]`, j = 3), telephony.1 (`chan[partner]`,
 *     partner = 2). Strict + "an error disables the guard" gives leader_filters.1 769 states /
 *     1464 transitions / 17 levels (published 4966 / 9387 / 39) and szymanski.1 5891 / 15774 /
 *     39 (published 20264 / 56701 / 72), the other seven unchanged; strict + "an error leads to
 *     an error state" gets all nine wrong (e.g. peterson.1 12499 / 34922, bakery.1 1507 / 3495,
 *     leader_filters.1 770 / 1980). (The hanoi models' comment "we have no lazy evaluation",
 *     hence the 100 sentinels at the bottom of each tower, shows the authors did not rely on it.)
 */
import type { DroppedTransitions, Model, Step, StepAccess, StepCtx } from '../engine/model.js';
import { Layout, type Field } from '../engine/schema.js';
import type { Assign, DveModel, Expr, Pos, ProcessDecl, Transition, VarDecl } from './ast.js';
import { DveError } from './errors.js';

/** How evaluation errors are handled (the default is the rule above; the others are for experiments). */
export interface ErrorSemantics {
  /** `&&`, `||`, `imply` skip their right operand when the left decides (default true). */
  readonly lazy?: boolean;
  /** What an error in a guard does: 'disable' (guard false, default) or 'error-state'. */
  readonly guard?: 'disable' | 'error-state';
  /** What an index / division error in an effect does: 'drop' (default) or 'error-state'. */
  readonly effect?: 'drop' | 'error-state';
  /** What an out-of-range assignment does: 'drop' (default), 'wrap' (modulo the type) or 'error-state'. */
  readonly range?: 'drop' | 'wrap' | 'error-state';
}

export interface CompileOptions {
  readonly semantics?: ErrorSemantics;
  /**
   * Count evaluation errors met by expand (diagnostics): index `4*step + kind` with kind
   * 0 guard index/division error, 1 effect index/division error, 2 out-of-range assignment.
   */
  readonly errorCounts?: Int32Array;
}

const BYTE = { min: 0, max: 255 };
const INT = { min: -32768, max: 32767 };

type ConstSym = { readonly kind: 'const'; readonly name: string; readonly value: number; readonly pos: Pos };
type ConstArraySym = { readonly kind: 'constArray'; readonly name: string; readonly values: readonly number[]; readonly slot: number; readonly pos: Pos };
type VarSym = {
  readonly kind: 'var';
  readonly name: string;
  readonly type: 'byte' | 'int';
  /** undefined for a scalar. */
  readonly size?: number;
  readonly fields: readonly Field[];
  readonly pos: Pos;
};
type Sym = ConstSym | ConstArraySym | VarSym;

interface ProcInfo {
  readonly decl: ProcessDecl;
  readonly index: number;
  readonly stateField: Field;
  readonly states: ReadonlyMap<string, number>;
  readonly locals: ReadonlyMap<string, Sym>;
  readonly committed: ReadonlySet<number>;
  readonly accepting: ReadonlySet<number>;
}

/** A generated expression: statements to run first, then a side-effect-free JS expression. */
interface Code {
  readonly pre: string;
  readonly js: string;
  readonly bool: boolean;
  /** Known constant value. */
  readonly c?: number;
  /** Known value range. */
  readonly min: number;
  readonly max: number;
}

const FULL = { min: -0x80000000, max: 0x7fffffff };

/** Position of the first token of an expression (a binary node's own position is its operator). */
function startOf(e: Expr): Pos {
  return e.kind === 'binary' ? startOf(e.left) : e.pos;
}

function num(v: number): Code {
  return { pre: '', js: v < 0 ? `(${v})` : String(v), bool: false, c: v, min: v, max: v };
}

/** The int32 result of a binary DVE operator on constants; undefined for division by zero. */
function foldBinary(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+': return (a + b) | 0;
    case '-': return (a - b) | 0;
    case '*': return Math.imul(a, b);
    case '/': return b === 0 ? undefined : (a / b) | 0;
    case '%': return b === 0 ? undefined : (a % b) | 0;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '<<': return a << b;
    case '>>': return a >> b;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '&&': return a !== 0 && b !== 0 ? 1 : 0;
    case '||': return a !== 0 || b !== 0 ? 1 : 0;
    case '->': return a === 0 || b !== 0 ? 1 : 0;
  }
  throw new Error(`unknown operator ${op}`);
}

function foldUnary(op: string, a: number): number {
  if (op === '-') return -a | 0;
  if (op === '~') return ~a;
  return a === 0 ? 1 : 0;
}

class Compiler {
  private readonly L = new Layout();
  private readonly globals = new Map<string, Sym>();
  private readonly procs = new Map<string, ProcInfo>();
  private readonly procList: ProcInfo[] = [];
  readonly constArrays: Int32Array[] = [];
  readonly warnings: string[] = [];
  readonly initValues: { field: Field; value: number }[] = [];

  constructor(
    readonly ast: DveModel,
    readonly file: string,
  ) {}

  err(pos: Pos, msg: string): never {
    throw new DveError(this.file, pos, msg);
  }

  // ------------------------------------------------------------ declarations

  declare(): void {
    if (this.ast.system.kind !== 'async') this.err(this.ast.system.pos, "only 'system async;' is supported (synchronous systems are not)");
    for (const d of this.ast.globals) this.declareVar(d, this.globals, undefined, undefined);
    const seen = new Map<string, Pos>();
    this.ast.processes.forEach((p) => {
      const prev = seen.get(p.name);
      if (prev) this.err(p.pos, `duplicate process ${p.name} (first declared at ${prev.line}:${prev.col})`);
      seen.set(p.name, p.pos);
    });
    if (this.ast.processes.length === 0) this.err(this.ast.system.pos, 'the model declares no process');
    this.ast.processes.forEach((p, index) => {
      const states = new Map<string, number>();
      for (const s of p.states) {
        if (states.has(s.name)) this.err(s.pos, `duplicate state ${s.name} in process ${p.name}`);
        states.set(s.name, states.size);
      }
      if (states.size > 256) this.err(p.states[256]!.pos, `process ${p.name} has more than 256 states`);
      const stateOf = (n: { name: string; pos: Pos }, what: string): number => {
        const k = states.get(n.name);
        if (k === undefined) this.err(n.pos, `unknown state ${n.name} in ${what} of process ${p.name}`);
        return k;
      };
      const init = stateOf(p.init, 'the init clause');
      const committed = new Set(p.commit.map((n) => stateOf(n, 'the commit clause')));
      const accepting = new Set(p.accept.map((n) => stateOf(n, 'the accept clause')));
      const stateField = this.L.enum(`${p.name}.state`, p.states.map((s) => s.name), p.name);
      this.initValues.push({ field: stateField, value: init });
      const locals = new Map<string, Sym>();
      for (const d of p.vars) {
        if (states.has(d.name)) this.err(d.pos, `local variable ${d.name} of process ${p.name} has the name of one of its states`);
        this.declareVar(d, locals, p.name, locals);
      }
      const info: ProcInfo = { decl: p, index, stateField, states, locals, committed, accepting };
      this.procs.set(p.name, info);
      this.procList.push(info);
    });
  }

  private declareVar(d: VarDecl, into: Map<string, Sym>, proc: string | undefined, locals: Map<string, Sym> | undefined): void {
    const prev = into.get(d.name);
    if (prev) this.err(d.pos, `duplicate declaration of ${d.name}${proc ? ` in process ${proc}` : ''} (first declared at ${prev.pos.line}:${prev.pos.col})`);
    const range = d.type === 'byte' ? BYTE : INT;
    const cst = (e: Expr, what: string): number => this.constEval(e, locals, what);
    let size: number | undefined;
    if (d.size) {
      size = cst(d.size, `the size of array ${d.name}`);
      if (size <= 0) this.err(startOf(d.size), `array ${d.name} has size ${size}; the size must be at least 1`);
      if (size > 65536) this.err(startOf(d.size), `array ${d.name} has size ${size}, which is too large`);
    }
    if (d.init && size !== undefined) this.err(startOf(d.init), `array ${d.name} needs an initialiser list in braces, e.g. {0, 1}`);
    if (d.initList && size === undefined) this.err(d.initPos ?? d.pos, `${d.name} is not an array; it takes a single initial value, not a list`);
    const values: number[] = [];
    if (size !== undefined) {
      const list = d.initList ?? [];
      // fewer values than elements: the rest are 0, as in C (test/dve/fixtures/features.dve relies on it)
      if (list.length > size) {
        // BEEM's anderson models declare `byte Slot[N] = {1, 0, ..., 0}` with N+1 values: extra zeros
        // change nothing and are accepted (with a warning); any other extra value would be lost
        const lost = list.slice(size).find((e) => cst(e, `the initial value of ${d.name}`) !== 0);
        if (lost) this.err(startOf(lost), `array ${d.name}[${size}] has ${list.length} initial values; the extra non-zero value would be lost`);
        this.warnings.push(`${this.file}:${list[size]!.pos.line}:${list[size]!.pos.col}: array ${d.name}[${size}] has ${list.length} initial values; the extra zeros are ignored`);
      }
      for (let i = 0; i < size; i++) values.push(i < list.length ? cst(list[i]!, `the initial value of ${d.name}[${i}]`) : 0);
      for (let i = size; i < list.length; i++) cst(list[i]!, `the initial value of ${d.name}[${i}]`);
      list.forEach((e, i) => {
        if (i < size && (values[i]! < range.min || values[i]! > range.max)) this.err(startOf(e), `initial value ${values[i]} of ${d.name}[${i}] is outside the ${d.type} range ${range.min}..${range.max}`);
      });
    } else {
      const v = d.init ? cst(d.init, `the initial value of ${d.name}`) : 0;
      if (d.init && (v < range.min || v > range.max)) this.err(startOf(d.init), `initial value ${v} of ${d.name} is outside the ${d.type} range ${range.min}..${range.max}`);
      values.push(v);
    }
    if (d.isConst) {
      if (!d.init && !d.initList) this.err(d.pos, `constant ${d.name} needs a value`);
      if (size === undefined) into.set(d.name, { kind: 'const', name: d.name, value: values[0]!, pos: d.pos });
      else {
        this.constArrays.push(Int32Array.from(values));
        into.set(d.name, { kind: 'constArray', name: d.name, values, slot: this.constArrays.length - 1, pos: d.pos });
      }
      return;
    }
    const fieldName = proc ? `${proc}.${d.name}` : d.name;
    const fields = size === undefined ? [this.L.int(fieldName, range.min, range.max, proc)] : this.L.array(fieldName, size, range.min, range.max, proc);
    fields.forEach((f, i) => this.initValues.push({ field: f, value: values[i]! }));
    into.set(d.name, { kind: 'var', name: d.name, type: d.type, size, fields, pos: d.pos });
  }

  private lookup(name: string, locals: ReadonlyMap<string, Sym> | undefined): Sym | undefined {
    return locals?.get(name) ?? this.globals.get(name);
  }

  /** Value of a constant expression (array sizes, initial values, constants). */
  constEval(e: Expr, locals: ReadonlyMap<string, Sym> | undefined, what: string): number {
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'var': {
        const s = this.lookup(e.name, locals);
        if (!s) this.err(e.pos, `unknown name ${e.name} in ${what}`);
        if (s.kind === 'const') {
          if (e.index) this.err(e.index.pos, `constant ${e.name} is not an array`);
          return s.value;
        }
        if (s.kind === 'constArray') {
          if (!e.index) this.err(e.pos, `array ${e.name} needs an index`);
          const i = this.constEval(e.index, locals, what);
          if (i < 0 || i >= s.values.length) this.err(e.index.pos, `index ${i} is out of bounds for ${e.name}[${s.values.length}]`);
          return s.values[i]!;
        }
        this.err(e.pos, `${what} must be a constant expression, but ${e.name} is a variable`);
      }
      case 'dot':
        this.err(e.pos, `${what} must be a constant expression, but ${e.proc}.${e.name} depends on the state`);
      case 'unary':
        return foldUnary(e.op, this.constEval(e.arg, locals, what));
      case 'binary': {
        const a = this.constEval(e.left, locals, what);
        if (e.op === '&&' && a === 0) return 0;
        if (e.op === '||' && a !== 0) return 1;
        if (e.op === '->' && a === 0) return 1;
        const b = this.constEval(e.right, locals, what);
        const v = foldBinary(e.op, a, b);
        if (v === undefined) this.err(e.pos, `division by zero in ${what}`);
        return v;
      }
    }
  }

  // ------------------------------------------------------------ code generation

  extraBool(name: string): Field {
    return this.L.bool(name);
  }

  layoutDone(): ReturnType<Layout['finish']> {
    return this.L.finish();
  }

  get processes(): readonly ProcInfo[] {
    return this.procList;
  }

  get hasCommit(): boolean {
    return this.procList.some((p) => p.committed.size > 0);
  }

  /** JS boolean expression: some process is in a committed state (reading array `S`). */
  committedTest(S: string): string {
    const parts: string[] = [];
    for (const p of this.procList) for (const k of p.committed) parts.push(`${S}[${p.stateField.offset}] === ${k}`);
    return parts.length > 0 ? `(${parts.join(' || ')})` : 'false';
  }

  /** Resolve a transition's pieces against its process (errors at their positions). */
  resolveTransition(p: ProcInfo, t: Transition): { from: number; to: number } {
    const from = p.states.get(t.from.name);
    if (from === undefined) this.err(t.from.pos, `unknown state ${t.from.name} in process ${p.decl.name}`);
    const to = p.states.get(t.to.name);
    if (to === undefined) this.err(t.to.pos, `unknown state ${t.to.name} in process ${p.decl.name}`);
    return { from, to };
  }

  gen(p: ProcInfo, S: string, onError: (kind: 0 | 1 | 2) => string, sem: Required<ErrorSemantics>, kind: 0 | 1): ExprGen {
    return new ExprGen(this, p, S, onError, sem, kind);
  }

  lookupIn(p: ProcInfo, name: string): Sym | undefined {
    return this.lookup(name, p.locals);
  }

  proc(name: string): ProcInfo | undefined {
    return this.procs.get(name);
  }
}

/** Generates JS for expressions and assignments of one transition. */
class ExprGen {
  constructor(
    private readonly c: Compiler,
    private readonly p: ProcInfo,
    /** Name of the Uint8Array read (and written) by the code. */
    private readonly S: string,
    private readonly onError: (kind: 0 | 1 | 2) => string,
    private readonly sem: Required<ErrorSemantics>,
    /** 0: guard, 1: effect (the error kind for index / division errors). */
    private readonly where: 0 | 1,
    private temps = { n: 0 },
  ) {}

  /** Fields the generated code reads and writes (an array indexed by a non-constant: all of it). */
  readonly reads = new Set<Field>();
  readonly writes = new Set<Field>();

  /** Share the temp counter with another generator of the same transition. */
  withTemps(other: ExprGen): this {
    this.temps = other.temps;
    return this;
  }

  get tempCount(): number {
    return this.temps.n;
  }

  private temp(): string {
    return `t${this.temps.n++}`;
  }

  private fail(): string {
    return this.onError(this.where);
  }

  private readField(f: Field): string {
    this.reads.add(f);
    const S = this.S;
    if (f.width === 1) return `${S}[${f.offset}]`;
    return `((${S}[${f.offset}] | (${S}[${f.offset + 1}] << 8)) << 16 >> 16)`;
  }

  private readAt(sym: VarSym, t: string): string {
    for (const f of sym.fields) this.reads.add(f);
    const S = this.S;
    const base = sym.fields[0]!.offset;
    if (sym.type === 'byte') return `${S}[${base} + ${t}]`;
    return `((${S}[${base} + 2 * ${t}] | (${S}[${base + 1} + 2 * ${t}] << 8)) << 16 >> 16)`;
  }

  toInt(x: Code): string {
    return x.bool ? `(${x.js} ? 1 : 0)` : x.js;
  }

  /** A truth value as the int 0 or 1 (negated when `not`). */
  private bit(x: Code, not: boolean): string {
    if (!x.bool && x.min === 0 && x.max === 1) return not ? `(${x.js} ^ 1)` : x.js;
    return not ? `(${this.toBool(x)} ? 0 : 1)` : `(${this.toBool(x)} ? 1 : 0)`;
  }

  toBool(x: Code): string {
    return x.bool ? x.js : `(${x.js} !== 0)`;
  }

  /** Code for an index into an array of `size` elements: a constant, or a checked temp. */
  private index(e: Expr, size: number): { pre: string; at: number | string } {
    const x = this.expr(e);
    if (x.c !== undefined) {
      if (x.c < 0 || x.c >= size) this.c.err(startOf(e), `index ${x.c} is out of bounds for an array of ${size} (a constant index: always an error)`);
      return { pre: x.pre, at: x.c };
    }
    const t = this.temp();
    const check = x.min >= 0 && x.max < size ? '' : `if (${t} >>> 0 >= ${size}) ${this.fail()}\n`;
    return { pre: `${x.pre}${t} = ${this.toInt(x)};\n${check}`, at: t };
  }

  private varRead(sym: Sym, index: Expr | undefined, pos: Pos, name: string): Code {
    if (sym.kind === 'const') {
      if (index) this.c.err(index.pos, `constant ${name} is not an array`);
      return num(sym.value);
    }
    const size = sym.kind === 'constArray' ? sym.values.length : sym.size;
    if (size === undefined) {
      if (index) this.c.err(index.pos, `${name} is not an array`);
      const f = (sym as VarSym).fields[0]!;
      return { pre: '', js: this.readField(f), bool: false, min: f.min, max: f.max };
    }
    if (!index) this.c.err(pos, `array ${name} needs an index`);
    const ix = this.index(index, size);
    if (sym.kind === 'constArray') {
      if (typeof ix.at === 'number') return { ...num(sym.values[ix.at]!), pre: ix.pre };
      return { pre: ix.pre, js: `K${sym.slot}[${ix.at}]`, bool: false, min: Math.min(...sym.values), max: Math.max(...sym.values) };
    }
    const range = sym.type === 'byte' ? BYTE : INT;
    if (typeof ix.at === 'number') return { pre: ix.pre, js: this.readField(sym.fields[ix.at]!), bool: false, ...range };
    return { pre: ix.pre, js: this.readAt(sym, ix.at), bool: false, ...range };
  }

  expr(e: Expr): Code {
    switch (e.kind) {
      case 'num':
        return num(e.value);
      case 'var': {
        const sym = this.c.lookupIn(this.p, e.name);
        if (!sym) {
          const other = this.c.proc(e.name);
          if (other) this.c.err(e.pos, `${e.name} is a process; write ${e.name}.<state> to test its control state`);
          this.c.err(e.pos, `unknown variable ${e.name}`);
        }
        return this.varRead(sym, e.index, e.pos, e.name);
      }
      case 'dot': {
        const q = this.c.proc(e.proc);
        if (!q) this.c.err(e.pos, `unknown process ${e.proc} (in ${e.proc}.${e.name})`);
        const k = q.states.get(e.name);
        if (k !== undefined) {
          if (e.index) this.c.err(e.index.pos, `${e.proc}.${e.name} is a state, not an array`);
          this.reads.add(q.stateField);
          return { pre: '', js: `(${this.S}[${q.stateField.offset}] === ${k})`, bool: true, min: 0, max: 1 };
        }
        const sym = q.locals.get(e.name);
        if (!sym) this.c.err(e.namePos, `process ${e.proc} has no state or local variable ${e.name}`);
        return this.varRead(sym, e.index, e.pos, `${e.proc}.${e.name}`);
      }
      case 'unary': {
        const a = this.expr(e.arg);
        if (a.c !== undefined) return { ...num(foldUnary(e.op, a.c)), pre: a.pre };
        if (e.op === '!') return { pre: a.pre, js: `!${this.toBool(a)}`, bool: true, min: 0, max: 1 };
        if (e.op === '-') {
          const r = a.min > FULL.min ? { min: -a.max, max: -a.min } : FULL;
          return { pre: a.pre, js: `(-${this.toInt(a)} | 0)`, bool: false, ...r };
        }
        return { pre: a.pre, js: `(~${this.toInt(a)})`, bool: false, ...FULL };
      }
      case 'binary':
        return this.binary(e);
    }
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>): Code {
    const op = e.op;
    const a = this.expr(e.left);
    if (op === '&&' || op === '||' || op === '->') {
      // constant left operand decides (or not) without evaluating the right one
      if (a.c !== undefined && this.sem.lazy) {
        const decided = op === '&&' ? a.c === 0 : op === '||' ? a.c !== 0 : a.c === 0;
        if (decided) return { ...num(op === '&&' ? 0 : 1), pre: a.pre };
        const b = this.expr(e.right);
        return { pre: a.pre + b.pre, js: this.toBool(b), bool: true, min: 0, max: 1 };
      }
      const b = this.expr(e.right);
      if (a.c !== undefined && b.c !== undefined) return { ...num(foldBinary(op, a.c, b.c)!), pre: a.pre + b.pre };
      const A = op === '->' ? `!${this.toBool(a)}` : this.toBool(a);
      const B = this.toBool(b);
      const jsop = op === '&&' ? '&&' : '||';
      // a right operand that cannot fail (no statements: no index or division check) is evaluated
      // whatever the left one says, without a branch: the same value, and code that runs every time
      // (V8 deoptimises optimised code that reaches an operation never run before it was compiled,
      // e.g. the late conjuncts of loyd's `a[0] == 8 and a[1] == 7 and ...`)
      if (b.pre === '') return { pre: a.pre, js: `(${this.bit(a, op === '->')} ${op === '&&' ? '&' : '|'} ${this.bit(b, false)})`, bool: false, min: 0, max: 1 };
      if (!this.sem.lazy) return { pre: a.pre + b.pre, js: `(${A} ${jsop} ${B})`, bool: true, min: 0, max: 1 };
      const t = this.temp();
      const cond = op === '&&' ? t : `!${t}`;
      return {
        pre: `${a.pre}${t} = ${A} ? 1 : 0;\nif (${cond}) {\n${b.pre}${t} = ${B} ? 1 : 0;\n}\n`,
        js: `(${t} === 1)`,
        bool: true,
        min: 0,
        max: 1,
      };
    }
    const b = this.expr(e.right);
    const pre = a.pre + b.pre;
    if (a.c !== undefined && b.c !== undefined) {
      const v = foldBinary(op, a.c, b.c);
      if (v === undefined) return { ...num(0), pre: pre + this.fail() };
      return { ...num(v), pre };
    }
    const A = this.toInt(a);
    const B = this.toInt(b);
    const cmp = (jsop: string): Code => ({ pre, js: `(${A} ${jsop} ${B})`, bool: true, min: 0, max: 1 });
    // a range that may leave int32 may wrap anywhere
    const arith = (js: string, min: number, max: number): Code =>
      min < FULL.min || max > FULL.max ? { pre, js, bool: false, ...FULL } : { pre, js, bool: false, min, max };
    switch (op) {
      case '==': return cmp('===');
      case '!=': return cmp('!==');
      case '<': case '<=': case '>': case '>=': return cmp(op);
      case '+': return arith(`(${A} + ${B} | 0)`, a.min + b.min, a.max + b.max);
      case '-': return arith(`(${A} - ${B} | 0)`, a.min - b.max, a.max - b.min);
      case '*': {
        const ps = [a.min * b.min, a.min * b.max, a.max * b.min, a.max * b.max];
        return arith(`Math.imul(${A}, ${B})`, Math.min(...ps), Math.max(...ps));
      }
      case '/': case '%': {
        let divisor = B;
        let p2 = pre;
        if (b.c === 0) p2 += this.fail();
        else if (b.c === undefined && (b.min <= 0 && b.max >= 0)) {
          const t = this.temp();
          p2 += `${t} = ${B};\nif (${t} === 0) ${this.fail()}\n`;
          divisor = t;
        }
        if (op === '/') {
          const m = Math.max(Math.abs(a.min), Math.abs(a.max));
          return { pre: p2, js: `(${A} / ${divisor} | 0)`, bool: false, min: -m, max: m };
        }
        const m = b.c !== undefined ? Math.abs(b.c) - 1 : Math.max(Math.abs(b.min), Math.abs(b.max));
        return { pre: p2, js: `(${A} % ${divisor} | 0)`, bool: false, min: a.min >= 0 ? 0 : -m, max: a.max <= 0 ? 0 : m };
      }
      case '&':
        if (a.min >= 0 || b.min >= 0) return arith(`(${A} & ${B})`, 0, Math.min(a.min >= 0 ? a.max : FULL.max, b.min >= 0 ? b.max : FULL.max));
        return arith(`(${A} & ${B})`, FULL.min, FULL.max);
      case '|': return arith(`(${A} | ${B})`, FULL.min, FULL.max);
      case '^': return arith(`(${A} ^ ${B})`, FULL.min, FULL.max);
      case '<<': return arith(`(${A} << ${B})`, FULL.min, FULL.max);
      case '>>': return arith(`(${A} >> ${B})`, a.min >= 0 ? 0 : a.min, a.max >= 0 ? a.max : 0);
    }
    throw new Error(`unknown operator ${op}`);
  }

  /** Statements performing one assignment of an effect on `S`. */
  assign(as: Assign): string {
    const name = as.target.name;
    const sym = this.c.lookupIn(this.p, name);
    if (!sym) {
      if (this.c.proc(name)) this.c.err(as.target.pos, `cannot assign to process ${name}`);
      this.c.err(as.target.pos, `unknown variable ${name}`);
    }
    if (sym.kind !== 'var') this.c.err(as.target.pos, `cannot assign to constant ${name}`);
    if (sym.size === undefined && as.target.index) this.c.err(as.target.index.pos, `${name} is not an array`);
    if (sym.size !== undefined && !as.target.index) this.c.err(as.target.pos, `array ${name} needs an index`);
    const value = this.expr(as.value);
    const range = sym.type === 'byte' ? BYTE : INT;
    let pre = '';
    let at: number | string = 0;
    if (as.target.index) {
      const ix = this.index(as.target.index, sym.size!);
      pre += ix.pre;
      at = ix.at;
    }
    pre += value.pre;
    let v = this.toInt(value);
    if (typeof at === 'number') this.writes.add(sym.fields[at]!);
    else for (const f of sym.fields) this.writes.add(f);
    const S = this.S;
    const inRange = value.min >= range.min && value.max <= range.max;
    if (!inRange && this.sem.range !== 'wrap') {
      if (value.c !== undefined) pre += this.onError(2);
      else {
        const t = this.temp();
        pre += `${t} = ${v};\n`;
        pre += sym.type === 'byte' ? `if ((${t} & -256) !== 0) ${this.onError(2)}\n` : `if (${t} < -32768 || ${t} > 32767) ${this.onError(2)}\n`;
        v = t;
      }
    }
    if (sym.type === 'byte') {
      const lhs = typeof at === 'number' ? `${S}[${sym.fields[at]!.offset}]` : `${S}[${sym.fields[0]!.offset} + ${at}]`;
      return `${pre}${lhs} = ${v};\n`;
    }
    // 16-bit little endian
    if (!/^(t\d+|\(?-?\d+\)?)$/.test(v)) {
      const t = this.temp();
      pre += `${t} = ${v};\n`;
      v = t;
    }
    if (typeof at === 'number') {
      const o = sym.fields[at]!.offset;
      return `${pre}${S}[${o}] = ${v};\n${S}[${o + 1}] = ${v} >> 8;\n`;
    }
    const o = sym.fields[0]!.offset;
    return `${pre}${S}[${o} + 2 * ${at}] = ${v};\n${S}[${o + 1} + 2 * ${at}] = ${v} >> 8;\n`;
  }
}

interface StepCode {
  readonly step: number;
  readonly proc: ProcInfo;
  readonly from: number;
  readonly to: number;
  /** Guard statements and JS boolean (reading `S`). */
  readonly guardPre: string;
  readonly guardJs: string;
  /** Effect statements (on `D`). */
  readonly effect: string;
  readonly temps: number;
}

/** Compile a parsed DVE model. `file` is used in error messages and step sources. */
export function compileDve(ast: DveModel, name: string, file: string = ast.file, options: CompileOptions = {}): Model {
  const sem: Required<ErrorSemantics> = { lazy: true, guard: 'disable', effect: 'drop', range: 'drop', ...options.semantics };
  const usesErrorState = sem.guard === 'error-state' || sem.effect === 'error-state' || sem.range === 'error-state';
  const c = new Compiler(ast, file);
  c.declare();
  // the error state (experiments only): a hidden flag field, every other byte zero
  const errorField = usesErrorState ? c.extraBool('$error') : undefined;
  const schema = c.layoutDone();

  const steps: Step[] = [];
  const codes: StepCode[] = [];
  const consts = c.constArrays;
  const kNames = consts.map((_, i) => `K${i}`);
  const hasCommit = c.hasCommit;
  let maxTemps = 0;

  for (const p of c.processes) {
    const seenIds = new Map<string, number>();
    for (const t of p.decl.transitions) {
      const { from, to } = c.resolveTransition(p, t);
      const step = steps.length;
      // expand: `break T<step>` skips the transition; the error state is emitted in place
      const errAction = (kind: 0 | 1 | 2, mode: string): string => {
        // evaluation errors are always counted (on the error path only): reports list dropped transitions
        const count = `E[${4 * step + kind}]++; `;
        if (mode === 'error-state') return `{ ${count}ERRST(D); if (!emit(${step})) @STOP@; break T${step}; }`;
        return `{ ${count}break T${step}; }`;
      };
      const guardMode = (k: 0 | 1 | 2): string => (k === 2 ? sem.range : k === 0 ? sem.guard : sem.effect);
      const g = c.gen(p, 'S', (k) => errAction(k, guardMode(k)), sem, 0);
      const gx = t.guard ? g.expr(t.guard) : undefined;
      const e = c.gen(p, 'D', (k) => errAction(k, guardMode(k)), sem, 1).withTemps(g);
      const effect = t.effects.map((a) => e.assign(a)).join('');
      maxTemps = Math.max(maxTemps, e.tempCount);
      const guardJs = gx ? (gx.c !== undefined ? (gx.c !== 0 ? 'true' : 'false') : g.toBool(gx)) : 'true';
      codes.push({ step, proc: p, from, to, guardPre: gx?.pre ?? '', guardJs, effect, temps: e.tempCount });

      // per-step guard(s) / apply(s): the same code with `return` as the error action
      const ret = (k: 0 | 1 | 2, inGuard: boolean): string => {
        if (guardMode(k) !== 'error-state') return 'return false;';
        return inGuard ? 'return true;' : '{ ERRST(S); return true; }';
      };
      const sg = c.gen(p, 'S', (k) => ret(k, true), sem, 0);
      const sgx = t.guard ? sg.expr(t.guard) : undefined;
      const sOff = p.stateField.offset;
      const commitTest = hasCommit && !p.committed.has(from) ? `if (${c.committedTest('S')}) return false;\n` : '';
      const guardBody =
        (errorField ? `if (S[${errorField.offset}] !== 0) return false;\n` : '') +
        `if (S[${sOff}] !== ${from}) return false;\n${commitTest}` +
        (sgx ? `${sgx.pre}return ${sgx.c !== undefined ? String(sgx.c !== 0) : sg.toBool(sgx)};\n` : 'return true;\n');
      // apply: under the error-state rule a guard error leads to the error state, so re-run the guard's checks
      const sa = c.gen(p, 'S', (k) => ret(k, false), sem, 0);
      const guardCheck = sem.guard === 'error-state' && t.guard ? sa.expr(t.guard).pre : '';
      const se = c.gen(p, 'S', (k) => ret(k, false), sem, 1).withTemps(sa);
      const applyBody = guardCheck + t.effects.map((a) => se.assign(a)).join('') + (from !== to ? `S[${sOff}] = ${to};\n` : '') + 'return true;\n';
      const tempDecl = (n: number): string => (n > 0 ? `let ${Array.from({ length: n }, (_, i) => `t${i} = 0`).join(', ')};\n` : '');
      const factory = (body: string, temps: number): string =>
        `"use strict";\n${errorStateFn(errorField, schema.size)}return function (S) {\n${tempDecl(temps)}${body}};`;
      const guardFn = new Function(...kNames, factory(guardBody, sg.tempCount))(...consts) as (s: Uint8Array) => boolean;
      const applyFn = new Function(...kNames, factory(applyBody, se.tempCount))(...consts) as (s: Uint8Array) => boolean;

      const base = `${p.decl.name}: ${t.from.name} -> ${t.to.name}`;
      const nth = (seenIds.get(base) ?? 0) + 1;
      seenIds.set(base, nth);
      const id = nth === 1 ? base : `${base} #${nth}`;
      steps.push({
        id,
        process: p.decl.name,
        source: { file, func: p.decl.name, line: t.text },
        guard: guardFn,
        apply: (s: Uint8Array, _ctx: StepCtx): boolean => applyFn(s),
        // the error state (experiments) writes every field: no declaration, no reduction
        ...(errorField ? {} : { access: stepAccess(c, p, from, to, [g, e]) }),
      });
    }
  }

  const expandSrc = generateExpand(c, codes, schema.size, schema.words, maxTemps, hasCommit, errorField);
  type Generated = { expand: NonNullable<Model['expand']>; prime: (initial: Uint8Array, emit: (step: number) => boolean) => void };
  const expandFactory = new Function('E', ...kNames, expandSrc) as (...args: unknown[]) => Generated;
  const errorCounts = options.errorCounts ?? new Int32Array(4 * steps.length);
  const generated = expandFactory(errorCounts, ...consts);
  const expand = generated.expand;

  const initial = schema.blank();
  for (const { field, value } of c.initValues) schema.set(initial, field, value);

  const info: Record<string, string | number | boolean> = { format: 'dve', file, transitions: steps.length };
  if (c.warnings.length > 0) info['warnings'] = c.warnings.join('; ');
  const accepting: string[] = [];
  for (const p of c.processes) for (const k of p.accepting) accepting.push(`${p.decl.name}.${p.decl.states[k]!.name}`);
  if (accepting.length > 0) info['accept'] = accepting.join(', ');
  const committed: string[] = [];
  for (const p of c.processes) for (const k of p.committed) committed.push(`${p.decl.name}.${p.decl.states[k]!.name}`);
  if (committed.length > 0) info['commit'] = committed.join(', ');

  const model: Model & { readonly expandSource: string } = {
    name,
    schema,
    processes: c.processes.map((p) => p.decl.name),
    init: () => [initial.slice()],
    steps,
    properties: [],
    droppedTransitions: () => droppedTransitions(steps, errorCounts),
    dropCounts: errorCounts,
    expand,
    primeExpand: (emit) => generated.prime(initial, emit),
    info,
    expandSource: expandSrc,
  };
  return model;
}

/**
 * A transition's accesses, derived from its generated guard and effect: what they read and
 * assign (arrays indexed by a non-constant count whole), its own control state, and the control
 * states of the committed processes its guard tests.
 */
function stepAccess(c: Compiler, p: ProcInfo, from: number, to: number, gens: readonly ExprGen[]): StepAccess {
  const reads = new Set<Field>([p.stateField]);
  const writes = new Set<Field>([p.stateField]);
  for (const g of gens) {
    for (const f of g.reads) reads.add(f);
    for (const f of g.writes) writes.add(f);
  }
  if (c.hasCommit && !p.committed.has(from)) for (const q of c.processes) if (q.committed.size > 0) reads.add(q.stateField);
  return { reads: [...reads].map((f) => f.name), writes: [...writes].map((f) => f.name), at: { field: p.stateField.name, value: from, to: [to] } };
}

function errorStateFn(errorField: Field | undefined, size: number): string {
  if (!errorField) return '';
  return `function ERRST(X) { for (let i = 0; i < ${size}; i++) X[i] = 0; X[${errorField.offset}] = 1; }\n`;
}

/** Above this much generated source per function, processes are split into separate functions (V8 optimises big functions poorly). */
const CHUNK_SOURCE = 24000;

function generateExpand(
  c: Compiler,
  codes: readonly StepCode[],
  size: number,
  words: number,
  maxTemps: number,
  hasCommit: boolean,
  errorField: Field | undefined,
): string {
  let copy: string;
  const byteCopy = `for (let k = 0; k < ${size}; k++) D[k] = S[k];`;
  if (words <= 16) {
    const w = Array.from({ length: words }, (_, k) => `dw[${k}] = sw[${k}];`).join(' ');
    copy = `if (sw !== null && dw !== null) { ${w} } else ${byteCopy}`;
  } else copy = `if (sw !== null && dw !== null) { for (let k = 0; k < ${words}; k++) dw[k] = sw[k]; } else ${byteCopy}`;

  // one block of code per process; `@STOP@` is how a block leaves when emit returns false
  const blocks: string[] = [];
  for (const p of c.processes) {
    const mine = codes.filter((x) => x.proc === p);
    if (mine.length === 0) continue;
    const out: string[] = [];
    const off = p.stateField.offset;
    const byState = new Map<number, StepCode[]>();
    for (const x of mine) {
      const l = byState.get(x.from);
      if (l) l.push(x);
      else byState.set(x.from, [x]);
    }
    out.push(`// process ${p.decl.name}`);
    const single = p.states.size === 1;
    // priming (P, see primeExpand): every case from the first one on, falling through
    if (!single) out.push(`switch (P ? ${[...byState.keys()][0]} : S[${off}]) {`);
    for (const [from, list] of byState) {
      if (!single) out.push(`case ${from}: {`);
      const needCm = hasCommit && !p.committed.has(from);
      if (needCm) out.push('if (P || !cm) {');
      for (const x of list) {
        out.push(`T${x.step}: {`);
        if (x.guardPre) out.push(x.guardPre.trimEnd());
        if (x.guardJs !== 'true') out.push(`if (!${x.guardJs} && !P) break T${x.step};`);
        out.push(copy);
        if (x.effect) out.push(x.effect.trimEnd());
        if (x.from !== x.to) out.push(`D[${off}] = ${x.to};`);
        out.push(`if (!emit(${x.step})) @STOP@;`);
        out.push('}');
      }
      if (needCm) out.push('}');
      if (!single) out.push('if (!P) break; }');
    }
    if (!single) out.push('}');
    blocks.push(out.join('\n'));
  }
  const temps = maxTemps > 0 ? `let ${Array.from({ length: maxTemps }, (_, i) => `t${i} = 0`).join(', ')};` : '';
  const chunks: string[][] = [[]];
  let used = 0;
  for (const b of blocks) {
    if (used > 0 && used + b.length > CHUNK_SOURCE) {
      chunks.push([]);
      used = 0;
    }
    chunks[chunks.length - 1]!.push(b);
    used += b.length;
  }

  const out: string[] = [];
  out.push('"use strict";');
  out.push(errorStateFn(errorField, size));
  const split = chunks.length > 1;
  if (split) {
    chunks.forEach((ch, k) => {
      out.push(`function part${k}(S, D, sw, dw, emit, cm) {`, temps, ch.join('\n').replace(/@STOP@/g, 'return false'), 'return true;', '}');
    });
  }
  out.push('let lastS = null, lastD = null, SW = null, DW = null;');
  // P: priming (the generated prime() below), read by every part
  out.push('let P = false;');
  out.push(primeSource(size, words, errorField !== undefined));
  out.push('return { expand, prime };');
  out.push('function expand(S, D, ctx, emit) {');
  // 32-bit views over the engine's word buffers (created once; byte copy if not word-aligned)
  out.push(`if (S !== lastS) { lastS = S; SW = (S.byteOffset & 3) === 0 && S.length === ${size} ? new Int32Array(S.buffer, S.byteOffset, ${words}) : null; }`);
  out.push(`if (D !== lastD) { lastD = D; DW = (D.byteOffset & 3) === 0 && D.length === ${size} ? new Int32Array(D.buffer, D.byteOffset, ${words}) : null; }`);
  out.push('const sw = SW, dw = DW;');
  if (errorField) out.push(`if (S[${errorField.offset}] !== 0) return;`);
  out.push(`const cm = ${hasCommit ? c.committedTest('S') : 'false'};`);
  if (split) {
    chunks.forEach((_, k) => out.push(`if (!part${k}(S, D, sw, dw, emit, cm)) return;`));
  } else {
    if (temps) out.push(temps);
    out.push(chunks[0]!.join('\n').replace(/@STOP@/g, 'return'));
  }
  out.push('}');
  return out.join('\n');
}

/** How many times prime() runs expand: enough for V8 to give it a feedback vector and fill it. */
const PRIME_RUNS = 24;

/**
 * prime(initial, emit): expand run PRIME_RUNS times on a copy of the initial state with P set —
 * every control-state case, committed or not, every transition whatever its guard (the guard is
 * still evaluated), up to the first evaluation error of a transition — then the error counts put
 * back as they were. Under the error-state rule (experiments) it does nothing.
 */
function primeSource(size: number, words: number, errorState: boolean): string {
  if (errorState) return 'function prime(initial, emit) {}';
  return [
    'function prime(initial, emit) {',
    `const s = new Uint8Array(${words * 4}).subarray(0, ${size}), d = new Uint8Array(${words * 4}).subarray(0, ${size});`,
    'const e = E.slice();',
    'P = true;',
    'try {',
    `for (let r = 0; r < ${PRIME_RUNS}; r++) { s.set(initial); expand(s, d, null, emit); }`,
    '} finally { P = false; E.set(e); lastS = lastD = SW = DW = null; }',
    '}',
  ].join('\n');
}

const ERROR_KINDS = ['guard', 'effect', 'range'] as const;

/** The non-zero error counts of expand (index 4 * step + kind), by step. */
function droppedTransitions(steps: readonly Step[], counts: Int32Array): DroppedTransitions[] {
  const out: DroppedTransitions[] = [];
  steps.forEach((st, i) => {
    ERROR_KINDS.forEach((kind, k) => {
      const count = counts[4 * i + k] ?? 0;
      if (count > 0) out.push({ step: st.id, source: st.source, kind, count });
    });
  });
  return out;
}
