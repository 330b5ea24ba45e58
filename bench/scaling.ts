/**
 * What a second thread can buy on this machine (`npm run bench:scaling`): three kinds of work,
 * each timed in one thread and in two threads doing the same amount each, alternately, and per
 * kind the medians and the throughput ratio (2 x one thread's time / two threads' time: 2 means
 * perfect scaling, 1 none, below 1 that two threads together get less done than one). One JSON
 * object on stdout. Timing never decides a test.
 *
 * - compute: integer arithmetic in registers (what the model's steps and guards are made of);
 * - random: reads and writes at random places of a private 64 MB array already mapped (a
 *   store's index probes and duplicate checks);
 * - first-touch: writing one word per page of freshly allocated buffers (a store's new chunks
 *   and grown index: each first write to a page is a page fault).
 *
 * This is the ceiling under any `--workers` design and under moving work to the other core: a
 * kind that does not scale here cannot be made to by the engine. (Measured 2026-12-02 on the
 * project's 2-core VM: compute 1.9, random 1.3 (up to 1.9 in other runs), first-touch 0.75 —
 * two threads taking page faults at once get less done than one; see issue 12's closing note.)
 *
 *   npm run bench:scaling                   5 rounds
 *   npm run bench:scaling -- --reps 9       9 rounds
 *   npm run bench:scaling -- --scale 0.1    a tenth of the work per run (a quick look)
 */
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

type Kind = 'compute' | 'random' | 'first-touch';
const KINDS: readonly Kind[] = ['compute', 'random', 'first-touch'];

interface Job {
  readonly kind: Kind;
  readonly scale: number;
}

/** Integer mixing in registers. */
function compute(scale: number): number {
  const n = Math.round(4e8 * scale);
  let h = 1;
  for (let i = 0; i < n; i++) h = (Math.imul(h, 0x9e3779b1) + i) | 0;
  return h;
}

/** A 64 MB array, every page mapped before the clock starts (the setup of `random`). */
function mappedArray(): Int32Array {
  const t = new Int32Array(1 << 24);
  for (let i = 0; i < t.length; i += 1024) t[i] = 1;
  return t;
}

/** Random reads and writes in `t`. */
function random(t: Int32Array, scale: number): number {
  const n = Math.round(3e7 * scale);
  const mask = t.length - 1;
  let h = 1;
  let s = 0;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 0x9e3779b1) + i) | 0;
    s += t[h & mask]!;
    t[(h >>> 7) & mask] = i;
  }
  return s;
}

/** One word written per 4 KB page of fresh 4 MB buffers (256 MB at scale 1: a large run's store). */
function firstTouch(scale: number): number {
  const n = Math.max(1, Math.round(64 * scale));
  let s = 0;
  for (let k = 0; k < n; k++) {
    const a = new Int32Array(1 << 20);
    for (let i = 0; i < a.length; i += 1024) a[i] = k;
    s += a[4096]!;
  }
  return s;
}

/** In a worker: set up, say ready, run on 'go', report [start, end] in ms since the epoch. */
function serve(job: Job): void {
  const t = job.kind === 'random' ? mappedArray() : null;
  parentPort!.on('message', () => {
    const start = performance.timeOrigin + performance.now();
    const sink = job.kind === 'compute' ? compute(job.scale) : job.kind === 'random' ? random(t!, job.scale) : firstTouch(job.scale);
    const end = performance.timeOrigin + performance.now();
    parentPort!.postMessage({ start, end, sink });
    parentPort!.close();
  });
  parentPort!.postMessage('ready');
}

/** Seconds from the first thread's start to the last one's end, `threads` threads each doing `job`. */
async function timed(job: Job, threads: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: job }));
  // every thread set up (started, its array mapped) before any starts the clock
  await Promise.all(workers.map((w) => new Promise<void>((ok) => w.once('message', () => ok()))));
  const spans = await Promise.all(
    workers.map(
      (w) =>
        new Promise<{ start: number; end: number }>((ok, fail) => {
          w.once('message', ok);
          w.once('error', fail);
          w.postMessage('go');
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  return (Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start))) / 1000;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const reps = Math.max(1, Number(arg('--reps') ?? 5));
  const scale = Number(arg('--scale') ?? 1);
  if (!(scale > 0)) throw new Error('--scale must be a positive number');
  const load = loadavg()[0]!;
  const kinds: Record<string, unknown> = {};
  for (const kind of KINDS) {
    const one: number[] = [];
    const two: number[] = [];
    for (let r = 0; r < reps; r++) {
      // alternated, starting with the other side every round
      for (const threads of r % 2 === 0 ? [1, 2] : [2, 1]) (threads === 1 ? one : two).push(await timed({ kind, scale }, threads));
      process.stderr.write(`${kind} round ${r + 1}: one thread ${one.at(-1)!.toFixed(3)} s, two ${two.at(-1)!.toFixed(3)} s\n`);
    }
    // the ratio of the medians as printed (so the output checks out by hand)
    const m1 = round(median(one));
    const m2 = round(median(two));
    kinds[kind] = {
      oneThread: { medianSeconds: round(m1), seconds: one.map(round) },
      twoThreads: { medianSeconds: round(m2), seconds: two.map(round) },
      /** Work done per second by two threads, relative to one. */
      scaling: Number(((2 * m1) / m2).toFixed(2)),
    };
  }
  process.stdout.write(JSON.stringify({ cpus: availableParallelism(), loadAverageBefore: load, reps, scale, kinds }, null, 2) + '\n');
}

/** Seconds to 0.1 ms. */
function round(x: number): number {
  return Number(x.toFixed(4));
}

if (isMainThread) await main();
else serve(workerData as Job);
