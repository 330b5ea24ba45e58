/**
 * SPIN side by side (`npm run bench:spin`): for each BEEM instance with a Promela translation,
 * build SPIN's verifier (`spin -a`, `gcc -O2 -DNOREDUCE -DBFS -DSAFETY`) and run it, run our
 * engine on the DVE instance (bench/one.ts), both as whole processes, and print one JSON object:
 * per instance both state counts and, per side, the wall seconds of every repetition, their
 * median and best, and states/s of the median; our speed as a multiple of SPIN's (medians).
 * The sides are run alternately (spin, ours, [cli], [base], spin, ours, ...) so that a change in
 * the machine's load falls on all of them; the load average is recorded before and after.
 *
 * Counts: the figures are comparable only where the counts are equal (`countsAgree`, exact
 * equality, as issue 12 says); `stateDifference` (ours - SPIN's) shows by how much they differ
 * where they do not. `initPrologue` is the number of states SPIN stores while the translation's
 * `init` sets up the model (promela-prologue.ts), and `sameSpace` says whether SPIN's count is
 * exactly ours plus that prologue — the same state space apart from the translation's set-up:
 * hanoi.2 (+7), loyd.2 (+3), anderson.6 (+7). peterson.4 and phils.5 differ by many (the
 * translations group steps differently: peterson.4 is 1,067,376 Promela states against 1,119,560
 * DVE).
 * Skips cleanly (prints `{"skipped": why, "rows": []}`, says why on stderr, exit 0) when spin, a C compiler or the Promela
 * files are missing (`apt-get install spin gcc`).
 *
 *   npm run bench:spin                        every instance found
 *   npm run bench:spin -- --only loyd         instances whose name contains 'loyd'
 *   npm run bench:spin -- --reps 5            5 alternated runs of each side (default 3)
 *   npm run bench:spin -- --no-anderson       skip anderson.6 (18 M states)
 *   npm run bench:spin -- --cli               also time our CLI (`check FILE.dve --no-deadlock
 *                                             --no-por --format json`): what a user runs
 *   npm run bench:spin -- --base DIR          also time another checkout's build (DIR/dist/bench/one.js,
 *                                             and DIR/bin with --cli) in the same alternation: before/after
 *   npm run bench:spin -- --out FILE          also write the JSON to FILE
 *   npm run bench:spin -- --promela DIR       where the .pm files are (default: ../shared/beem/promela
 *                                             next to the checkout, or $BEEM_PROMELA)
 * Timing never decides a test; on a shared machine compare medians of alternated runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { argFlag, argValue, dvePath, largeInstances, root } from './common.js';
import { initPrologue } from './promela-prologue.js';

const only = argValue('--only');
const reps = Math.max(1, Number(argValue('--reps') ?? 3));
const withCli = argFlag('--cli');
const base = argValue('--base');
const outFile = argValue('--out');

function skip(why: string): never {
  process.stderr.write(`bench:spin skipped: ${why}\n`);
  process.stdout.write(JSON.stringify({ skipped: why, rows: [] }) + '\n');
  process.exit(0);
}

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error === undefined;
}

function promelaDir(): string | undefined {
  const given = argValue('--promela') ?? (process.env.BEEM_PROMELA || undefined);
  if (given !== undefined) return existsSync(given) ? given : undefined;
  return [join(root, '..', 'shared', 'beem', 'promela'), join(root, '..', '..', 'shared', 'beem', 'promela')].find((d) => existsSync(d));
}

/** One run of one side: its counts and wall seconds. */
interface Run {
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
}

/** One side over the repetitions: every wall time, their median and best, states/s of the median. */
interface Figure {
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number[];
  readonly median: number;
  readonly best: number;
  readonly statesPerSecond: number;
}

/** Wall seconds of a whole child process. */
function timed(cmd: string, args: string[], cwd?: string): { seconds: number; stdout: string; status: number | null; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
}

/** Build pan for `pm` in a fresh directory; returns the directory. */
function buildPan(pm: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'xentimer-spin-'));
  copyFileSync(pm, join(dir, 'model.pm'));
  try {
    const a = spawnSync('spin', ['-a', 'model.pm'], { cwd: dir, encoding: 'utf8' });
    if (a.status !== 0) throw new Error(`spin -a ${pm}: ${a.stderr || a.stdout}`);
    const c = spawnSync('gcc', ['-O2', '-DNOREDUCE', '-DBFS', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`gcc pan.c for ${pm}: ${c.stderr}`);
    return dir;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** One pan run, the hash table as large as the state count (-w bits), as one would tune it. */
function runPan(dir: string, expected: number): Run {
  const bits = Math.max(18, Math.ceil(Math.log2(Math.max(2, expected))) + 1);
  const r = timed('./pan', ['-m100000000', `-w${bits}`], dir);
  const states = Number(/(\d+) states, stored/.exec(r.stdout)?.[1]);
  const transitions = Number(/(\d+) transitions \(= stored\+matched\)/.exec(r.stdout)?.[1]);
  if (!Number.isFinite(states)) throw new Error(`pan gave no state count: ${r.stdout.slice(-500)}`);
  return { states, transitions, seconds: r.seconds };
}

/** The published state counts (large.csv), sizing our store as -w sizes SPIN's. */
function published(): Map<string, number> {
  return new Map(largeInstances().map(({ instance, states }) => [instance, states]));
}

/** One run of our engine from checkout `dir`: bench/one (the engine) or the CLI (what a user runs). */
function runOurs(dir: string, how: 'one' | 'cli', dve: string, name: string, expectedStates: number | undefined): Run {
  const r =
    how === 'cli'
      ? timed(process.execPath, [join(dir, 'bin', 'xentimer-check.js'), 'check', dve, '--no-deadlock', '--no-por', '--format', 'json'])
      : timed(process.execPath, [join(dir, 'dist', 'bench', 'one.js'), JSON.stringify({ name, model: { dve }, expectedStates })]);
  if (r.status !== 0) throw new Error(`ours (${how}, ${dir}) ${name}: ${r.stderr.trim().split('\n').at(-1)}`);
  const parsed = JSON.parse(r.stdout) as { states: number; transitions: number } | { stats: { states: number; transitions: number } };
  const out = 'stats' in parsed ? parsed.stats : parsed;
  return { states: out.states, transitions: out.transitions, seconds: r.seconds };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function figure(runs: readonly Run[]): Figure {
  const seconds = runs.map((r) => round(r.seconds));
  const med = median(runs.map((r) => r.seconds));
  const { states, transitions } = runs[0]!;
  if (runs.some((r) => r.states !== states)) throw new Error(`repetitions disagree on the state count: ${runs.map((r) => r.states).join(', ')}`);
  return { states, transitions, seconds, median: round(med), best: round(Math.min(...runs.map((r) => r.seconds))), statesPerSecond: Math.round(states / med) };
}

function round(x: number): number {
  return Number(x.toFixed(3));
}

/** Our speed over SPIN's: states/s of the medians. */
function ratio(ours: Figure, spin: Figure): number {
  return Number((ours.statesPerSecond / spin.statesPerSecond).toFixed(2));
}

const load = (): number[] => loadavg().map((x) => Number(x.toFixed(2)));

if (!has('spin', ['-V'])) skip('spin is not installed (apt-get install spin)');
if (!has('gcc', ['--version'])) skip('gcc is not installed (apt-get install gcc)');
const pmDir = promelaDir();
if (!pmDir) skip('no Promela translations found (--promela DIR or $BEEM_PROMELA)');
if (base !== undefined && !existsSync(join(base, 'dist', 'bench', 'one.js'))) skip(`--base ${base}: no dist/bench/one.js there (build that checkout first)`);

const counts = published();
const rows: unknown[] = [];
const loadBefore = load();
for (const file of readdirSync(pmDir).filter((f) => f.endsWith('.pm')).sort()) {
  const instance = file.slice(0, -'.pm'.length);
  if (only && !instance.includes(only)) continue;
  if (instance === 'anderson.6' && argFlag('--no-anderson')) continue;
  const dve = dvePath(instance);
  if (!existsSync(dve)) {
    process.stderr.write(`${instance}: no DVE instance, skipped\n`);
    continue;
  }
  process.stderr.write(`${instance} ...`);
  try {
    rows.push(compareOne(instance, join(pmDir, file), dve, counts.get(instance)));
  } catch (e) {
    // a translation SPIN or gcc cannot build, a pan or a run of ours that fails: said, and the others go on
    const error = e instanceof Error ? e.message.trim().split('\n')[0]! : String(e);
    process.stderr.write(` failed: ${error}\n`);
    rows.push({ instance, error });
  }
}
const out = { reps, alternated: true, loadAverage: { before: loadBefore, after: load() }, cpus: cpus().length, base: base ?? null, rows };
const text = JSON.stringify(out, null, 2) + '\n';
if (outFile !== undefined) writeFileSync(outFile, text);
process.stdout.write(text);

/** SPIN and ours (and the CLI, the base checkout when asked), alternately, on one instance: its row. */
function compareOne(instance: string, pm: string, dve: string, expected: number | undefined): Record<string, unknown> {
  const dir = buildPan(pm);
  try {
    const sides: Record<string, Run[]> = { spin: [], ours: [] };
    if (withCli) sides['oursCli'] = [];
    if (base !== undefined) {
      sides['base'] = [];
      if (withCli) sides['baseCli'] = [];
    }
    for (let k = 0; k < reps; k++) {
      sides['spin']!.push(runPan(dir, expected ?? sides['ours']![0]?.states ?? 1 << 20));
      sides['ours']!.push(runOurs(root, 'one', dve, instance, expected));
      if (withCli) sides['oursCli']!.push(runOurs(root, 'cli', dve, instance, expected));
      if (base !== undefined) {
        sides['base']!.push(runOurs(base, 'one', dve, instance, expected));
        if (withCli) sides['baseCli']!.push(runOurs(base, 'cli', dve, instance, expected));
      }
      process.stderr.write('.');
    }
    const f = Object.fromEntries(Object.entries(sides).map(([k, runs]) => [k, figure(runs)])) as Record<string, Figure>;
    const spin = f['spin']!;
    const ours = f['ours']!;
    const speedups = Object.fromEntries(Object.keys(f).filter((k) => k !== 'spin').map((k) => [k, ratio(f[k]!, spin)]));
    const prologue = initPrologue(readFileSync(pm, 'utf8'));
    const row = {
      instance,
      countsAgree: spin.states === ours.states,
      /** Our count minus SPIN's (the figures compare exactly only at 0). */
      stateDifference: ours.states - spin.states,
      /** States SPIN stores while the translation's init sets the model up (null: an init of another shape). */
      initPrologue: prologue,
      /** SPIN's count is ours plus that prologue: the same state space apart from the set-up. */
      sameSpace: prologue !== null && spin.states === ours.states + prologue,
      ...f,
      /** Our states/s over SPIN's, medians (meaningful where the counts agree). */
      speedup: speedups['ours'],
      speedups,
    };
    process.stderr.write(` spin ${spin.states} states ${spin.median} s, ours ${ours.states} states ${ours.median} s (${Object.entries(speedups).map(([k, v]) => `${k} ${v}x`).join(', ')})\n`);
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
