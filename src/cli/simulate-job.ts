/**
 * What the `simulate` command hands its worker thread (simulate-worker.ts), and the model copies
 * both give the walks. Kept apart from the command so that the worker loads little.
 */
import type { SimulateOptions } from '../engine/simulate.js';
import type { GivenParams, LoadedModel } from './load.js';

export interface SimulateJob {
  /** The model as given to the command (name or path), its parameters and the working directory. */
  readonly spec: string | undefined;
  readonly given: GivenParams;
  readonly cwd: string;
  readonly options: Omit<SimulateOptions, 'onProgress' | 'shouldStop' | 'fresh'>;
  readonly progress: boolean;
  /** Int32Array[1]: non-zero = stop. */
  readonly stop: SharedArrayBuffer;
}

/** A new model copy per walk and per shrink try of a transition property (they keep state), when the model comes from a factory. */
export function freshCopies(loaded: LoadedModel): SimulateOptions['fresh'] {
  const { factory } = loaded;
  const params = loaded.origin.params;
  return factory ? () => factory.build(params) : undefined;
}

