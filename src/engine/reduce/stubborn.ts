/**
 * Partial-order reduction for safety: the successor filter a search driver calls per state.
 *
 * Given the enabled steps of a state (and their successors, already computed), it picks a strong
 * stubborn set (Valmari, "Stubborn sets for reduced state space generation", APN 1991;
 * Godefroid 1996, ch. 4): the closure of one enabled step under
 *   D1  an enabled step in the set brings every step dependent on it, and
 *   D2  a disabled step brings a necessary enabling set: while its process is not at the step's
 *       label, the process's steps at its current label (PorAnalysis.atCurrent; or the writers of
 *       the label, nesPc); at the label, the writers of what its guard reads (nesGuard) —
 *       the program-counter based necessary enabling sets of Laarman, Pater, van de Pol & Weber,
 *       "Guard-based partial-order reduction", STTT 18(4), 2016,
 * rejecting a closure that holds a visible enabled edge (C2: fully expand instead). One closure is
 * tried per process with an enabled step; the one with the fewest enabled steps wins. Strong
 * stubborn sets keep every reachable deadlock; with the invisibility condition and the cycle
 * proviso below they keep every reachable violation of an invariant.
 *
 * Cycle proviso for breadth-first search (the ignoring problem): a state is expanded in reduced
 * form only if every successor through the chosen set lies in the next BFS level (it is new, or
 * already queued for the next level); if one leads back into the current or an earlier level,
 * the state is fully expanded. Any cycle of the reduced graph has an edge that does not go one
 * level down, so every cycle holds a fully expanded state — condition C3 of Clarke, Grumberg &
 * Peled (Model Checking, 1999, sec. 10.5), in the form Bošnački, Leue & Lluch Lafuente give for
 * breadth-first search ("Partial-order reduction for general state exploring algorithms",
 * STTT 11(1), 2009: the successors of a reduced state must not be in the closed/current levels).
 * The check happens while the edges are emitted (Search.emit notes a back edge); the remaining
 * edges then follow.
 */
import { ChoiceCache, KeyedChoiceCache } from './choice-cache.js';
import { ChoiceKeys } from './choice-key.js';
import { SourceMemo, type PorAnalysis } from './por.js';
import { JIT_REHEARSAL } from '../store.js';

export class StubbornSets {
  /** Generation stamps: step i is in the current closure when mark[i] === gen. */
  private readonly mark: Int32Array;
  /** Per edge of the current state: visibility computed (visStamp === chooseGen) and its value. */
  private readonly visStamp: Int32Array;
  private readonly visValue: Uint8Array;
  private chooseGen = 0;
  /** The invariant components' values in the state being expanded. */
  private readonly memo: SourceMemo;
  /** The smallest closure per labels and enabled steps. */
  readonly cache: ChoiceCache;
  /** The same memo keyed by one number (ChoiceKeys), or null where the model has no such keys. */
  private readonly keys: ChoiceKeys | null;
  readonly keyed: KeyedChoiceCache;
  /** Generation stamps of groups (PorAnalysis.groups), or null: the step-wise closure. */
  private readonly gmark: Int32Array | null;
  private gen = 0;
  private readonly stack: Int32Array;
  /** Index (into the state's edge list) of each enabled step, or -1. */
  private readonly edgeOf: Int32Array;
  private readonly best: Int32Array;
  private readonly cur: Int32Array;
  /** States for which a smaller stubborn set was found, states without one, and of the former those the proviso expanded fully anyway. */
  reduced = 0;
  full = 0;
  proviso = 0;
  /**
   * Set when a window of `window` states cut less than 1% of them: the search then expands every
   * state fully, which is always allowed (it only costs the reduction) and saves computing sets
   * that would not cut. The model's dependencies leave no room for reduction there.
   */
  abandoned = false;
  static readonly window = 20000;
  /** The first window ends early, at JIT_REHEARSAL states, and decides nothing: see endOfWindow. */
  private windowEnd = JIT_REHEARSAL;
  private windowCut = 0;

  /**
   * @param procOf per step, its process's index
   * @param violated per invariant, 1 once found violated (Observer.alwaysDone: SourceMemo)
   */
  constructor(
    private readonly a: PorAnalysis,
    private readonly procOf: Int32Array,
    nsteps: number,
    violated: Uint8Array,
  ) {
    this.memo = new SourceMemo(a.componentInvariant, violated);
    this.cache = new ChoiceCache(labelOffsets(a));
    this.keys = ChoiceKeys.of(a);
    this.keyed = new KeyedChoiceCache();
    this.mark = new Int32Array(nsteps);
    this.visStamp = new Int32Array(nsteps);
    this.visValue = new Uint8Array(nsteps);
    this.gmark = a.groups ? new Int32Array(a.groups.offset.length) : null;
    this.stack = new Int32Array(nsteps);
    this.edgeOf = new Int32Array(nsteps).fill(-1);
    this.best = new Int32Array(nsteps);
    this.cur = new Int32Array(nsteps);
  }

  /** States really expanded in reduced form (not fully expanded after all by the proviso). */
  get cut(): number {
    return this.reduced - this.proviso;
  }

  /**
   * The state src has n edges: steps[k] leading to the successor succ[k] (failed[k] = 1: it raised
   * an assertion). Writes the edge indices of a stubborn set into `out` (in edge order) and returns
   * their number; n means no reduction.
   *
   * The set is the smallest closure (of one enabled step per process, in edge order; the first
   * of the smallest) without a visible edge (C2). It is found in two passes: the smallest closure
   * regardless of visibility (smallestClosure: a function of the state's labels and enabled
   * steps only, memoised by the state's ChoiceKeys number in a KeyedChoiceCache, or else in a
   * ChoiceCache), and only when one of its edges is visible, which is rare, the closures again
   * with the visibility test (smallestInvisible). When the smallest
   * closure has no visible edge it is the answer of the second pass too: it is the first of the
   * smallest of all closures, so of the invisible ones. Visibility of an edge is a function of the
   * state and the edge (for transition properties also of the facts found, which do not change
   * while a set is chosen).
   */
  choose(src: Uint8Array, steps: Int32Array, n: number, succ: readonly Uint8Array[], failed: Uint8Array, out: Int32Array): number {
    let m = n;
    // a new state: the visibility computed for the last one is forgotten (knownInvisible)
    if (++this.chooseGen === 0x3fffffff) {
      this.visStamp.fill(0);
      this.chooseGen = 1;
    }
    if (n > 1) {
      this.memo.next();
      m = this.memoisedClosure(src, steps, n, out);
      if (m < n && this.anyVisible(out, m, src, steps, succ, failed)) m = this.smallestInvisible(src, steps, n, succ, failed, out);
    }
    if (m === n) this.full++;
    else this.reduced++;
    this.endOfWindow();
    return m;
  }

  /** smallestClosure() through the memo: by the state's numeric key where it has one, else by labels and steps. */
  private memoisedClosure(src: Uint8Array, steps: Int32Array, n: number, out: Int32Array): number {
    const key = this.keys !== null ? this.keys.key(src, steps, n) : -1;
    let m: number;
    if (key >= 0) {
      m = this.keyed.get(key, n, out);
      if (m < 0) {
        m = this.smallestClosure(src, steps, n, out);
        this.keyed.put(key, n, out, m);
      }
      return m;
    }
    m = this.cache.get(src, steps, n, out);
    if (m < 0) {
      m = this.smallestClosure(src, steps, n, out);
      this.cache.put(src, steps, n, out, m);
    }
    return m;
  }

  /** The first smallest closure's edges into `out`, increasing, and their number (n: no closure smaller than every edge). */
  private smallestClosure(src: Uint8Array, steps: Int32Array, n: number, out: Int32Array): number {
    return this.closures(src, steps, n, null, null, out);
  }

  /** The first smallest closure without a visible edge, as smallestClosure(). */
  private smallestInvisible(src: Uint8Array, steps: Int32Array, n: number, succ: readonly Uint8Array[], failed: Uint8Array, out: Int32Array): number {
    return this.closures(src, steps, n, succ, failed, out);
  }

  /**
   * The closure of one enabled step per process (the first of its edges), in edge order; the first
   * smallest wins, and when `succ` is given only one without a visible edge. One closure of a
   * single edge ends the search.
   */
  private closures(src: Uint8Array, steps: Int32Array, n: number, succ: readonly Uint8Array[] | null, failed: Uint8Array | null, out: Int32Array): number {
    const edgeOf = this.edgeOf;
    for (let k = 0; k < n; k++) edgeOf[steps[k]!] = k;
    let bestN = n;
    let lastProc = -1;
    const cur = this.cur;
    const best = this.best;
    for (let k = 0; k < n && bestN > 1; k++) {
      const p = this.procOf[steps[k]!]!;
      if (p === lastProc) continue;
      lastProc = p;
      const m = this.gmark ? this.closureByGroup(steps[k]!, src, bestN) : this.closure(steps[k]!, src, bestN);
      if (m < bestN && (succ === null || !this.anyVisible(cur, m, src, steps, succ, failed!))) {
        bestN = m;
        for (let j = 0; j < m; j++) best[j] = cur[j]!;
      }
    }
    for (let k = 0; k < n; k++) edgeOf[steps[k]!] = -1;
    if (bestN < n) sortedInto(best, bestN, out);
    return bestN;
  }

  /**
   * Whether edge e of the state last passed to choose() was found invisible (its visibility is
   * computed only for the edges of the sets looked at: false when it was not).
   */
  knownInvisible(e: number): boolean {
    return this.visStamp[e] === this.chooseGen && this.visValue[e] === 0;
  }

  /** Checkpoints: the counters and the window (into `out`, 6 numbers). */
  saveCounters(out: Float64Array): void {
    out[0] = this.reduced;
    out[1] = this.full;
    out[2] = this.proviso;
    out[3] = this.abandoned ? 1 : 0;
    out[4] = this.windowEnd;
    out[5] = this.windowCut;
  }

  /** Checkpoints: take back saveCounters(). */
  restoreCounters(c: ArrayLike<number>): void {
    this.reduced = c[0]!;
    this.full = c[1]!;
    this.proviso = c[2]!;
    this.abandoned = c[3] === 1;
    this.windowEnd = c[4]!;
    this.windowCut = c[5]!;
  }

  /**
   * Every `window` states: give up when the last window cut less than 1% of its states. The first
   * call that passes the test, at JIT_REHEARSAL states, is a rehearsal that decides nothing: it runs
   * this code early, before the JIT optimises choose() and the search loop it is inlined into,
   * which code first run at 20,000 states would make it throw away (store.ts, JIT_REHEARSAL).
   */
  private endOfWindow(): void {
    if (this.full + this.reduced < this.windowEnd) return;
    // every operation runs in the rehearsal too (a conditional one would not have run early)
    const window = StubbornSets.window;
    const rehearsal = this.windowEnd < window;
    const cut = this.cut;
    const nextEnd = this.windowEnd + window;
    if ((cut - this.windowCut) * 100 < window && !rehearsal) this.abandoned = true;
    this.windowEnd = rehearsal ? window : nextEnd;
    this.windowCut = rehearsal ? 0 : cut;
  }

  /** A fresh mark generation for a closure (the marks are cleared when the counter would wrap). */
  private nextGen(): number {
    if (this.gen === 0x3fffffff) {
      this.mark.fill(0);
      this.gmark?.fill(0);
      this.gen = 0;
    }
    return ++this.gen;
  }

  /** Whether one of the edges set[0..m) is visible (each edge's visibility computed once per state: several closures ask). */
  private anyVisible(set: Int32Array, m: number, src: Uint8Array, steps: Int32Array, succ: readonly Uint8Array[], failed: Uint8Array): boolean {
    for (let j = 0; j < m; j++) {
      const e = set[j]!;
      if (this.visStamp[e] !== this.chooseGen) {
        this.visStamp[e] = this.chooseGen;
        this.visValue[e] = this.a.visible(steps[e]!, src, succ[e]!, failed[e] === 1, this.memo) ? 1 : 0;
      }
      if (this.visValue[e] === 1) return true;
    }
    return false;
  }

  /**
   * The closure by groups (PorAnalysis.groups: a program counter per process, written only by
   * the process's labelled steps). A group in the set brings all its steps at its current label;
   * every other step of the group is not at its label, and the steps at the current label are a
   * necessary enabling set for it (D2). An enabled step brings the groups of the steps dependent
   * on it (D1: a dependent step at its group's current label is brought itself; one elsewhere is
   * disabled and brings the same steps); a disabled step at its label brings the groups of the
   * writers of what it reads (D2, by the same argument). The set can be larger than the step-wise
   * closure's (it brings every step at a group's label), never smaller than needed.
   */
  private closureByGroup(seed: number, src: Uint8Array, limit: number): number {
    const a = this.a;
    const g = a.groups!;
    const gmark = this.gmark!;
    const stack = this.stack;
    const gen = this.nextGen();
    let sp = 0;
    let m = 0;
    const seedGroup = g.ofStep[seed]!;
    gmark[seedGroup] = gen;
    stack[sp++] = seedGroup;
    while (sp > 0) {
      const grp = stack[--sp]!;
      const here = g.steps[grp]![src[g.offset[grp]!]!]!;
      for (let k = 0; k < here.length; k++) {
        const t = here[k]!;
        const e = this.edgeOf[t]!;
        let next: Int32Array;
        if (e >= 0) {
          if (m + 1 >= limit) return limit;
          this.cur[m++] = e;
          next = g.dep[t]!;
        } else next = g.nesGuard[t]!;
        for (let j = 0; j < next.length; j++) {
          const u = next[j]!;
          if (gmark[u] !== gen) {
            gmark[u] = gen;
            stack[sp++] = u;
          }
        }
      }
    }
    return m;
  }

  /** The closure of `seed`: its enabled edges in cur[0..m), or `limit` when it would have at least that many. */
  private closure(seed: number, src: Uint8Array, limit: number): number {
    const a = this.a;
    const mark = this.mark;
    const stack = this.stack;
    const gen = this.nextGen();
    let sp = 0;
    let m = 0;
    mark[seed] = gen;
    stack[sp++] = seed;
    while (sp > 0) {
      const t = stack[--sp]!;
      const e = this.edgeOf[t]!;
      let next: Int32Array;
      if (e >= 0) {
        if (m + 1 >= limit) return limit;
        this.cur[m++] = e;
        next = a.dep[t]!;
      } else {
        const off = a.atOffset[t]!;
        if (off >= 0 && src[off] !== a.atValue[t]) {
          // not at its label: the steps at the current label (when only they can move it), else
          // the writers of the label field that may reach the label
          const cur = a.atCurrent[t];
          next = cur ? cur[src[off]!]! : a.nesPc[t]!;
        } else next = a.nesGuard[t]!;
      }
      for (let j = 0; j < next.length; j++) {
        const u = next[j]!;
        if (mark[u] !== gen) {
          mark[u] = gen;
          stack[sp++] = u;
        }
      }
    }
    return m;
  }
}

/** The first n entries of `a` into `out`, increasing (insertion sort: stubborn sets are small). */
function sortedInto(a: Int32Array, n: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    let j = i;
    while (j > 0 && out[j - 1]! > v) {
      out[j] = out[j - 1]!;
      j--;
    }
    out[j] = v;
  }
}

/** The byte offsets of the label fields the closures read: the groups' program counters, or every step's label field. */
function labelOffsets(a: PorAnalysis): Int32Array {
  if (a.groups) return Int32Array.from(a.groups.offset);
  return Int32Array.from(new Set(Array.from(a.atOffset).filter((o) => o >= 0))).sort();
}
