/**
 * The locks the kernel checks know, and their classes as small numbers: what each step acquires,
 * which instances belong to a class, which classes some hard-irq step takes. Built once per model
 * (KernelChecks.properties); the per-edge checks of lock-order.ts and irq-usage.ts work on these
 * flat tables instead of names.
 */
import type { Field } from '../engine/schema.js';
import type { Step } from '../engine/model.js';
import type { Proc, System } from './system.js';

/** A lock (or pseudo-lock) as the checks ask about it. */
export interface Held {
  cls: string;
  /** The instance's name (`vcpu->mutex`), for messages. */
  name: string;
  /** Not a lock a process takes (an hrtimer callback "holding" its timer while it runs). */
  pseudo: boolean;
  held: (s: Uint8Array, p: Proc) => boolean;
  /** held(s, p) as a JavaScript expression over `s` (compiled checks); null: call held. */
  heldSrc: (p: Proc) => string | null;
  spinning: (s: Uint8Array, p: Proc) => boolean;
  /** True if holding it for writing / exclusively. */
  exclusive: (s: Uint8Array, p: Proc) => boolean;
  /** The lock spins on this kernel (a pseudo-lock: false). */
  spins: boolean;
  /** The fields held() reads (null: not declared). */
  fields: readonly Field[] | null;
  /**
   * What held(s, p), spinning(s, p) and exclusive(s, p) read, as declared names: for a lock only
   * whether its words designate p (`F@p`, Model.processFields), so a process asking about itself
   * is independent of the others' lock operations; null: not declared.
   */
  fieldsOf: ((p: Proc) => string[]) | null;
}

export class LockClasses {
  /** Class names; a class's number is its index. */
  readonly names: string[];
  readonly number: Map<string, number>;
  readonly count: number;
  /** Per held instance: its class number. */
  readonly heldNo: Int32Array;
  /** Per step: the classes it acquires. */
  readonly acquires: Int32Array[];
  /**
   * Per step: the classes it acquires that count for irq usage — never the hrtimer pseudo-locks;
   * on PREEMPT_RT only the locks that still spin (the others sleep: sleep-in-atomic covers them).
   */
  readonly irqAcquires: Int32Array[];
  /** Per step: a trylock (it never waits: no lock-order edge, no hard-irq usage). */
  readonly trylock: boolean[];
  /** Per step: its process. */
  readonly procOf: Proc[];
  /** Classes some hard-irq step takes with a blocking acquire (only these can be irq-unsafe). */
  readonly inIrq: Set<string>;
  /** Per class: its instances (indices into held). */
  private readonly instances: Int32Array[];

  constructor(
    readonly held: readonly Held[],
    sys: System,
    trylocks: ReadonlySet<Step>,
  ) {
    const meta = sys.meta;
    const acquiresOf = meta.map((m) => m.acquires);
    this.procOf = meta.map((m) => m.proc);
    this.trylock = sys.steps.map((st) => trylocks.has(st));
    this.names = [...new Set([...held.map((h) => h.cls), ...acquiresOf.flat()])];
    this.number = new Map(this.names.map((c, i) => [c, i]));
    this.count = this.names.length;
    this.heldNo = Int32Array.from(held.map((h) => this.number.get(h.cls)!));
    this.acquires = acquiresOf.map((a) => Int32Array.from(a.map((c) => this.number.get(c)!)));
    const spinsOnRt = new Set(held.filter((h) => h.spins).map((h) => h.cls));
    this.irqAcquires = acquiresOf.map((a) => Int32Array.from(a.filter((c) => !c.startsWith('hrtimer ') && !(sys.preemptRt && !spinsOnRt.has(c))).map((c) => this.number.get(c)!)));
    this.inIrq = new Set(meta.flatMap((m, i) => (m.proc.context === 'hardirq' && !this.trylock[i] ? m.acquires : [])));
    this.instances = this.names.map((_, cn) => Int32Array.from(held.flatMap((_h, k) => (this.heldNo[k] === cn ? [k] : []))));
  }

  /** Whether p holds some instance of class cn for writing / exclusively. */
  exclusiveHeld(s: Uint8Array, p: Proc, cn: number): boolean {
    const of = this.instances[cn]!;
    for (let j = 0; j < of.length; j++) if (this.held[of[j]!]!.exclusive(s, p)) return true;
    return false;
  }
}
