/** The property views one walk needs, for one model copy, and the words of a deadlock (as explore's). */
import type { Model, Property, Step } from '../model.js';

export { deadlockMessage } from '../observe.js';

export interface Views {
  model: Model;
  steps: readonly Step[];
  always: Extract<Property, { kind: 'always' }>[];
  /** Index of each always property in model.properties. */
  alwaysNo: Int32Array;
  transition: Extract<Property, { kind: 'transition' }>[];
  terminal: Extract<Property, { kind: 'terminal' }>[];
  sometimes: Extract<Property, { kind: 'sometimes' }>[];
}

export function views(model: Model): Views {
  const ps = model.properties;
  return {
    model,
    steps: model.steps,
    always: ps.filter((p): p is Extract<Property, { kind: 'always' }> => p.kind === 'always'),
    alwaysNo: Int32Array.from(ps.flatMap((p, i) => (p.kind === 'always' ? [i] : []))),
    transition: ps.filter((p): p is Extract<Property, { kind: 'transition' }> => p.kind === 'transition'),
    terminal: ps.filter((p): p is Extract<Property, { kind: 'terminal' }> => p.kind === 'terminal'),
    sometimes: ps.filter((p): p is Extract<Property, { kind: 'sometimes' }> => p.kind === 'sometimes'),
  };
}

export const DEADLOCK_DESCRIPTION = 'no step is enabled and the state is not a valid end state';
