export * from './schema.js';
export * from './model.js';
export * from './result.js';
export * from './events.js';
export { explore, DEADLOCK_ID, type ExploreOptions } from './explore.js';
export { replay, ReplayError, buildTrace, type ReplayOutcome } from './trace.js';
export { StateStore, hashWords } from './store.js';
