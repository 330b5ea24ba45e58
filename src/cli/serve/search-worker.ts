/**
 * The explorer's search, in a worker thread so the server keeps answering (progress, other
 * pages) while it runs: rebuild the model from its spec, explore for every violation, and post
 * progress and then the shortest traces as step ids (the page turns them into permalinks).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { explore } from '../../engine/explore.js';
import { buildModelFromSpec } from '../../engine/parallel.js';
import type { SearchRequest, SearchMessage } from './search.js';

const req = workerData as SearchRequest;
const post = (m: SearchMessage): void => parentPort!.postMessage(m);
// stay alive until the server has read the result and terminates this thread: an 'exit' seen
// before the last message would read as a search that died
parentPort!.on('message', () => {});

try {
  const model = await buildModelFromSpec(req.spec);
  const r = explore(model, {
    ...req.limits,
    allViolations: true,
    deadlock: req.deadlock,
    progressInterval: 250,
    onProgress: (p) => post({ type: 'progress', states: p.states, depth: p.depth, seconds: p.seconds }),
  });
  post({
    type: 'done',
    result: r.status === 'incomplete' ? `incomplete (${r.incompleteReason ?? 'stopped'})` : r.status === 'pass' ? 'complete: every property holds' : r.complete ? 'complete' : `stopped (${r.incompleteReason ?? 'budget'})`,
    states: r.stats.states,
    depth: r.stats.depth,
    seconds: r.stats.seconds,
    violations: r.violations.flatMap((v) => (v.trace ? [{ property: v.property, message: v.message, init: v.trace.initial, path: v.trace.steps.map((s) => s.step) }] : [])),
  });
} catch (e) {
  post({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
}
