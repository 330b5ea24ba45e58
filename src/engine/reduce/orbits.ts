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

  /** Stored state `id` has `n` edges: each of its orbit's states has as many. */
  edges(id: number, n: number): void {
    this.transitions += this.sizes[id]! * n;
  }
}
