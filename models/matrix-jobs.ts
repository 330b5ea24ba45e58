/**
 * The variants of a verdict matrix checked at the same time: the calling thread and `threads - 1`
 * worker threads (matrix-jobs-worker.ts) take variants in turn from a shared counter, each explores
 * its variant whole, and the results come back in variant order. Every exploration is the same
 * as in a single thread (one variant, one search), so the matrix is too; only the wall time
 * changes. The calling thread blocks (Atomics.wait) while it waits, as the parallel search's owner
 * does, so that the matrix stays a synchronous call.
 *
 * Only a registered model can be built in a worker (by name, models/index.js); its options must
 * be plain data except `shouldStop`, which is polled by the calling thread and passed on through
 * a shared flag.
 */
import { receiveMessageOnPort, Worker, type MessagePort, MessageChannel } from 'node:worker_threads';
import { explore, type ExploreOptions } from '../src/engine/explore.js';
import { ModelError } from '../src/engine/model.js';
import type { Result } from '../src/engine/result.js';
import type { ModelFactory } from '../src/engine/model.js';

export interface VariantJob {
  readonly variant: string;
  /** Resolved parameters of the variant's model. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly options: Omit<ExploreOptions, 'shouldStop' | 'onProgress'>;
}

/** Shared words: the next job, results posted, stop requested. */
export const JOBS = { next: 0, posted: 1, stop: 2 } as const;

export interface MatrixWorkerData {
  readonly model: string;
  readonly jobs: readonly VariantJob[];
  readonly ctrl: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** A worker's answer for job k: its result, null when a stop request came before it started, or an error. */
export type MatrixWorkerMessage = { readonly k: number; readonly result: Result | null } | { readonly k: number; readonly error: { readonly name: string; readonly message: string } };

/**
 * Explore every job, `threads` at a time; `onResult(k, result)` is called for k = 0, 1, ... in
 * order. After a stop request the jobs being explored end as interrupted and the others are not
 * started (no onResult for them). The factory must be the registered model `factory.name` when
 * threads > 1.
 */
export function runJobs(factory: ModelFactory, jobs: readonly VariantJob[], threads: number, shouldStop: (() => boolean) | undefined, onResult: (k: number, r: Result) => void): void {
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const stopped = (): boolean => {
    if (Atomics.load(ctrl, JOBS.stop) === 1) return true;
    if (shouldStop?.()) {
      Atomics.store(ctrl, JOBS.stop, 1);
      return true;
    }
    return false;
  };
  const nWorkers = Math.max(0, Math.min(threads, jobs.length) - 1);
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < nWorkers; i++) {
    const { port1, port2 } = new MessageChannel();
    const data: MatrixWorkerData = { model: factory.name, jobs, ctrl: ctrl.buffer as SharedArrayBuffer, port: port2 };
    const w = new Worker(new URL('./matrix-jobs-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
    w.unref();
    workers.push(w);
    ports.push(port1);
  }
  const done = new Map<number, Result | null>();
  let emitted = 0;
  const flush = (): void => {
    for (let r = done.get(emitted); r !== undefined; r = done.get(emitted)) {
      done.delete(emitted);
      if (r !== null) onResult(emitted, r);
      emitted++;
    }
  };
  const collect = (): void => {
    for (const p of ports) {
      for (let m = receiveMessageOnPort(p); m; m = receiveMessageOnPort(p)) {
        const msg = m.message as MatrixWorkerMessage;
        if ('error' in msg) throw msg.error.name === 'ModelError' ? new ModelError(msg.error.message) : new Error(`matrix worker, variant ${jobs[msg.k]!.variant}: ${msg.error.message}`);
        done.set(msg.k, msg.result);
      }
    }
  };
  try {
    // this thread takes jobs too
    for (let k = Atomics.add(ctrl, JOBS.next, 1); k < jobs.length; k = Atomics.add(ctrl, JOBS.next, 1)) {
      done.set(k, stopped() ? null : runJob(factory, jobs[k]!, stopped));
      collect();
      flush();
    }
    while (emitted < jobs.length) {
      const seen = Atomics.load(ctrl, JOBS.posted);
      collect();
      flush();
      if (emitted >= jobs.length) break;
      stopped();
      // a worker that died would never post: its thread id turns -1
      if (Atomics.wait(ctrl, JOBS.posted, seen, 100) === 'timed-out' && workers.some((w) => w.threadId === -1)) throw new Error('a matrix worker thread exited unexpectedly');
    }
  } finally {
    Atomics.store(ctrl, JOBS.stop, 1);
    for (const w of workers) void w.terminate();
    for (const p of ports) p.close();
  }
}

/** One variant: build its model and explore it (stopping when `stopped()` says so). */
export function runJob(factory: ModelFactory, job: VariantJob, stopped: () => boolean): Result {
  return explore(factory.build(job.params), { ...job.options, shouldStop: stopped });
}
