/**
 * `kernel.lock-order`: the lock-class order graph, accumulated over the whole exploration (A taken
 * while holding B somewhere, B while holding A elsewhere is a cycle, even if no interleaving
 * closes the deadlock). A trylock adds no edge (it never waits), as in lockdep; locks taken while
 * holding it do. hrtimer_cancel counts as taking the timer (its callback "holds" it).
 */
import type { PropertyReads, TransitionProperty } from '../engine/model.js';
import { KERNEL_PROPERTIES } from './property-ids.js';
import type { LockClasses } from './lock-classes.js';
import type { Proc, System } from './system.js';

/** What a transition check built over the lock classes needs from KernelChecks. */
export interface AccumulatingCheckSpec {
  readonly reads: PropertyReads | undefined;
  /** Partial-order reduction: what the check reads on an edge of process p (lock order: what p holds; irq usage: that and p's interrupt state). */
  readonly stepReads: (p: Proc) => readonly string[];
  /** Forget what every accumulating check learned (a new exploration). */
  readonly reset: () => void;
}

/** A transition property with what it learned so far, and a way to forget it. */
export interface AccumulatingCheck {
  readonly property: TransitionProperty;
  clear(): void;
}

/**
 * What every check over the steps that acquire locks shares: it is relevant to those steps, and on
 * their edges reads what the spec says the stepping process's part is.
 */
export function acquiringCheck(t: LockClasses, spec: AccumulatingCheckSpec): Pick<TransitionProperty, 'kind' | 'reads' | 'relevant' | 'stepReads' | 'reset'> {
  return {
    kind: 'transition',
    reads: spec.reads,
    relevant: (step) => t.acquires[step]!.length > 0,
    stepReads: (step) => spec.stepReads(t.procOf[step]!),
    reset: spec.reset,
  };
}

/** The lock-order check; its graph lives as long as the model. */
export function lockOrder(t: LockClasses, sys: System, spec: AccumulatingCheckSpec): AccumulatingCheck {
  const graph = new OrderGraph(t.count);
  const held = t.held;
  const nc = t.count;
  /** Learn the edge a -> b (class numbers) first added by `at`. */
  const learn = (an: number, bn: number, at: string): void => {
    graph.known[an * nc + bn] = 1;
    graph.add(t.names[an]!, t.names[bn]!, at);
  };
  /**
   * Whether held instance h, taken by p in state s, and the class bn being taken would teach the
   * graph an edge it does not have yet (the known test first: it is cheaper than held()).
   */
  const teaches = (h: number, bn: number, s: Uint8Array, p: Proc): boolean => {
    const an = t.heldNo[h]!;
    return an !== bn && graph.known[an * nc + bn] === 0 && held[h]!.held(s, p);
  };
  const property: TransitionProperty = {
    ...acquiringCheck(t, spec),
    id: KERNEL_PROPERTIES.lockOrder,
    description: 'the lock-class order graph over all explored steps has no cycle (no ABBA inversion)',
    facts: () => ({ edges: graph.list() }),
    // checkpoints: the edges in the order they were learned (findPath and facts() see the same graph)
    restoreFacts: (f) => {
      for (const [a, b, at] of (f as { edges?: [string, string, string][] }).edges ?? []) {
        const an = t.number.get(a);
        const bn = t.number.get(b);
        if (an !== undefined && bn !== undefined) learn(an, bn, at);
        else graph.add(a, b, at);
      }
    },
    // an edge is added only for a lock held while another is taken, and only matters while
    // the graph does not have it yet (the same test as check's: the graph only grows, so the
    // edges that can still teach it something only become fewer — a smaller set of visible
    // steps, for which every stubborn set chosen earlier is still one)
    observes: (before, step) => {
      const acq = t.acquires[step]!;
      if (acq.length === 0 || t.trylock[step]) return false;
      const p = t.procOf[step]!;
      for (let j = 0; j < acq.length; j++) {
        const bn = acq[j]!;
        for (let h = 0; h < held.length; h++) if (teaches(h, bn, before, p)) return true;
      }
      return false;
    },
    judge: (all) => {
      // the union of the shards' graphs: a cycle may close across shards
      const union = new OrderGraph(0);
      for (const f of all) for (const [a, b, at] of (f as { edges?: [string, string, string][] }).edges ?? []) union.addFirst(a, b, at);
      const cycle = findCycle(union.edges);
      if (!cycle) return true;
      return `lock order inversion: ${union.describe(cycle)}`;
    },
    check: (before, step) => {
      const acq = t.acquires[step]!;
      if (acq.length === 0 || t.trylock[step]) return true;
      const p = t.procOf[step]!;
      for (let j = 0; j < acq.length; j++) {
        const bn = acq[j]!;
        for (let h = 0; h < held.length; h++) {
          if (!teaches(h, bn, before, p)) continue;
          const an = t.heldNo[h]!;
          const id = sys.steps[step]!.id;
          learn(an, bn, id);
          const a = t.names[an]!;
          const b = t.names[bn]!;
          const back = graph.findPath(b, a);
          if (back) return `lock order inversion: ${a} -> ${b} at ${id}, but ${graph.describe(back)}`;
        }
      }
      return true;
    },
  };
  return { property, clear: () => graph.clear() };
}

/** A graph over lock-class names: each edge with the step that first added it. */
class OrderGraph {
  readonly edges = new Map<string, Map<string, string>>();
  /** Per (from, to) class numbers: the edge is known (the per-edge fast path). */
  readonly known: Uint8Array;

  constructor(classes: number) {
    this.known = new Uint8Array(classes * classes);
  }

  add(a: string, b: string, at: string): void {
    let out = this.edges.get(a);
    if (!out) this.edges.set(a, (out = new Map()));
    out.set(b, at);
  }

  /** add(), keeping the step of an edge already there. */
  addFirst(a: string, b: string, at: string): void {
    if (!this.edges.get(a)?.has(b)) this.add(a, b, at);
  }

  clear(): void {
    this.edges.clear();
    this.known.fill(0);
  }

  list(): [string, string, string][] {
    return [...this.edges].flatMap(([a, out]) => [...out].map(([b, at]): [string, string, string] => [a, b, at]));
  }

  /** A shortest path from -> to (breadth first), or null. */
  findPath(from: string, to: string): string[] | null {
    const prev = new Map<string, string>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length) {
      const c = queue.shift()!;
      if (c === to) {
        const path = [to];
        let x = to;
        while (x !== from) path.push((x = prev.get(x)!));
        return path.reverse();
      }
      for (const n of this.edges.get(c)?.keys() ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          prev.set(n, c);
          queue.push(n);
        }
      }
    }
    return null;
  }

  /** "a -> b at step, b -> c at step, ..." along a path. */
  describe(path: readonly string[]): string {
    return path
      .slice(0, -1)
      .map((x, i) => `${x} -> ${path[i + 1]} at ${this.edges.get(x)!.get(path[i + 1]!)}`)
      .join(', ');
  }
}

/** A cycle in a directed graph (as a closed list of nodes, first = last), or null. */
export function findCycle(g: ReadonlyMap<string, ReadonlyMap<string, string>>): string[] | null {
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const m of g.get(n)?.keys() ?? []) {
      const st = state.get(m);
      if (st === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (st === undefined) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of [...g.keys()].sort()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

