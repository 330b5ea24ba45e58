/**
 * Fuzzing the report readers (issue 13 part 6): `replay`, `explain` and `merge` fed reports with
 * random edits (a value replaced by arbitrary JSON, a key deleted, the text cut short) end with an
 * exit code 0-3 and, when they refuse, exactly one error line — never 4, never a hang. The CLI runs
 * in process (main() with captured streams), from reports of the counter model made once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { main } from '../../src/cli/run.js';
import type { Io, OutStream } from '../../src/cli/context.js';
import { cli, ROOT } from '../cli/helpers.js';

const RUNS = Number(process.env['FC_RUNS'] ?? 60);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'xentimer-fuzz-'));

function sink(): OutStream & { text: string } {
  const s = { text: '', isTTY: false, write: (t: string): boolean => ((s.text += t), true) };
  return s;
}

async function run(argv: string[]): Promise<{ code: number; stderr: string; ms: number }> {
  const out = sink();
  const err = sink();
  const io: Io = { stdout: out, stderr: err, env: { XENTIMER_NO_TIMING: '1' }, cwd: ROOT };
  const t0 = Date.now();
  const code = await main(argv, io);
  return { code, stderr: err.text, ms: Date.now() - t0 };
}

function made(args: string[]): string {
  const r = cli([...args, '--format', 'json', '--no-timing']);
  assert.ok(r.code === 1 || r.code === 3, r.stderr);
  return r.stdout;
}
const REPORT = made(['check', 'counter', '--all-violations']);
const SHARDS = [0, 1].map((i) => made(['check', 'counter', '-p', 'procs=3', '--all-violations', '--shard', `${i}/2`]));

/** Every path to a value in a JSON document (arrays by index). */
function paths(x: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof x !== 'object' || x === null) return [at];
  const keys: (string | number)[] = Array.isArray(x) ? x.map((_, i) => i) : Object.keys(x);
  return [at, ...keys.flatMap((k) => paths((x as Record<string | number, unknown>)[k], [...at, k]))];
}

type Edit = { kind: 'set'; at: number; value: unknown } | { kind: 'delete'; at: number } | { kind: 'cut'; at: number };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

function apply(text: string, edits: readonly Edit[]): string {
  let doc = JSON.parse(text) as unknown;
  for (const e of edits) {
    if (e.kind === 'cut') return JSON.stringify(doc).slice(0, e.at % (JSON.stringify(doc).length + 1));
    const ps = paths(doc);
    const p = ps[e.at % ps.length]!;
    if (p.length === 0) {
      doc = e.kind === 'set' ? e.value : {};
      continue;
    }
    const parent = p.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown>;
    const key = p.at(-1)!;
    if (e.kind === 'set') parent[key] = e.value;
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  }
  return JSON.stringify(doc);
}

let n = 0;
function file(text: string): string {
  const f = join(dir, `r${n++}.json`);
  writeFileSync(f, text);
  return f;
}

function judge(r: { code: number; stderr: string; ms: number }, what: string): void {
  assert.ok(r.code >= 0 && r.code <= 3, `${what}: exit ${r.code}: ${r.stderr}`);
  if (r.code === 2) assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one error line: ${r.stderr}`);
  assert.ok(r.ms < 20_000, `${what}: took ${r.ms} ms`);
}

test('fuzz: replay and explain of edited reports exit 0-3 with at most one error line', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), fc.constantFrom('replay', 'explain'), async (edits, cmd) => {
      const f = file(apply(REPORT, edits));
      judge(await run([cmd, f]), `${cmd} ${JSON.stringify(edits).slice(0, 300)}`);
    }),
    { numRuns: RUNS, seed: SEED ?? 1305 },
  );
});

test('fuzz: merge of edited shard reports exits 0-3 with at most one error line', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 2 }), fc.nat(1), async (edits, which) => {
      const files = SHARDS.map((s, i) => file(i === which ? apply(s, edits) : s));
      judge(await run(['merge', ...files]), `merge ${JSON.stringify(edits).slice(0, 300)}`);
    }),
    { numRuns: RUNS, seed: SEED ?? 1306 },
  );
});
