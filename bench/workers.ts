/**
 * Workers against one thread (`npm run bench:workers`): each benchmark instance run sequentially
 * and with `--workers 2`, alternately (A B A B ...), each run in a fresh process (bench/one.ts),
 * and per instance the medians and their ratio as one JSON array on stdout. The machine is shared:
 * each run records the 1-minute load average before it, and the output says how loaded it was.
 * Timing never decides a test.
 *
 *   npm run bench:workers                     every instance, 3 pairs each
 *   npm run bench:workers -- --reps 5         5 pairs
 *   npm run bench:workers -- --only peterson  instances whose name contains 'peterson'
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argValue, dvePath, largeInstances } from './common.js';
import type { RunSpec } from './one.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = argValue('--only');
const reps = Math.max(1, Number(argValue('--reps') ?? 3));

const instances: RunSpec[] = [];
for (const { instance, states } of largeInstances()) {
  const path = dvePath(instance);
  if (instance === 'anderson.6' || !existsSync(path)) continue;
  instances.push({ name: instance, model: { dve: path }, expectedStates: states });
}
instances.push({ name: 'xen-timer seed-v2 N=1 K=4', model: { registry: 'xen-timer', params: {} } });
instances.push({ name: 'xen-timer proposed-fix N=1 K=5 M=2', model: { registry: 'xen-timer', params: { variant: 'proposed-fix', ops: 5, invalidations: 2 } } });
instances.push({ name: 'xen-timer proposed-fix N=1 K=6 M=2', model: { registry: 'xen-timer', params: { variant: 'proposed-fix', ops: 6, invalidations: 2 } } });

interface Run {
  readonly states: number;
  /** The search (explore) alone. */
  readonly seconds: number;
  /** The whole process. */
  readonly wall: number;
  readonly load: number;
}

function once(spec: RunSpec): Run {
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(here, 'one.js'), JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${spec.name}: ${r.stderr.trim().split('\n').at(-1)}`);
  const out = JSON.parse(r.stdout) as { states: number; seconds: number };
  return { states: out.states, seconds: out.seconds, wall: Number(wall.toFixed(3)), load: Number(load.toFixed(2)) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const results: unknown[] = [];
for (const spec of instances) {
  if (only && !spec.name.includes(only)) continue;
  const seq: Run[] = [];
  const par: Run[] = [];
  for (let k = 0; k < reps; k++) {
    process.stderr.write(`${spec.name} pair ${k + 1}/${reps} ...`);
    seq.push(once(spec));
    par.push(once({ ...spec, options: { ...spec.options, workers: 2 } }));
    process.stderr.write(` sequential ${seq.at(-1)!.wall} s, workers ${par.at(-1)!.wall} s (load ${seq.at(-1)!.load})\n`);
  }
  if (par.some((r) => r.states !== seq[0]!.states)) throw new Error(`${spec.name}: the workers found another state count`);
  const wallSeq = median(seq.map((r) => r.wall));
  const wallPar = median(par.map((r) => r.wall));
  results.push({
    instance: spec.name,
    states: seq[0]!.states,
    pairs: reps,
    sequential: { medianWall: wallSeq, medianSearch: median(seq.map((r) => r.seconds)), runs: seq },
    workers2: { medianWall: wallPar, medianSearch: median(par.map((r) => r.seconds)), runs: par },
    /** Sequential time over the workers' (> 1: the workers are faster), whole process. */
    speedup: Number((wallSeq / wallPar).toFixed(2)),
    medianLoad: median([...seq, ...par].map((r) => r.load)),
  });
}
process.stdout.write(JSON.stringify({ cores: (await import('node:os')).cpus().length, results }, null, 2) + '\n');
