/**
 * Runs a `check` search in a worker thread (search-worker.ts) so that the calling thread can take
 * SIGINT / SIGTERM while the search runs: the first signal asks the search to stop cleanly (it
 * ends as a budget does, incomplete with reason `interrupted`, keeping every violation found),
 * and the CLI prints and writes that report; a second signal exits at once.
 */
import type { Progress } from '../engine/events.js';
import type { ExploreOptions } from '../engine/explore.js';
import type { ModelSpec } from '../engine/parallel.js';
import type { Result } from '../engine/result.js';
import type { Io, OutStream } from './context.js';
import type { SearchData } from './search-worker.js';
import { runInWorker, StartedWorker } from './worker-job.js';

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

const SEARCH_WORKER = new URL('./search-worker.js', import.meta.url);

/** The search thread started at process start (main.ts), until exploreInWorker takes it. */
let early: StartedWorker | undefined;

/**
 * Start the search thread now, before the command line is parsed and the model loaded: it loads
 * the engine (its bootstrap and modules, about as long as this thread's own start-up) on the
 * other core meanwhile, and exploreInWorker gives it the job. Unused, it ends with the process.
 */
export function startSearchThread(): void {
  early ??= new StartedWorker(SEARCH_WORKER);
}

/** explore() of the model `spec` builds, in a worker thread; progress events come back to `onProgress`. */
export function exploreInWorker(spec: ModelSpec, options: ExploreOptions, flag: StopFlag): Promise<Result> {
  const { onProgress, shouldStop: _s, ...plain } = options;
  const data: SearchData = { spec, options: plain, progress: onProgress !== undefined, stop: flag.buffer };
  const started = early;
  early = undefined;
  return runInWorker<Result, Progress>(SEARCH_WORKER, data, onProgress, started);
}

/**
 * A job: here in the calling thread for in-process callers (io.signals unset: the tests'
 * runMain), else `inWorker` under withInterrupts (the real process).
 */
export function interruptible<R>(io: Io, here: () => R | Promise<R>, inWorker: (flag: StopFlag) => Promise<R>, also?: string): Promise<R> {
  if (!io.signals) return Promise.resolve(here());
  const flag = stopFlag();
  const running = inWorker(flag);
  return withInterrupts(io.stderr, flag, () => running, also);
}
