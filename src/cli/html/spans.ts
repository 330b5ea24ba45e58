/**
 * What each process holds along a trace, read from the decoded states by the naming convention
 * of the kernel step builders (src/kernel/): a lock `L` is the field `L.owner` (mutex, spinlock:
 * holder's process index + 1, 0 = free), or `L.writer` (same) and `L.readers` (a bitmask of
 * process indices) for an rwlock; a task has interrupts disabled while `P.irqs_off` > 0, and an
 * interrupt handler (a process with a `P.cpu` field) runs with them disabled while `P.pc` is not
 * `idle`. Models without such fields simply have no bars.
 */
import type { Value } from '../../engine/schema.js';

export type State = Readonly<Record<string, Value>>;

/** One thing a process holds (or a condition it is in) over consecutive states from..to. */
export interface Span {
  readonly process: string;
  /** `kvm->arch.xen.xen_lock`, `shinfo_cache.lock (read)`, or IRQS_OFF. */
  readonly what: string;
  /** Inclusive state indices: states[from] ... states[to] (state k follows step k). */
  readonly from: number;
  readonly to: number;
}

export const IRQS_OFF = 'interrupts disabled';

/** Everything held in one state: [process, what] pairs. */
export function heldIn(state: State, processes: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  const proc = (v: Value): string | undefined => (typeof v === 'number' && v > 0 ? processes[v - 1] : undefined);
  for (const [field, v] of Object.entries(state)) {
    const m = /^(.+)\.(owner|writer|readers)$/.exec(field);
    if (!m || typeof v !== 'number') continue;
    const lock = m[1]!;
    if (m[2] === 'readers') {
      processes.forEach((p, i) => {
        if (v & (1 << i)) out.push([p, `${lock} (read)`]);
      });
    } else {
      const p = proc(v);
      if (p) out.push([p, m[2] === 'writer' ? `${lock} (write)` : lock]);
    }
  }
  for (const p of processes) if (irqsOff(state, p)) out.push([p, IRQS_OFF]);
  return out;
}

function irqsOff(state: State, p: string): boolean {
  const n = state[`${p}.irqs_off`];
  if (typeof n === 'number' && n > 0) return true;
  return `${p}.cpu` in state && state[`${p}.pc`] !== undefined && state[`${p}.pc`] !== 'idle';
}

/** Maximal runs of consecutive states in which a process holds the same thing, in order of start. */
export function spans(states: readonly State[], processes: readonly string[]): Span[] {
  const done: Span[] = [];
  let open = new Map<string, Span>();
  states.forEach((s, k) => {
    const next = new Map<string, Span>();
    for (const [process, what] of heldIn(s, processes)) {
      const key = `${process}\u0000${what}`;
      const was = open.get(key);
      next.set(key, was ? { ...was, to: k } : { process, what, from: k, to: k });
    }
    for (const [key, sp] of open) if (!next.has(key)) done.push(sp);
    open = next;
  });
  done.push(...open.values());
  return done.sort((a, b) => a.from - b.from || a.what.localeCompare(b.what));
}

/** The locks (not IRQS_OFF) that appear in the spans, in order of first appearance: the legend. */
export function lockKeys(all: readonly Span[]): string[] {
  const keys: string[] = [];
  for (const s of all) if (s.what !== IRQS_OFF && !keys.includes(s.what)) keys.push(s.what);
  return keys;
}
