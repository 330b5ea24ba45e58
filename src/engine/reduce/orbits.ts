/**
 * Under symmetry reduction: the orbit size of every stored representative, from which the
 * unreduced state and transition counts are recovered exactly.
 */
export class OrbitTally {
  private sizes = new Uint16Array(1024);
  /** States of the unreduced space (the sum of the orbit sizes). */
  states = 0;
  /** Transitions of the unreduced space. */
  transitions = 0;

  /** Stored state `id` stands for `orbit` states. */
  note(id: number, orbit: number): void {
    if (id >= this.sizes.length) {
      const bigger = new Uint16Array(this.sizes.length * 2);
      bigger.set(this.sizes);
      this.sizes = bigger;
    }
    this.sizes[id] = orbit;
    this.states += orbit;
  }

  /** Checkpoints: the orbit sizes of states 0..count-1 (a view) and the sums. */
  snapshot(count: number): { sizes: Uint16Array; states: number; transitions: number } {
    return { sizes: this.sizes.subarray(0, count), states: this.states, transitions: this.transitions };
  }

  /** Checkpoints: take back a snapshot. */
  restore(sizes: Uint16Array, states: number, transitions: number): void {
    let n = this.sizes.length;
    while (n < sizes.length) n *= 2;
    this.sizes = new Uint16Array(n);
    this.sizes.set(sizes);
    this.states = states;
    this.transitions = transitions;
  }

  /** Orbit size of stored state `id`. */
  size(id: number): number {
    return this.sizes[id]!;
  }

  /** Stored state `id` has `n` edges: each of its orbit's states has as many. */
  edges(id: number, n: number): void {
    this.transitions += this.sizes[id]! * n;
  }
}
