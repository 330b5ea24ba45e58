/**
 * The key of the stubborn-set memo as one number, for models whose closures work on groups
 * (PorAnalysis.groups: a program counter per process, written only by its labelled steps).
 *
 * There the smallest closure of a state (StubbornSets.smallestClosure) depends on the state only
 * through, per group, the steps at its current label and which of them are enabled: a closure
 * reads nothing else (closureByGroup). Every enabled step is at its label. So per group the
 * configuration is its current label's step list and the subset of it that is enabled — one of
 * 1 + the sum over labels with steps of 2^(steps at the label) values (the 1: a label without
 * steps, all alike) — and the key of a state is the mixed-radix number of the groups'
 * configurations. It is linear: the sum of a per-group label part (radix × the label's first
 * configuration) and a per-step part (radix × 2^(the step's place among its label's steps)), so
 * it is computed from the label bytes and the enabled steps with one table load and one add each.
 *
 * The key is exact (two states with the same key have the same label step lists and enabled
 * steps) as long as the number of configurations of all groups together stays below 2^53, the
 * doubles' exact integers; a model beyond that gets no numeric keys (ChoiceKeys.of: null).
 */
import type { PorAnalysis } from './por.js';

export class ChoiceKeys {
  private constructor(
    /** Per group: the byte offset of its program counter. */
    private readonly offsets: Int32Array,
    /** Per group g and label value v, at g * 256 + v: radix(g) × the first configuration of label v. */
    private readonly labelPart: Float64Array,
    /** Per step: radix(its group) × 2^(its place among its label's steps). */
    private readonly stepPart: Float64Array,
    /** Per step: its label, offset × 256 + value, or -1 (an edge elsewhere makes the key undefined). */
    private readonly label: Int32Array,
  ) {}

  /** The keys of `a`'s model, or null: no groups, or too many configurations for exact doubles. */
  static of(a: PorAnalysis): ChoiceKeys | null {
    const g = a.groups;
    if (g === null) return null;
    const ngroups = g.offset.length;
    const labelPart = new Float64Array(ngroups * 256);
    const stepPart = new Float64Array(a.atOffset.length);
    let radix = 1;
    for (let grp = 0; grp < ngroups; grp++) {
      // configuration 0: a label without steps; then each label's 2^(its steps) subsets
      let next = 1;
      for (let v = 0; v < 256; v++) {
        const here = g.steps[grp]![v]!;
        if (here.length === 0) continue;
        if (here.length > 30) return null;
        labelPart[grp * 256 + v] = radix * next;
        for (let j = 0; j < here.length; j++) stepPart[here[j]!] = radix * 2 ** j;
        next += 2 ** here.length;
      }
      radix *= next;
      if (radix > Number.MAX_SAFE_INTEGER) return null;
    }
    const label = Int32Array.from(a.atOffset, (o, i) => (o >= 0 && a.atValue[i]! >= 0 && a.atValue[i]! < 256 ? o * 256 + a.atValue[i]! : -1));
    return new ChoiceKeys(Int32Array.from(g.offset), labelPart, stepPart, label);
  }

  /**
   * The key of state src with the enabled steps steps[0..n), or -1 when they are not in step order
   * or one is not at its label (the model's generator promises neither happens; the caller then
   * does without the memo).
   */
  key(src: Uint8Array, steps: Int32Array, n: number): number {
    const offs = this.offsets;
    const labels = this.labelPart;
    let key = 0;
    for (let grp = 0; grp < offs.length; grp++) key += labels[(grp << 8) | src[offs[grp]!]!]!;
    let last = -1;
    for (let k = 0; k < n; k++) {
      const i = steps[k]!;
      const at = this.label[i]!;
      if (i <= last || at < 0 || src[at >> 8] !== (at & 0xff)) return -1;
      last = i;
      key += this.stepPart[i]!;
    }
    return key;
  }
}
