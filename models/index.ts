/** Importing this module registers every built-in model. */
export * from './registry.js';
