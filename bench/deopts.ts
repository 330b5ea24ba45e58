/**
 * Where V8 throws optimised code away during a search (`npm run bench:deopts`): each workload runs
 * once in a fresh process (bench/one) under `--trace-deopt-verbose`, and the deoptimisations are
 * listed by source position, reason and the functions the position was inlined into. One JSON
 * object on stdout; the figures are counts, not timings, and decide no test.
 *
 * A deoptimisation inside the search loop (the engine's files, or a model's generated successor
 * generator, which inlines the search's emit and the store's insert) throws away the hottest code
 * of the search and runs it unoptimised until V8 has compiled it again: on loyd.2 the one at the
 * store's first new chunk (state 65,536) cost about 14% of the search (store.ts, JIT_REHEARSAL).
 * `searchLoop` counts those that threw away the loop's code (deopt-log.ts, inSearchLoop); `other`
 * those that cost one function only (a store's grow(), a model's check; generated functions show
 * as `unknown`). One expected search-loop deoptimisation: where the reduction gives up
 * (StubbornSets.abandoned), the loop changes its path for good.
 *
 *   npm run bench:deopts                           the default workloads
 *   npm run bench:deopts -- --only loyd.2,xen      some of them
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { argValue, dvePath, root } from './common.js';
import type { RunSpec } from './one.js';
import { inSearchLoop, parseDeopts, type Deopt } from './deopt-log.js';

interface Workload {
  readonly name: string;
  readonly spec: RunSpec;
}

const xen = (por: boolean): RunSpec => ({ name: `xen${por ? '' : ' --no-por'}`, model: { registry: 'xen-timer', params: { variant: 'proposed-fix' } }, options: { por } });
/** A DVE instance without a size hint, as the CLI runs it (the index grows as it fills). */
const dve = (instance: string, por: boolean): RunSpec => ({ name: instance, model: { dve: dvePath(instance) }, options: { por } });

const WORKLOADS: readonly Workload[] = [
  { name: 'loyd.2', spec: dve('loyd.2', false) },
  { name: 'hanoi.2', spec: dve('hanoi.2', false) },
  { name: 'peterson.4', spec: dve('peterson.4', true) },
  { name: 'xen', spec: xen(true) },
  { name: 'xen --no-por', spec: xen(false) },
];

function runWorkload(w: Workload): { name: string; states?: number; searchLoop: number; other: number; deopts: Deopt[]; error?: string } {
  const r = spawnSync(process.execPath, ['--trace-deopt-verbose', join(root, 'dist', 'bench', 'one.js'), JSON.stringify(w.spec)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const result = /^\{"name".*$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !result) return { name: w.name, searchLoop: 0, other: 0, deopts: [], error: (r.stderr || r.stdout || '').trim().split('\n').at(-1) ?? `exit ${r.status}` };
  const deopts = parseDeopts(r.stdout + '\n' + r.stderr, root);
  const searchLoop = deopts.filter(inSearchLoop).length;
  return { name: w.name, states: (JSON.parse(result[0]) as { states: number }).states, searchLoop, other: deopts.length - searchLoop, deopts };
}

const only = argValue('--only')?.split(',');
const chosen = only ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;
if (only && chosen.length !== only.length) {
  process.stderr.write(`bench:deopts: unknown workload in --only (known: ${WORKLOADS.map((w) => w.name).join(', ')})\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify({ node: process.version, workloads: chosen.map(runWorkload) }, null, 2) + '\n');
