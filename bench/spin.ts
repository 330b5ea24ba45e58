/**
 * SPIN side by side (`npm run bench:spin`): for each BEEM instance with a Promela translation,
 * build SPIN's verifier (`spin -a`, `gcc -O2 -DNOREDUCE -DBFS -DSAFETY`) and run it, run our
 * engine on the DVE instance (bench/one.ts), both as whole processes, and print one JSON array:
 * per instance both state counts, wall seconds and states/s (best of --reps), and our speed as a
 * multiple of SPIN's. The figures are comparable only where the counts agree (`countsAgree`): the
 * translations group some steps differently (peterson.4: 1,067,376 Promela states, 1,119,560 DVE).
 * Skips cleanly (prints `[]`, says why on stderr, exit 0) when spin, a C compiler or the Promela
 * files are missing (`apt-get install spin gcc`).
 *
 *   npm run bench:spin                        every instance found
 *   npm run bench:spin -- --only loyd         instances whose name contains 'loyd'
 *   npm run bench:spin -- --reps 3            best of 3 runs of each side
 *   npm run bench:spin -- --no-anderson       skip anderson.6 (18 M states)
 *   npm run bench:spin -- --cli               time our CLI (`check FILE.dve --no-deadlock --no-por
 *                                             --format json`) instead of bench/one: what a user runs
 *   npm run bench:spin -- --promela DIR       where the .pm files are (default: ../shared/beem/promela
 *                                             next to the checkout, or $BEEM_PROMELA)
 * Timing never decides a test; on a shared machine compare best-of figures run back to back.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = value('--only');
const reps = Math.max(1, Number(value('--reps') ?? 1));
const dveDir = join(root, 'test', 'fixtures', 'beem', 'models');

function skip(why: string): never {
  process.stderr.write(`bench:spin skipped: ${why}\n`);
  process.stdout.write('[]\n');
  process.exit(0);
}

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error === undefined;
}

function promelaDir(): string | undefined {
  const given = value('--promela') ?? (process.env.BEEM_PROMELA || undefined);
  if (given !== undefined) return existsSync(given) ? given : undefined;
  return [join(root, '..', 'shared', 'beem', 'promela'), join(root, '..', '..', 'shared', 'beem', 'promela')].find((d) => existsSync(d));
}

interface Figure {
  readonly states: number;
  readonly transitions: number;
  /** Whole process, best of the repetitions. */
  readonly seconds: number;
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
  const a = spawnSync('spin', ['-a', 'model.pm'], { cwd: dir, encoding: 'utf8' });
  if (a.status !== 0) throw new Error(`spin -a ${pm}: ${a.stderr || a.stdout}`);
  const c = spawnSync('gcc', ['-O2', '-DNOREDUCE', '-DBFS', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`gcc pan.c for ${pm}: ${c.stderr}`);
  return dir;
}

/** The hash table as large as the state count (-w bits), as one would tune it. */
function runPan(dir: string, expected: number): Figure {
  const bits = Math.max(18, Math.ceil(Math.log2(Math.max(2, expected))) + 1);
  let best: Figure | undefined;
  for (let k = 0; k < reps; k++) {
    const r = timed('./pan', ['-m100000000', `-w${bits}`], dir);
    const states = Number(/(\d+) states, stored/.exec(r.stdout)?.[1]);
    const transitions = Number(/(\d+) transitions \(= stored\+matched\)/.exec(r.stdout)?.[1]);
    if (!Number.isFinite(states)) throw new Error(`pan gave no state count: ${r.stdout.slice(-500)}`);
    const f = { states, transitions, seconds: round(r.seconds), statesPerSecond: Math.round(states / r.seconds) };
    if (!best || f.seconds < best.seconds) best = f;
  }
  return best!;
}

/** The published state counts (large.csv), sizing our store as -w sizes SPIN's. */
function published(): Map<string, number> {
  const csv = join(root, 'test', 'fixtures', 'beem', 'large.csv');
  if (!existsSync(csv)) return new Map();
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
  return new Map(rows.map((l) => l.split(',')).map(([i, n]) => [i!, Number(n)]));
}

function runOurs(dve: string, name: string, expectedStates: number | undefined): Figure {
  const oneJs = join(here, 'one.js');
  const cli = join(root, 'bin', 'xentimer-check.js');
  let best: Figure | undefined;
  for (let k = 0; k < reps; k++) {
    const r = argv.includes('--cli')
      ? timed(process.execPath, [cli, 'check', dve, '--no-deadlock', '--no-por', '--format', 'json'])
      : timed(process.execPath, [oneJs, JSON.stringify({ name, model: { dve }, expectedStates })]);
    if (r.status !== 0) throw new Error(`ours ${name}: ${r.stderr.trim().split('\n').at(-1)}`);
    const parsed = JSON.parse(r.stdout) as { states: number; transitions: number } | { stats: { states: number; transitions: number } };
    const out = 'stats' in parsed ? parsed.stats : parsed;
    const f = { states: out.states, transitions: out.transitions, seconds: round(r.seconds), statesPerSecond: Math.round(out.states / r.seconds) };
    if (!best || f.seconds < best.seconds) best = f;
  }
  return best!;
}

function round(x: number): number {
  return Number(x.toFixed(3));
}

if (!has('spin', ['-V'])) skip('spin is not installed (apt-get install spin)');
if (!has('gcc', ['--version'])) skip('gcc is not installed (apt-get install gcc)');
const pmDir = promelaDir();
if (!pmDir) skip('no Promela translations found (--promela DIR or $BEEM_PROMELA)');

const counts = published();
const results: unknown[] = [];
for (const file of readdirSync(pmDir).filter((f) => f.endsWith('.pm')).sort()) {
  const instance = file.slice(0, -'.pm'.length);
  if (only && !instance.includes(only)) continue;
  if (instance === 'anderson.6' && argv.includes('--no-anderson')) continue;
  const dve = join(dveDir, `${instance}.dve`);
  if (!existsSync(dve)) {
    process.stderr.write(`${instance}: no DVE instance, skipped\n`);
    continue;
  }
  process.stderr.write(`${instance} ...`);
  const ours = runOurs(dve, instance, counts.get(instance));
  const dir = buildPan(join(pmDir, file));
  try {
    const spin = runPan(dir, ours.states);
    const row = {
      instance,
      countsAgree: spin.states === ours.states,
      spin,
      ours,
      /** Our states/s over SPIN's (meaningful where the counts agree). */
      speedup: Number((ours.statesPerSecond / spin.statesPerSecond).toFixed(2)),
    };
    results.push(row);
    process.stderr.write(` spin ${spin.states} states ${spin.seconds} s, ours ${ours.states} states ${ours.seconds} s (${row.speedup}x)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
