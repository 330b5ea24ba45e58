/** A worker thread of matrix-jobs.ts (one of `matrix --jobs N`; not the CLI's signal host, src/cli/matrix-worker.ts): takes variants from the shared counter until none is left. */
import { workerData } from 'node:worker_threads';
import { findModel } from './index.js';
import { JOBS, runJob, type MatrixWorkerData, type MatrixWorkerMessage } from './matrix-jobs.js';

const data = workerData as MatrixWorkerData;
const ctrl = new Int32Array(data.ctrl);
const post = (m: MatrixWorkerMessage): void => {
  data.port.postMessage(m);
  Atomics.add(ctrl, JOBS.posted, 1);
  Atomics.notify(ctrl, JOBS.posted);
};
const stopped = (): boolean => Atomics.load(ctrl, JOBS.stop) === 1;
const factory = findModel(data.model);
for (let k = Atomics.add(ctrl, JOBS.next, 1); k < data.jobs.length; k = Atomics.add(ctrl, JOBS.next, 1)) {
  try {
    if (!factory) throw new Error(`no registered model ${data.model}`);
    post({ k, result: stopped() ? null : runJob(factory, data.jobs[k]!, stopped) });
  } catch (e) {
    post({ k, error: { name: e instanceof Error ? e.constructor.name : 'Error', message: e instanceof Error ? e.message : String(e) } });
  }
}
data.port.close();
