/**
 * The thread a `check` search runs in (see search-host.ts): it rebuilds the model from its spec,
 * explores it, posts progress events and finally the result (or the error, by name and message).
 * The calling thread stays free to take SIGINT / SIGTERM and asks for a clean stop through a
 * shared flag that the search polls with its budgets.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { explore, type ExploreOptions } from '../engine/explore.js';
import { buildModelFromSpec, type ModelSpec } from '../engine/parallel.js';

export interface SearchData {
  readonly spec: ModelSpec;
  /** ExploreOptions without the callbacks (onProgress and shouldStop are wired here). */
  readonly options: Omit<ExploreOptions, 'onProgress' | 'shouldStop'>;
  readonly progress: boolean;
  /** Int32Array[1]: non-zero = stop. */
  readonly stop: SharedArrayBuffer;
}

export type SearchMessage =
  | { readonly kind: 'progress'; readonly progress: import('../engine/events.js').Progress }
  | { readonly kind: 'result'; readonly result: import('../engine/result.js').Result }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack?: string };

async function run(data: SearchData): Promise<SearchMessage> {
  const flag = new Int32Array(data.stop);
  try {
    const model = await buildModelFromSpec(data.spec);
    const result = explore(model, {
      ...data.options,
      ...(data.progress ? { onProgress: (p) => parentPort!.postMessage({ kind: 'progress', progress: p } satisfies SearchMessage) } : {}),
      shouldStop: () => Atomics.load(flag, 0) !== 0,
    });
    return { kind: 'result', result };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { kind: 'error', name: err.name !== 'Error' ? err.name : err.constructor.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
}

if (parentPort) {
  parentPort.postMessage(await run(workerData as SearchData));
  // stay alive until the host terminates this thread: an exit could otherwise reach the host
  // before the last message does, and read as a search that ended without a result
  parentPort.on('message', () => {});
}
