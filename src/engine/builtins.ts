/**
 * Node built-ins that only some searches need, loaded when first used: importing them costs every
 * process that loads the engine a few milliseconds (node:crypto about 5, node:worker_threads
 * about 4, measured on the project's VM), which a one-second search notices. Checkpoints hash with
 * node:crypto; only a search with worker threads starts them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function crypto(): typeof import('node:crypto') {
  return require('node:crypto') as typeof import('node:crypto');
}

export function workerThreads(): typeof import('node:worker_threads') {
  return require('node:worker_threads') as typeof import('node:worker_threads');
}
