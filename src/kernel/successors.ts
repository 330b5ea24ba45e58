/**
 * The kernel system's successor generator and guard scan, compiled once per model into flat
 * tables: a step can only be enabled where its process's pc is at the step's label, and never
 * while its task is frozen under an interrupt handler on its CPU — so per state the frozen CPUs
 * are computed once, the steps at the current labels of the other processes are merged into step
 * order, and only their own (extra) guards are evaluated. The result is exactly that of testing
 * every step's full guard in step order (Model.expand must be equivalent to that loop: the order
 * decides ids and which of equally short traces is kept).
 */
import type { Model, Step } from '../engine/model.js';
import type { System } from './system.js';

/** Writes the indices of the steps whose guard holds in `s`, in step order, to `out`; returns how many. */
export type GuardScan = (s: Uint8Array, out: Int32Array) => number;

/**
 * The guard scan of `sys` (after every step is added). `extra[i]` is step i's guard besides
 * "pc at its label, task not interrupted" (null: none).
 */
export function compileGuardScan(sys: System, extra: readonly (((s: Uint8Array) => boolean) | null | undefined)[]): GuardScan {
  const procs = sys.procs;
  const nprocs = procs.length;
  const pcOffsets = Int32Array.from(procs.map((p) => p.pc.offset));
  // a task's CPU (frozen while a handler runs there), -1 for a handler
  const taskCpu = Int32Array.from(procs.map((p) => (p.context === 'task' ? p.cpu : -1)));
  const handlers = procs.filter((p) => p.cpuField !== null);
  const hPc = Int32Array.from(handlers.map((h) => h.pc.offset));
  const hIdle = Int32Array.from(handlers.map((h) => h.idle));
  const hCpu = Int32Array.from(handlers.map((h) => h.cpuField!.offset));
  const nh = handlers.length;
  if (procs.some((p) => p.context === 'task' && (p.cpu < 0 || p.cpu > 30))) throw new Error('kernel system: task CPUs must lie in 0..30');
  // per process: label -> its steps at that label, in step order
  const byPc: (Int32Array | undefined)[][] = procs.map(() => []);
  sys.meta.forEach((m, i) => {
    const table = byPc[m.proc.index]!;
    const prev = table[m.at];
    const list = new Int32Array((prev?.length ?? 0) + 1);
    if (prev) list.set(prev);
    list[list.length - 1] = i;
    table[m.at] = list;
  });
  const guards = extra.map((g) => g ?? null);
  return (src, out) => {
    // CPUs with an active interrupt handler
    let frozen = 0;
    for (let h = 0; h < nh; h++) if (src[hPc[h]!] !== hIdle[h]) frozen |= 1 << src[hCpu[h]!]!;
    let n = 0;
    for (let k = 0; k < nprocs; k++) {
      const list = byPc[k]![src[pcOffsets[k]!]!];
      if (list === undefined) continue;
      const cpu = taskCpu[k]!;
      if (cpu >= 0 && ((frozen >>> cpu) & 1) !== 0) continue;
      for (let j = 0; j < list.length; j++) {
        const v = list[j]!;
        const g = guards[v]!;
        if (g !== null && !g(src)) continue;
        // insertion into the sorted list (a handful of entries)
        let at = n++;
        while (at > 0 && out[at - 1]! > v) {
          out[at] = out[at - 1]!;
          at--;
        }
        out[at] = v;
      }
    }
    return n;
  };
}

/** The successor generator (Model.expand) over a guard scan. */
export function compileExpander(steps: readonly Step[], scan: GuardScan): NonNullable<Model['expand']> {
  const cand = new Int32Array(steps.length);
  // word views of the search's scratch states (it passes the same two buffers every time)
  let src8: Uint8Array | null = null;
  let dst8: Uint8Array | null = null;
  let srcW: Int32Array<ArrayBufferLike> = new Int32Array(0);
  let dstW: Int32Array<ArrayBufferLike> = new Int32Array(0);
  const wordsOf = (b: Uint8Array): Int32Array<ArrayBufferLike> | null => ((b.byteOffset | b.length) & 3) === 0 ? new Int32Array(b.buffer, b.byteOffset, b.length >> 2) : null;
  return (src, dst, ctx, emit) => {
    const n = scan(src, cand);
    if (n === 0) return;
    if (src !== src8 || dst !== dst8) {
      const sw = wordsOf(src);
      const dw = wordsOf(dst);
      src8 = sw && dw ? src : null;
      dst8 = sw && dw ? dst : null;
      srcW = sw && dw ? sw : new Int32Array(0);
      dstW = sw && dw ? dw : new Int32Array(0);
    }
    const words = src8 !== null ? srcW.length : -1;
    for (let t = 0; t < n; t++) {
      const i = cand[t]!;
      if (words >= 0) for (let k = 0; k < words; k++) dstW[k] = srcW[k]!;
      else dst.set(src);
      if (steps[i]!.apply(dst, ctx) === false) {
        (ctx as { reset?: () => void }).reset?.();
        continue;
      }
      if (!emit(i)) return;
    }
  };
}
