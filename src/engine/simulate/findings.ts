/**
 * What the walks found: each violated property once (the first walk that violated it, with its
 * path), and for each cover the first walk that reached it. Without allViolations the first
 * violation raises `stop`, which ends the walks.
 */
import type { Model, Property, PropertyKind } from '../model.js';

export interface Found {
  property: string;
  kind: PropertyKind;
  description: string;
  message: string;
  source?: Property['source'];
  /** 0-based run. */
  run: number;
  initial: number;
  /** Step indices of the walk up to and including the violation. */
  path: Int32Array;
}

export interface Reached {
  run: number;
  initial: number;
  path: Int32Array;
}

export class Findings {
  /** violatedProp[i] for model.properties[i]; deadlock and unknown assert ids in violatedOther. */
  readonly violatedProp: Uint8Array;
  private readonly violatedOther = new Set<string>();
  private readonly propIndex: Map<string, number>;
  readonly found: Found[] = [];
  /** Per cover (the model's sometimes properties, in order): the first walk that reached it. */
  readonly reached: (Reached | undefined)[];
  nReached = 0;
  /** A violation was found and allViolations is off: walk no further. */
  stop = false;

  constructor(
    private readonly model: Model,
    private readonly allViolations: boolean,
  ) {
    this.violatedProp = new Uint8Array(model.properties.length);
    this.propIndex = new Map(model.properties.map((p, i) => [p.id, i]));
    this.reached = model.properties.filter((p) => p.kind === 'sometimes').map(() => undefined);
  }

  isViolated(id: string): boolean {
    const i = this.propIndex.get(id);
    return i !== undefined ? this.violatedProp[i] === 1 : this.violatedOther.has(id);
  }

  /** The property of id `id` (undefined for deadlock and unknown assert ids). */
  property(id: string): Property | undefined {
    const i = this.propIndex.get(id);
    return i !== undefined ? this.model.properties[i] : undefined;
  }

  /** A violation at `len` steps into the walk whose steps are `path` (ignored if its property was already violated). */
  record(f: Omit<Found, 'path'>, path: Int32Array, len: number): void {
    if (this.isViolated(f.property)) return;
    const i = this.propIndex.get(f.property);
    if (i !== undefined) this.violatedProp[i] = 1;
    else this.violatedOther.add(f.property);
    this.found.push({ ...f, path: path.slice(0, len) });
    if (!this.allViolations) this.stop = true;
  }
}
