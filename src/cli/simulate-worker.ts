/**
 * The thread a `simulate` run walks in (worker-job.ts): it loads the model as the command did
 * (same name or path, parameters and working directory, so the walks and the report are the
 * same), simulates, posts progress events and the result. The calling thread takes SIGINT /
 * SIGTERM and raises the shared stop flag, which the walks poll with their time limit.
 */
import type { Progress } from '../engine/events.js';
import type { Result } from '../engine/result.js';
import { simulate } from '../engine/simulate.js';
import { freshCopies, type SimulateJob } from './simulate-job.js';
import { loadModel } from './load.js';
import { serveJob, stopRequested } from './worker-job.js';

await serveJob<SimulateJob, Result, Progress>(async (d, post) => {
  const loaded = await loadModel(d.spec, d.given, d.cwd);
  return simulate(loaded.model, {
    ...d.options,
    fresh: freshCopies(loaded),
    shouldStop: stopRequested(d.stop),
    ...(d.progress ? { onProgress: post } : {}),
  });
});
