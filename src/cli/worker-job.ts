/**
 * A long CLI job (check's search, simulate, matrix) in a worker thread, so that the calling
 * thread stays free to take SIGINT / SIGTERM (search-host.ts: the first signal raises a shared
 * stop flag, which the job polls and then ends cleanly with what it found; a second exits at
 * once). Both sides are here: runInWorker() on the calling side, serveJob() in the worker
 * module. The job posts events (progress, finished rows) while it runs, then its result or its
 * error (by name and message; a CliError keeps its exit code and hint).
 */
import { parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { CliError, type ExitCode } from './cli-error.js';

export type JobMessage<R, E> =
  | { readonly kind: 'event'; readonly event: E }
  | { readonly kind: 'result'; readonly result: R }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack?: string; readonly code?: ExitCode; readonly hint?: string };

/** workerData of a thread started before its job is known: the job comes as its first message. */
const JOB_BY_MESSAGE = 'xentimer-check: job by message';

/**
 * A worker thread started before its job is known (search-host.ts: at process start, so that it
 * loads its modules while this thread loads the command and the model). Idle, it does not keep the
 * process alive; runInWorker() hands it the job. A thread that failed or ended before that is not
 * used (runInWorker starts a fresh one).
 */
export class StartedWorker {
  readonly worker: Worker;
  private failed = false;
  constructor(readonly url: URL) {
    this.worker = newWorker(url, JOB_BY_MESSAGE);
    this.worker.unref();
    // until runInWorker listens: a start-up failure is only noted (a fresh thread will run the job)
    const note = (): void => {
      this.failed = true;
    };
    this.worker.once('error', note);
    this.worker.once('exit', note);
  }

  /** The thread, if it can take a job for `url` (once); otherwise it is ended. */
  take(url: URL): Worker | undefined {
    if (!this.failed && this.url.href === url.href) {
      this.worker.removeAllListeners();
      this.worker.ref();
      return this.worker;
    }
    void this.worker.terminate();
    return undefined;
  }
}

function newWorker(url: URL, data: unknown): Worker {
  // the job may need as much heap as the calling thread may have
  const heapMb = Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20);
  return new Worker(url, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
}

/**
 * Run the worker module `url` on `data`; its events go to `onEvent`, its result resolves the
 * promise. `started`: a thread of that module already started (StartedWorker), given the job by
 * message.
 */
export function runInWorker<R, E>(url: URL, data: unknown, onEvent?: (e: E) => void, started?: StartedWorker): Promise<R> {
  const early = started?.take(url);
  const worker = early ?? newWorker(url, data);
  if (early) early.postMessage({ kind: 'job', data });
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: JobMessage<R, E>) => {
      if (m.kind === 'event') return onEvent?.(m.event);
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
      if (!settled) reject(new Error(`the worker thread ended (exit ${code}) without a result`));
    });
  });
}

/** The worker's error as an Error of the same name (classify() turns input errors into exit 2 by name). */
function remoteError(m: Extract<JobMessage<unknown, unknown>, { kind: 'error' }>): Error {
  const e = m.code !== undefined ? new CliError(m.message, m.code, m.hint) : new Error(m.message);
  e.name = m.name;
  if (m.stack) e.stack = m.stack;
  return e;
}

/** In a worker module: run `job` on the workerData, posting its events, then its result or error. */
export async function serveJob<D, R, E>(job: (data: D, post: (e: E) => void) => R | Promise<R>): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const post = (event: E): void => port.postMessage({ kind: 'event', event } satisfies JobMessage<R, E>);
  let message: JobMessage<R, E>;
  try {
    const data = workerData === JOB_BY_MESSAGE ? await firstJob<D>(port) : (workerData as D);
    message = { kind: 'result', result: await job(data, post) };
  } catch (e) {
    message = errorMessage(e);
  }
  port.postMessage(message);
  // stay alive until the host terminates this thread: an exit could otherwise reach the host
  // before the last message does, and read as a job that ended without a result
  port.on('message', () => {});
}

/** The job a StartedWorker is given (its first message). */
function firstJob<D>(port: MessagePort): Promise<D> {
  return new Promise((resolve) => port.once('message', (m: { kind: 'job'; data: D }) => resolve(m.data)));
}

function errorMessage(e: unknown): Extract<JobMessage<never, never>, { kind: 'error' }> {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    kind: 'error',
    name: err.name !== 'Error' ? err.name : err.constructor.name,
    message: err.message,
    ...(err.stack ? { stack: err.stack } : {}),
    ...(err instanceof CliError ? { code: err.code, ...(err.hint !== undefined ? { hint: err.hint } : {}) } : {}),
  };
}

/** The stop request of a shared flag (StopFlag.buffer), as a job's shouldStop. */
export function stopRequested(buffer: SharedArrayBuffer): () => boolean {
  const a = new Int32Array(buffer);
  return () => Atomics.load(a, 0) !== 0;
}
