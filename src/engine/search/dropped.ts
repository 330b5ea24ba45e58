/**
 * Dropped transitions (Model.droppedTransitions: DVE evaluation errors) in a parallel search.
 * Each thread's model counts the errors its own successor generator meets, so the owner's model
 * alone misses what the workers expanded. Workers send, per block, what their counts grew by
 * (DropWatch); the owner adds a block's growth when the sequential search would have expanded
 * every state of the block, and otherwise expands the part it would have expanded again itself,
 * so that its own model counts them (parallel.ts, claim-level.ts, replay-block.ts). The report
 * is the owner's counts plus the workers' (DropTally.merged), in the model's order.
 */
import type { DroppedTransitions, Model } from '../model.js';

const KINDS = ['guard', 'effect', 'range'] as const;
const KIND_INDEX: Readonly<Record<DroppedTransitions['kind'], number>> = { guard: 0, effect: 1, range: 2 };

/** Step ids to indices (the first step of an id, should a model repeat one). */
function stepIndex(model: Model): Map<string, number> {
  const m = new Map<string, number>();
  model.steps.forEach((st, i) => {
    if (!m.has(st.id)) m.set(st.id, i);
  });
  return m;
}

/** In a worker: what the model's error counts grew by since the last call. */
export class DropWatch {
  private readonly index: Map<string, number>;
  private readonly seen: Float64Array;

  constructor(private readonly model: Model) {
    this.index = stepIndex(model);
    this.seen = new Float64Array(3 * model.steps.length);
  }

  /** Pairs (3 x step + kind, growth) since the last call, or undefined when nothing grew. */
  delta(): Int32Array | undefined {
    const list = this.model.droppedTransitions?.();
    if (list === undefined || list.length === 0) return undefined;
    let out: number[] | undefined;
    for (const d of list) {
      const k = 3 * this.index.get(d.step)! + KIND_INDEX[d.kind];
      const grew = d.count - this.seen[k]!;
      if (grew <= 0) continue;
      this.seen[k] = d.count;
      (out ??= []).push(k, grew);
    }
    return out && Int32Array.from(out);
  }
}

/** In the owner: the workers' counts, added block by block. */
export class DropTally {
  private counts: Float64Array | null = null;

  constructor(private readonly nsteps: number) {}

  add(delta: Int32Array | undefined): void {
    if (delta === undefined) return;
    const c = (this.counts ??= new Float64Array(3 * this.nsteps));
    for (let j = 0; j < delta.length; j += 2) c[delta[j]!]! += delta[j + 1]!;
  }

  /** The model's own counts plus the workers', in step and kind order (as droppedTransitions lists them). */
  merged(model: Model): readonly DroppedTransitions[] {
    const own = model.droppedTransitions?.() ?? [];
    const extra = this.counts;
    if (extra === null) return own;
    const total = extra.slice();
    const index = stepIndex(model);
    for (const d of own) total[3 * index.get(d.step)! + KIND_INDEX[d.kind]]! += d.count;
    const out: DroppedTransitions[] = [];
    model.steps.forEach((st, i) => {
      KINDS.forEach((kind, k) => {
        const count = total[3 * i + k]!;
        if (count > 0) out.push({ step: st.id, source: st.source, kind, count });
      });
    });
    return out;
  }
}
