/**
 * Classic textbook models (used for engine tests and benchmarks). Importing this module registers
 * their factories: `peterson`, `philosophers`, `counter`.
 */
import { registerModel } from '../registry.js';
import { counterFactory } from './counter.js';
import { petersonFactory } from './peterson.js';
import { philosophersFactory } from './philosophers.js';

export { buildPeterson, petersonFactory, PETERSON_VARIANTS, type PetersonVariant } from './peterson.js';
export { buildPhilosophers, philosophersFactory, PHILOSOPHER_ORDERS, MIN_PHILOSOPHERS, MAX_PHILOSOPHERS, type PhilosophersOrder } from './philosophers.js';
export { buildCounter, counterFactory, COUNTER_VARIANTS, MAX_COUNTER_PROCS, type CounterVariant } from './counter.js';

export const CLASSIC_FACTORIES = [petersonFactory, philosophersFactory, counterFactory] as const;
for (const f of CLASSIC_FACTORIES) registerModel(f);
