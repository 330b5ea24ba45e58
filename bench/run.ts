/**
 * The benchmark driver (`npm run bench`): each run in a fresh process (bench/one.ts), results as
 * JSON on stdout (one array), progress on stderr. Timing never decides a test.
 *
 *   npm run bench                      BEEM large instances + Xen model runs, sequential and modes
 *   npm run bench -- --only peterson   runs whose name contains 'peterson'
 *   npm run bench -- --reps 3          repeat each run, report every repetition and the best
 *   npm run bench -- --no-anderson     skip anderson.6 (18 M states, about a minute)
 *   npm run bench -- --suite engine|modes|xen|reduction|matrix   one part only
 *
 * The matrix suite times the whole `matrix` command (all Xen variants against expected.json) in
 * a fresh process, with one thread and with the default (one per CPU).
 *
 * The reduction suite runs each model without and with partial-order reduction (BEEM large
 * instances, Xen variants at 1 and 2 vCPUs; two vCPUs at K = 2 with a 10-minute limit per run,
 * where only the reduced search completes — its row shows how far the full one got) and ends with
 * a table on stderr: states and time with and without it.
 *
 * The BEEM instances come from test/fixtures/beem/large.csv (published state counts); each result
 * says whether the count matches. large.csv records no running times, so the comparison with the
 * BEEM/DiVinE 2007 runs is on counts only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argFlag, argValue, dvePath, largeInstances, root } from './common.js';
import type { RunSpec } from './one.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = argValue('--only');
const suite = argValue('--suite');
const reps = Number(argValue('--reps') ?? 1);

interface Planned {
  readonly suite: 'engine' | 'modes' | 'xen' | 'reduction';
  readonly run: RunSpec;
  readonly expectStates?: number;
}

const plan: Planned[] = [];
for (const { instance, states } of largeInstances()) {
  if (instance === 'anderson.6' && argFlag('--no-anderson')) continue;
  const path = dvePath(instance);
  if (!existsSync(path)) continue;
  plan.push({ suite: 'engine', run: { name: instance, model: { dve: path }, expectedStates: states }, expectStates: states });
  if (instance !== 'anderson.6') {
    plan.push({ suite: 'modes', run: { name: instance, model: { dve: path }, options: { workers: 1 } }, expectStates: states });
    plan.push({ suite: 'modes', run: { name: instance, model: { dve: path }, options: { workers: 2 } }, expectStates: states });
    plan.push({ suite: 'modes', run: { name: instance, model: { dve: path }, options: { fingerprint: true } }, expectStates: states });
  }
  if (instance !== 'anderson.6') {
    for (const por of [false, true]) plan.push({ suite: 'reduction', run: { name: instance, model: { dve: path }, options: { por } }, expectStates: states });
  }
}
const xen = (name: string, params: Record<string, number | boolean | string>, options: RunSpec['options'] = {}): void => {
  plan.push({ suite: 'xen', run: { name, model: { registry: 'xen-timer', params }, options } });
};
xen('xen-timer proposed-fix N=1 K=4', { variant: 'proposed-fix' });
xen('xen-timer seed-v2 N=1 K=4', {});
xen('xen-timer seed-v2 N=1 K=4', {}, { workers: 2 });
xen('xen-timer proposed-fix N=1 K=6 M=2', { variant: 'proposed-fix', ops: 6, invalidations: 2 });
xen('xen-timer proposed-fix N=1 K=6 M=2', { variant: 'proposed-fix', ops: 6, invalidations: 2 }, { workers: 2 });
xen('xen-timer proposed-fix N=1 K=6 M=2', { variant: 'proposed-fix', ops: 6, invalidations: 2 }, { fingerprint: true });
xen('xen-timer seed-v2 N=2 K=1', { vcpus: 2, ops: 1 });
xen('xen-timer seed-v2 N=2 K=1', { vcpus: 2, ops: 1 }, { symmetry: true });
xen('xen-timer seed-v2 N=2 K=1', { vcpus: 2, ops: 1 }, { symmetry: true, workers: 2 });
// 3 vCPUs with the default M=1 and both placements is tens of millions of states: the cache stays valid here
xen('xen-timer seed-v2 N=3 K=1 M=0 other-CPU', { vcpus: 3, ops: 1, invalidations: 0, placement: 'other' }, { symmetry: true });
xen('xen-timer seed-v2 N=3 K=1 M=0 other-CPU', { vcpus: 3, ops: 1, invalidations: 0, placement: 'other' }, { symmetry: true, workers: 2 });

// reduction: each Xen run without and with partial-order reduction (two vCPUs: with symmetry)
const reduction = (name: string, params: Record<string, number | boolean | string>, options: RunSpec['options'] = {}): void => {
  for (const por of [false, true]) plan.push({ suite: 'reduction', run: { name, model: { registry: 'xen-timer', params }, options: { ...options, por } } });
};
for (const variant of ['seed-v2', 'proposed-fix']) {
  reduction(`xen-timer ${variant} N=1 K=4`, { variant });
  reduction(`xen-timer ${variant} N=2 K=1`, { variant, vcpus: 2, ops: 1 }, { symmetry: true });
}
// two vCPUs at K = 2 (issue 10): with symmetry and hash compaction, 10 minutes each at most (an
// unfinished run reports complete: false and how far it got)
reduction('xen-timer proposed-fix N=2 K=2', { variant: 'proposed-fix', vcpus: 2, ops: 2 }, { symmetry: true, fingerprint: true, timeLimit: 600 });

const oneJs = join(here, 'one.js');
const results: unknown[] = [];
for (const p of plan) {
  if (only && !p.run.name.includes(only)) continue;
  if (suite && p.suite !== suite) continue;
  for (let k = 0; k < reps; k++) {
    process.stderr.write(`${p.run.name} ${JSON.stringify(p.run.options ?? {})} ...`);
    const r = spawnSync(process.execPath, [oneJs, JSON.stringify(p.run)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      process.stderr.write(` failed (exit ${r.status}): ${r.stderr.trim().split('\n').at(-1)}\n`);
      results.push({ name: p.run.name, suite: p.suite, options: p.run.options ?? {}, error: r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}` });
      continue;
    }
    const out = JSON.parse(r.stdout) as { states: number; seconds: number; statesPerSecond: number };
    const reduced = (p.run.options?.symmetry ?? false) || (p.run.options?.por ?? false);
    const row = { suite: p.suite, rep: k + 1, ...out, ...(p.expectStates !== undefined ? { publishedStates: p.expectStates, matchesPublished: out.states === p.expectStates || reduced } : {}) };
    results.push(row);
    process.stderr.write(` ${out.states} states, ${out.seconds} s, ${out.statesPerSecond} states/s\n`);
  }
}
// the whole verdict matrix (CLI, a fresh process): wall time with one thread and with the default (one per CPU)
const cli = join(root, 'bin', 'xentimer-check.js');
for (const jobs of ['1', undefined]) {
  const name = `matrix xen-timer${jobs ? ` --jobs ${jobs}` : ''}`;
  if ((only && !name.includes(only)) || (suite && suite !== 'matrix')) continue;
  for (let k = 0; k < reps; k++) {
    process.stderr.write(`${name} ...`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'matrix', '-q', ...(jobs ? ['--jobs', jobs] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = Number(((performance.now() - t0) / 1000).toFixed(3));
    const same = r.status === 0 && /SAME/.test(r.stdout);
    results.push({ suite: 'matrix', rep: k + 1, name, seconds, same, ...(r.status !== 0 ? { error: r.stdout.trim().split('\n').at(-1) ?? `exit ${r.status}` } : {}) });
    process.stderr.write(` ${seconds} s${same ? '' : ' (not SAME)'}\n`);
  }
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
process.stderr.write(reductionTable(results));

/** The reduction suite as a table: per model, states and seconds without and with reduction (best repetition). */
function reductionTable(rows: unknown[]): string {
  type Row = { suite: string; name: string; mode: string; states: number; seconds: number; complete?: boolean; por?: { reducedStates?: number } };
  const red = (rows as Row[]).filter((r) => r.suite === 'reduction' && r.states !== undefined);
  if (red.length === 0) return '';
  const best = new Map<string, Row>();
  for (const r of red) {
    const k = `${r.name}|${r.mode}`;
    const b = best.get(k);
    if (!b || r.seconds < b.seconds) best.set(k, r);
  }
  const out = ['', '| model | states | with reduction | factor | seconds | with reduction |', '|---|---:|---:|---:|---:|---:|'];
  for (const [k, full] of best) {
    if (k.includes('por')) continue;
    const por = best.get(`${k}+por`) ?? best.get(k.replace('|sequential', '|sequential+por'));
    if (!por) continue;
    // a run stopped by its time limit: its count is a lower bound ("≥"), and so is the factor when the reduced run completed
    const count = (r: Row): string => `${r.complete === false ? '≥ ' : ''}${r.states.toLocaleString('en')}`;
    const factor = por.complete === false ? '?' : `${full.complete === false ? '> ' : ''}${(full.states / por.states).toFixed(2)}`;
    out.push(`| ${full.name} (${full.mode}) | ${count(full)} | ${count(por)} | ${factor} | ${full.seconds} | ${por.seconds} |`);
  }
  return out.join('\n') + '\n';
}
