/**
 * The thread a `matrix` run checks its variants in (worker-job.ts): it finds the factory as the
 * command did, checks the variants in order, posts each finished row, then the matrix. The
 * calling thread takes SIGINT / SIGTERM and raises the shared stop flag: the variant being
 * checked ends as interrupted and the others are not started.
 */
import { runMatrix, type Matrix } from '../../models/matrix.js';
import { matrixFactory, type MatrixJob, type MatrixRowEvent } from './commands/matrix.js';
import { serveJob, stopRequested } from './worker-job.js';

await serveJob<MatrixJob, Matrix, MatrixRowEvent>(async (d, post) => {
  const f = await matrixFactory(d.model, d.cwd);
  const budgets = { ...d.budgets, threads: d.threads, expectedStatesOf: (v: string) => d.expectedStates[v], shouldStop: stopRequested(d.stop) };
  return runMatrix(f, d.given, d.variants, budgets, ({ result: _r, ...row }) => post(row));
});
