/**
 * A kernel system under construction: processes (task threads and interrupt handlers) with a
 * program counter each, placed on host CPUs, and guarded atomic steps written against code
 * labels. `finish()` turns it into an engine Model with the kernel checks attached.
 *
 * Execution contexts follow kernel-semantics.md:
 * - a task process runs on a fixed CPU; while an interrupt handler is active on that CPU the task
 *   cannot take a step (the handler runs whole between two of the task's steps);
 * - an interrupt handler starts on a CPU only when interrupts are enabled there; on another CPU it
 *   interleaves step by step with everything else;
 * - interrupts are disabled on a CPU while a task there holds an `_irqsave`/`_irq` lock (non-RT)
 *   or is inside local_irq_save (irq.ts), and a task holding a spinning lock (non-RT) runs with
 *   preemption disabled (atomic context);
 * - a step may be marked as the return of an entry (`returns`: an ioctl, a hypercall, an hrtimer
 *   callback, a refresh); it must leave its process holding no lock, interrupts as found.
 *
 * Example (`mutex` is the factory exported by kernel/index.ts):
 *   const sys = new System({ preemptRt: false });
 *   const t = sys.task('thread', 0);
 *   const m = mutex(sys, 'm');
 *   m.lock(t, 'f.lock', 'f.unlock', src('f.c', 'f', 'mutex_lock(&m);'));
 *   m.unlock(t, 'f.unlock', 'idle', src('f.c', 'f', 'mutex_unlock(&m);'));
 *   t.step({ at: 'idle', next: 'f.lock', src: src('main.c', 'main', 'f();'), guard: (s) => m.holders(s) === 'nobody' });
 *   const model = sys.finish({ name: 'demo' });
 */
import { Layout, type Field, type Schema } from '../engine/schema.js';
import type { Model, Property, SourceRef, Step, StepAccess, StepCtx, Symmetry } from '../engine/model.js';
import { fieldSymmetry, permutations, renameIn, renameMembers, type FieldImage } from '../engine/symmetry.js';
import { KernelChecks } from './checks.js';
import { compileExpander, compileGuardScan } from './successors.js';

export type Context = 'task' | 'hardirq';

/** Why a step may block (for the sleeping-in-atomic check). */
export type BlockKind = 'mutex' | 'sleeping-lock' | 'hrtimer_cancel' | 'sleep';

export interface StepSpec {
  /** Code label the step starts at (created on first use). */
  at: string;
  /** Default label to continue at. */
  next?: string;
  src: SourceRef;
  /** Step id; default `<process>:<at>`. */
  id?: string;
  /** Extra enabling condition besides "pc is at `at`". Must not modify s. */
  guard?: (s: Uint8Array) => boolean;
  /** Effect; may return a label index (from `proc.label()`) to branch, otherwise `next` is taken. */
  run?: (s: Uint8Array, ctx: StepCtx) => number | void;
  /** The step may block (even if it does not in this interleaving). */
  mayBlock?: BlockKind;
  /** What the process waits for when the step is not enabled (deadlock report). */
  waitsFor?: (s: Uint8Array) => string;
  /** Lock classes acquired (for the lock-order graph). */
  acquires?: readonly string[];
  /**
   * The step returns from an entry — an ioctl, a hypercall, an hrtimer callback, a refresh — named
   * here (e.g. `kvm_vcpu_ioctl`): after it the process must hold no lock and, for a task, have
   * interrupts enabled again (`kernel.lock-held-on-return`, checked on this step only). Every
   * lock the process holds counts, so mark returns to code that holds none (user space, the
   * interrupted context): the entries a process starts from its idle label.
   */
  returns?: string;
  /**
   * The fields `guard` and `run` read and write (partial-order reduction; the pc and what the
   * context rules read are added). Required for a step with a guard or run to be declared: without
   * it the step counts as touching every field.
   */
  access?: Access;
}

/** Fields a piece of step code reads and writes, and the assertions it may raise (see Step.access). */
export interface Access {
  readonly reads?: readonly Field[];
  /**
   * Lock words read only as "does the stepping process hold it?" (`F@P`, Model.processFields):
   * independent of the other processes' lock and unlock steps.
   */
  readonly own?: readonly Field[];
  readonly writes?: readonly Field[];
  readonly fails?: readonly string[];
  /** Also reads what `System.irqsOff(s, cpu)` reads for this CPU (resolved when the system is finished: handlers may come later). */
  readonly irqsOff?: number;
}

/**
 * The accesses of library step code (`own`) extended by a caller's hook (a guard or run passed
 * in) and the hook's declaration: undefined (undeclared) when there is a hook without one.
 */
export function withHook(own: Access, hook: unknown, hookAccess: Access | undefined): Access | undefined {
  if (hook === undefined) return own;
  if (hookAccess === undefined) return undefined;
  return {
    reads: [...(own.reads ?? []), ...(hookAccess.reads ?? [])],
    own: [...(own.own ?? []), ...(hookAccess.own ?? [])],
    writes: [...(own.writes ?? []), ...(hookAccess.writes ?? [])],
    fails: [...(own.fails ?? []), ...(hookAccess.fails ?? [])],
    irqsOff: own.irqsOff ?? hookAccess.irqsOff,
  };
}

/** The `returns` marking alone, for step builders that take options (locks, irq save/restore). */
export type ReturnOpt = Pick<StepSpec, 'returns'>;

export class Proc {
  readonly index: number;
  readonly pc: Field;
  private readonly pcEnum: { field: Field; add(value: string): number; close(): void };
  /** Interrupt-disable nesting count of this task (irqsave/irq locks held, local_irq_save). */
  readonly irqoff: Field | null;
  /** For interrupt handlers: the CPU it is running on (set when it starts). */
  readonly cpuField: Field | null;
  /** For interrupt handlers: the CPUs it may be started on (null: any; see System.handlerMayRunOn). */
  cpus: Set<number> | null = null;
  readonly idle: number;

  constructor(
    readonly sys: System,
    readonly name: string,
    readonly context: Context,
    /** Fixed CPU of a task; for a handler, its default CPU. */
    readonly cpu: number,
    idleLabel: string,
  ) {
    this.index = sys.procs.length;
    this.pcEnum = sys.layout.openEnum(`${name}.pc`, name);
    this.pc = this.pcEnum.field;
    this.idle = this.pcEnum.add(idleLabel);
    this.irqoff = context === 'task' ? sys.layout.int(`${name}.irqs_off`, 0, 3, name) : null;
    this.cpuField = context === 'hardirq' ? sys.layout.int(`${name}.cpu`, 0, 7, name) : null;
    if (this.cpuField) sys.fieldHolds(this.cpuField, 'cpu');
  }

  /** The numeric value of a label (created on first use). */
  label(name: string): number {
    return this.pcEnum.add(name);
  }

  labelName(v: number): string {
    return this.pc.values![v] ?? String(v);
  }

  at(s: Uint8Array, label: number): boolean {
    return s[this.pc.offset] === label;
  }

  isIdle(s: Uint8Array): boolean {
    return s[this.pc.offset] === this.idle;
  }

  /** The CPU the process is on in state s. */
  cpuOf(s: Uint8Array): number {
    return this.cpuField ? s[this.cpuField.offset]! : this.cpu;
  }

  /** 1-based owner id stored in lock fields. */
  get ownerId(): number {
    return this.index + 1;
  }

  step(spec: StepSpec): Step {
    return this.sys.addStep(this, spec);
  }

  /** @internal */
  closePc(): void {
    this.pcEnum.close();
  }
}

export interface SystemOptions {
  preemptRt: boolean;
}

export interface FinishOptions {
  name: string;
  /** Set initial field values on a zeroed state (every pc starts at its idle label). */
  init?: (s: Uint8Array) => void;
  /** Valid end states; default: every process at its idle label. */
  validEnd?: (s: Uint8Array) => boolean;
  properties?: Property[];
  info?: Model['info'];
  /**
   * Interchangeable groups of processes (symmetry reduction): members[i] lists the processes of
   * member i (e.g. a vCPU thread and its timer callback), in the same roles for every member, and
   * cpus[i] the CPUs that belong to member i, in the same roles. Fields are matched by renaming the
   * first process name of each member (`vcpu0.x` <-> `vcpu1.x`); fields holding a process, a set
   * of processes or a CPU (locks, interrupt placement) have their values mapped too. The group is
   * every permutation of the members. The builder must make the members' code identical up to
   * this renaming — the explorer's exact unreduced counts (tests) check it.
   */
  symmetric?: {
    readonly members: readonly (readonly Proc[])[];
    readonly cpus: readonly (readonly number[])[];
    /** Every property is invariant too (see Symmetry.invariantProperties); the kernel checks are. */
    readonly invariantProperties?: boolean;
  };
}

/** What a field's value denotes, for mapping it under a symmetry. */
export type FieldMeaning = 'proc' | 'proc-mask' | 'cpu';

interface StepMeta {
  proc: Proc;
  at: number;
  /** Declared accesses of the step's own code (undefined: undeclared). */
  access: Access | undefined;
  /** The step returns from an entry (StepSpec.returns): it also runs the lock-held-on-return check. */
  returns: boolean;
  /** The step's own guard, besides its label and the interrupt freeze. */
  guard?: (s: Uint8Array) => boolean;
  mayBlock?: BlockKind;
  waitsFor?: (s: Uint8Array) => string;
  acquires: readonly string[];
}

export class System {
  readonly layout = new Layout();
  readonly procs: Proc[] = [];
  readonly steps: Step[] = [];
  readonly meta: StepMeta[] = [];
  readonly preemptRt: boolean;
  readonly checks: KernelChecks;
  private readonly stepIds = new Set<string>();
  private readonly handlers: Proc[] = [];
  private readonly meanings = new Map<string, FieldMeaning>();

  constructor(opts: SystemOptions) {
    this.preemptRt = opts.preemptRt;
    this.checks = new KernelChecks(this);
  }

  /**
   * Declare that a field's value is a process id (owner + 1, 0 = none), a bitmask of processes, or a
   * CPU. A process field (`proc`, `proc-mask`) is also promised to partial-order reduction as a lock
   * word: a step of process q changes only whether it designates q (Model.processFields; checked by
   * verifyAccesses).
   */
  fieldHolds(f: Field, meaning: FieldMeaning): void {
    this.meanings.set(f.name, meaning);
  }

  task(name: string, cpu: number, idleLabel = 'idle'): Proc {
    const p = new Proc(this, name, 'task', cpu, idleLabel);
    this.procs.push(p);
    return p;
  }

  /**
   * An interrupt handler (hard irq), idle until something starts it. It stays in hard-irq context
   * on PREEMPT_RT too (an `_HARD` hrtimer callback, an IRQF_NO_THREAD handler), so taking a
   * spinlock_t / rwlock_t in it is `kernel.raw-lock-nesting` on every kernel.
   */
  handler(name: string, defaultCpu: number, idleLabel = 'idle'): Proc {
    const p = new Proc(this, name, 'hardirq', defaultCpu, idleLabel);
    this.procs.push(p);
    this.handlers.push(p);
    return p;
  }

  /** True when an interrupt handler is active on `cpu` (the task there is frozen). */
  interrupted(s: Uint8Array, cpu: number): boolean {
    // a handler that is never started on `cpu` is not read (partial-order reduction: independence)
    for (const h of this.handlers) if ((h.cpus === null || h.cpus.has(cpu)) && !h.isIdle(s) && h.cpuOf(s) === cpu) return true;
    return false;
  }

  /** Handler `h` may be started on `cpu` (declare every CPU, or none: then any). */
  handlerMayRunOn(h: Proc, cpu: number): void {
    (h.cpus ??= new Set()).add(cpu);
  }

  /** Interrupts disabled on `cpu` (a task there holds an irq-disabling lock, or a handler runs there). */
  irqsOff(s: Uint8Array, cpu: number): boolean {
    for (const p of this.procs) {
      if (p.irqoff && p.cpu === cpu && s[p.irqoff.offset]! > 0) return true;
    }
    return this.interrupted(s, cpu);
  }

  addStep(p: Proc, spec: StepSpec): Step {
    const at = p.label(spec.at);
    const next = spec.next !== undefined ? p.label(spec.next) : -1;
    const id = spec.id ?? `${p.name}:${spec.at}`;
    if (this.stepIds.has(id)) throw new Error(`duplicate step id ${id}`);
    this.stepIds.add(id);
    const pcOff = p.pc.offset;
    const extra = spec.guard;
    const run = spec.run;
    const task = p.context === 'task';
    const cpu = p.cpu;
    const guard = (s: Uint8Array): boolean => {
      if (s[pcOff] !== at) return false;
      if (task && this.interrupted(s, cpu)) return false;
      return extra ? extra(s) : true;
    };
    const entry = spec.returns;
    const apply = (s: Uint8Array, ctx: StepCtx): void => {
      const r = run ? run(s, ctx) : undefined;
      const to = typeof r === 'number' ? r : next;
      if (to < 0) throw new Error(`step ${id}: no next label`);
      s[pcOff] = to;
      if (entry !== undefined) this.checks.checkReturn(s, p, ctx, entry);
    };
    const step: Step = { id, process: p.name, source: spec.src, guard, apply };
    this.steps.push(step);
    const access = spec.guard === undefined && spec.run === undefined ? (spec.access ?? {}) : spec.access;
    this.meta.push({ proc: p, at, guard: extra, access, returns: entry !== undefined, mayBlock: spec.mayBlock, waitsFor: spec.waitsFor, acquires: spec.acquires ?? [] });
    return step;
  }

  /** Fields the context rules read: a task's guard asks whether a handler is active on its CPU. */
  private contextReads(p: Proc): Field[] {
    if (p.context !== 'task') return [];
    return this.handlersOn(p.cpu).flatMap((h) => [h.pc, h.cpuField!]);
  }

  /** The handlers interrupted(s, cpu) reads. */
  private handlersOn(cpu: number): Proc[] {
    return this.handlers.filter((h) => h.cpus === null || h.cpus.has(cpu));
  }

  /** Fields `irqsOff(s, cpu)` reads: the tasks on that CPU, every handler (their placement is state). */
  private irqsOffReads(cpu: number): Field[] {
    return [...this.procs.flatMap((p) => (p.irqoff && p.cpu === cpu ? [p.irqoff] : [])), ...this.handlersOn(cpu).flatMap((h) => [h.pc, h.cpuField!])];
  }

  /** Step.access of every step whose code is declared (once the layout is final). */
  private declareAccesses(): void {
    this.meta.forEach((m, i) => {
      if (m.access === undefined) return;
      const pc = m.proc.pc;
      const names = (fs: readonly Field[]): string[] => [...new Set(fs.map((f) => f.name))];
      const ret = m.returns ? this.checks.returnCheck(m.proc) : { reads: [], fails: [] };
      const own = (m.access.own ?? []).map((f) => `${f.name}@${m.proc.name}`);
      (this.steps[i] as { access?: StepAccess }).access = {
        reads: [...new Set([...names([pc, ...this.contextReads(m.proc), ...(m.access.reads ?? []), ...(m.access.irqsOff !== undefined ? this.irqsOffReads(m.access.irqsOff) : [])]), ...own, ...ret.reads])],
        writes: names([pc, ...(m.access.writes ?? [])]),
        fails: [...new Set([...(m.access.fails ?? []), ...ret.fails])],
        at: { field: pc.name, value: m.at },
      };
    });
  }

  finish(opts: FinishOptions): Model {
    for (const p of this.procs) p.closePc();
    const schema = this.layout.finish();
    this.declareAccesses();
    const procs = this.procs;
    const init = (): Uint8Array[] => {
      // every exploration starts from init(): the lock-order graph and irq usage start afresh
      this.checks.reset();
      const s = schema.blank();
      for (const p of procs) s[p.pc.offset] = p.idle;
      for (const p of procs) if (p.cpuField) s[p.cpuField.offset] = p.cpu;
      opts.init?.(s);
      return [s];
    };
    const validEnd = opts.validEnd ?? ((s: Uint8Array) => procs.every((p) => p.isIdle(s)));
    const guards = compileGuardScan(this, this.meta.map((m) => m.guard));
    const properties = [...this.checks.properties(), ...(opts.properties ?? [])];
    const model: Model = {
      name: opts.name,
      schema,
      processes: procs.map((p) => p.name),
      init,
      steps: this.steps,
      properties,
      validEnd,
      describeDeadlock: (s) => this.describeBlocked(s),
      info: opts.info,
      expand: compileExpander(this.steps, guards),
      guards,
      processFields: this.processFields(),
      ...(opts.symmetric && opts.symmetric.members.length > 1 ? { symmetry: this.symmetry(schema, opts.symmetric) } : {}),
    };
    return model;
  }

  /** Lock words (owners, readers): every lock step moves them only as to its own process (Model.processFields). */
  private processFields(): Record<string, 'proc' | 'proc-mask'> {
    const out: Record<string, 'proc' | 'proc-mask'> = {};
    for (const [name, m] of this.meanings) if (m !== 'cpu') out[name] = m;
    return out;
  }

  private symmetry(schema: Schema, spec: NonNullable<FinishOptions['symmetric']>): Symmetry {
    const { members, cpus } = spec;
    const names = members.map((m) => m[0]!.name);
    const elements = permutations(members.length).map((perm) => {
      const procMap = this.procs.map((_, i) => i);
      const cpuMap = new Map<number, number>();
      members.forEach((m, i) => {
        m.forEach((p, k) => (procMap[p.index] = members[perm[i]!]![k]!.index));
        cpus[i]!.forEach((c, k) => cpuMap.set(c, cpus[perm[i]!]![k]!));
      });
      return (f: Field): FieldImage => {
        const to = renameMembers(schema, names, perm, f);
        const meaning = this.meanings.get(f.name);
        if (meaning === 'proc') return { to, value: (v) => (v === 0 || v > procMap.length ? v : procMap[v - 1]! + 1) };
        if (meaning === 'proc-mask') {
          return {
            to,
            value: (v) => {
              let out = 0;
              for (let b = 0; b < procMap.length; b++) if (v & (1 << b)) out |= 1 << procMap[b]!;
              return out;
            },
          };
        }
        if (meaning === 'cpu') return { to, value: (v) => cpuMap.get(v) ?? v };
        if (f.kind === 'enum' && f.values && to.values) {
          // program counters: the same label may have another number in another process, and a
          // label may name a member (`invalidate vcpu0.vcpu_info_cache`)
          return {
            to,
            value: (v) => {
              const name = renameIn(f.values![v]!, names, perm);
              const j = to.values!.indexOf(name);
              if (j < 0) throw new Error(`symmetry: ${to.name} has no value '${name}' (the image of ${f.name} = '${f.values![v]!}')`);
              return j;
            },
          };
        }
        return { to };
      };
    });
    return fieldSymmetry(schema, elements, `permutations of ${names.join(', ')}`, { invariantProperties: spec.invariantProperties });
  }

  /** Who is stuck where, waiting for what (for deadlock reports). */
  describeBlocked(s: Uint8Array): string {
    const parts: string[] = [];
    for (const p of this.procs) {
      if (p.isIdle(s)) continue;
      const pc = s[p.pc.offset]!;
      const waits = this.meta
        .map((m, i) => ({ m, i }))
        .filter(({ m }) => m.proc === p && m.at === pc)
        .map(({ m, i }) => `${this.steps[i]!.id} \`${this.steps[i]!.source.line}\`${m.waitsFor ? ` waiting for ${m.waitsFor(s)}` : ''}`);
      parts.push(`${p.name} stuck at ${waits.length ? waits.join(' / ') : p.labelName(pc)}`);
    }
    return parts.length ? parts.join('; ') : 'every process idle but not a valid end state';
  }
}

/** Shorthand for a SourceRef. */
export function src(file: string, func: string, line: string): SourceRef {
  return { file, func, line };
}
