/**
 * The thread a `check` search runs in (see search-host.ts; the messages are worker-job.ts's): it
 * rebuilds the model from its spec, explores it, posts progress events and finally the result
 * (or the error, by name and message).
 * The calling thread stays free to take SIGINT / SIGTERM and asks for a clean stop through a
 * shared flag that the search polls with its budgets.
 */
import type { Progress } from '../engine/events.js';
import { explore, type ExploreOptions } from '../engine/explore.js';
import { buildModelFromSpec, type ModelSpec } from '../engine/parallel.js';
import type { Result } from '../engine/result.js';
import { serveJob, stopRequested } from './worker-job.js';

export interface SearchData {
  readonly spec: ModelSpec;
  /** ExploreOptions without the callbacks (onProgress and shouldStop are wired here). */
  readonly options: Omit<ExploreOptions, 'onProgress' | 'shouldStop'>;
  readonly progress: boolean;
  /** Int32Array[1]: non-zero = stop. */
  readonly stop: SharedArrayBuffer;
}

await serveJob<SearchData, Result, Progress>(async (data, post) => {
  const model = await buildModelFromSpec(data.spec);
  return explore(model, {
    ...data.options,
    ...(data.progress ? { onProgress: post } : {}),
    shouldStop: stopRequested(data.stop),
  });
});
