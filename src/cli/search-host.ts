/**
 * Runs a `check` search in a worker thread (search-worker.ts) so that the calling thread can take
 * SIGINT / SIGTERM while the search runs: the first signal asks the search to stop cleanly (it
 * ends as a budget does, incomplete with reason `interrupted`, keeping every violation found),
 * and the CLI prints and writes that report; a second signal exits at once.
 */
import { Worker } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import type { ExploreOptions } from '../engine/explore.js';
import type { ModelSpec } from '../engine/parallel.js';
import type { Result } from '../engine/result.js';
import type { OutStream } from './context.js';
import type { SearchData, SearchMessage } from './search-worker.js';

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/** A stop request shared with the search thread. */
export interface StopFlag {
  readonly buffer: SharedArrayBuffer;
  stop(): void;
  readonly stopped: boolean;
}

export function stopFlag(): StopFlag {
  const buffer = new SharedArrayBuffer(4);
  const a = new Int32Array(buffer);
  return {
    buffer,
    stop: () => void Atomics.store(a, 0, 1),
    get stopped() {
      return Atomics.load(a, 0) !== 0;
    },
  };
}

/**
 * From now on (the process is about to end when the search does): the first SIGINT / SIGTERM
 * during `run` calls flag.stop() and says so on stderr; one after it (while the report is being
 * written) is taken quietly; a second signal exits at once (128 + signal number, as a shell
 * reports a killed job). The handlers stay until the process ends, so that a signal arriving
 * while the report is written cannot kill the process halfway.
 */
export async function withInterrupts<T>(stderr: OutStream, flag: StopFlag, run: () => Promise<T>, also?: string): Promise<T> {
  let searching = true;
  for (const [name, no] of Object.entries(SIGNALS)) {
    process.on(name, () => {
      if (flag.stopped) process.exit(128 + no);
      flag.stop();
      if (searching) stderr.write(`\nxentimer-check: ${name}: stopping the search${also ? ` and ${also}` : ''}; the report of what was found follows (${name === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to quit at once)\n`);
    });
  }
  try {
    return await run();
  } finally {
    searching = false;
  }
}

/** explore() of the model `spec` builds, in a worker thread; progress events come back to `onProgress`. */
export function exploreInWorker(spec: ModelSpec, options: ExploreOptions, flag: StopFlag): Promise<Result> {
  const { onProgress, shouldStop: _s, ...plain } = options;
  const data: SearchData = { spec, options: plain, progress: onProgress !== undefined, stop: flag.buffer };
  // the search may need as much heap as the calling thread may have
  const heapMb = Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20);
  const worker = new Worker(new URL('./search-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  return new Promise<Result>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: SearchMessage) => {
      if (m.kind === 'progress') return onProgress?.(m.progress);
      settled = true;
      void worker.terminate();
      if (m.kind === 'result') resolve(m.result);
      else reject(remoteError(m));
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the search thread ended (exit ${code}) without a result`));
    });
  });
}

/** The worker's error as an Error of the same name (classify() turns input errors into exit 2 by name). */
function remoteError(m: Extract<SearchMessage, { kind: 'error' }>): Error {
  const e = new Error(m.message);
  e.name = m.name;
  if (m.stack) e.stack = m.stack;
  return e;
}
