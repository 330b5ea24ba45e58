/**
 * `simulate`: exit codes (1 violation, 3 otherwise, never 0), the seed is always printed, bad
 * --seed/--runs/--depth values are exit 2 with one error line, the JSON report is valid against
 * schema/result.schema.json, byte-identical for the same seed with --no-timing, and replays with
 * `replay` / draws with `explain`. In-process (runMain) but for one spawned run per exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliAsync, oneErrorLine, parseXml, readJson, ROOT, tempDir, validate } from './helpers.js';
import { runMain } from './in-process.js';

const schema = readJson(join(ROOT, 'schema', 'result.schema.json')) as Record<string, unknown>;

interface JsonReport {
  status: string;
  exitCode: number;
  complete: boolean;
  incompleteReason: string | null;
  model: { name: string; info?: Record<string, unknown> };
  settings: { maxDepth: number | null; allViolations: boolean };
  violations: { property: string; message: string; trace: { steps: unknown[] } | null }[];
}

test('exit 1 with a violation, 3 without (a simulation never passes); the seed is in the text header', async () => {
  const [racy, peterson, atomic] = await Promise.all([
    cliAsync(['simulate', 'counter', '--seed', '7', '--runs', '50', '--depth', '20', '--no-timing']),
    cliAsync(['simulate', 'peterson', '--seed', '7', '--runs', '50', '--depth', '100', '--no-timing']),
    runMain(['simulate', 'counter', '--variant', 'atomic', '--seed', '7', '--runs', '10', '--depth', '20', '--no-timing', '-q']),
  ]);
  assert.equal(racy.code, 1, racy.stderr);
  // every walk of the racy counter ends after 2N = 4 steps (each process reads, then writes)
  assert.match(racy.stdout, /^counter procs=2 variant=racy\nsimulation: seed 7 · \d+ of 50 runs \(stopped at the first violation\) · depth ≤ 20 · longest walk 4 steps\n/);
  // the lost update of 2 processes takes 2N = 4 steps (test/models/classic.test.ts)
  assert.match(racy.stdout, /✗ final-count \(terminal\) .*\n {2}found by run \d+ of seed 7 at depth 4, shrunk to 4 steps\n {2}shrunk trace: 4 steps\n/);
  assert.doesNotMatch(racy.stdout, /shortest trace/);
  assert.match(racy.stdout, /\nVIOLATION final-count {2}\d+ states · \d+ transitions · depth 4\n$/);
  for (const r of [peterson, atomic]) {
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /\nsimulation: seed 7 · \d+ runs · depth ≤ \d+ · longest walk \d+ steps\n/);
    assert.match(r.stdout, /incomplete: random simulation is not exhaustive/);
    assert.match(r.stdout, /\nINCOMPLETE {2}/);
    assert.equal(r.stderr, '');
  }
  assert.match(peterson.stdout, /● p0-in-cs +reached \(\d+ steps?\)/);
});

test('without --seed a random seed is used and printed; giving it back repeats the run exactly', async () => {
  const first = await cliAsync(['simulate', 'philosophers', '--runs', '20', '--depth', '50', '--no-timing']);
  assert.ok(first.code === 1 || first.code === 3, first.stderr);
  const m = /^simulation: seed (\d+) /m.exec(first.stdout);
  assert.ok(m, first.stdout);
  const again = await runMain(['simulate', 'philosophers', '--seed', m[1]!, '--runs', '20', '--depth', '50', '--no-timing']);
  assert.equal(again.code, first.code);
  assert.equal(again.stdout, first.stdout);
});

test('bad --seed / --runs / --depth values: exit 2 with one error line naming the option', async () => {
  const cases: [string, string][] = [
    ['--seed', 'abc'],
    ['--seed', '-1'],
    ['--seed', '99999999999999999999'],
    ['--runs', '0'],
    ['--runs', 'many'],
    ['--depth', '0'],
    ['--depth', '2.5x'],
  ];
  const runs: Awaited<ReturnType<typeof runMain>>[] = [];
  for (const [opt, v] of cases) runs.push(await runMain(['simulate', 'counter', opt, v]));
  runs.forEach((r, i) => {
    const [opt, v] = cases[i]!;
    assert.equal(r.code, 2, `${opt} ${v}: ${r.stderr}`);
    const line = oneErrorLine(r.stderr);
    assert.match(line, /^xentimer-check: error: /);
    assert.ok(line.includes(opt) && line.includes(v), line);
    assert.equal(r.stdout, '');
  });
  // model errors are the usual exit 2 too
  const bad = cli(['simulate', 'counter', '--variant', 'nope', '--seed', '1']);
  assert.equal(bad.stdout, '');
  assert.equal(bad.code, 2);
  assert.match(oneErrorLine(bad.stderr), /variant/);
});

test('JSON: valid against the schema, seed and settings recorded, byte-identical for the same seed with --no-timing', async () => {
  const args = ['simulate', 'peterson', '--variant', 'turn-first', '--seed', '3', '--runs', '40', '--depth', '300', '--format', 'json', '--no-timing'];
  // one run of the binary, the rest in-process: the same bytes from a fresh and a warm process
  const [a, b, other, pass] = await Promise.all([
    cliAsync(args),
    runMain(args),
    runMain(['simulate', 'peterson', '--variant', 'turn-first', '--seed', '4', '--runs', '40', '--depth', '300', '--format', 'json', '--no-timing']),
    runMain(['simulate', 'peterson', '--seed', '3', '--runs', '10', '--depth', '50', '--format', 'json']),
  ]);
  assert.equal(a.code, 1, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, other.stdout, 'another seed, other walks');
  for (const r of [a, other, pass]) {
    const data = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(validate(schema, data), [], r.stdout.slice(0, 400));
  }
  const r = JSON.parse(a.stdout) as JsonReport;
  assert.equal(r.status, 'violation');
  assert.equal(r.exitCode, 1);
  assert.equal(r.complete, false);
  assert.equal(r.model.info!['simulation.seed'], 3);
  assert.equal(r.model.info!['simulation.runs'], 40);
  assert.equal(r.model.info!['simulation.depth'], 300);
  assert.equal(r.settings.maxDepth, 300);
  assert.equal(r.violations[0]!.property, 'mutex');
  // shrunk to the shortest: 6 steps, the exhaustive search's (test/models/classic.test.ts)
  assert.equal(r.violations[0]!.trace!.steps.length, 6);
  assert.match(r.violations[0]!.message, /found by run \d+ of seed 3 at depth \d+, shrunk to 6 steps/);
  const p = JSON.parse(pass.stdout) as JsonReport & { timing?: unknown };
  assert.equal(p.status, 'incomplete');
  assert.equal(p.exitCode, 3);
  assert.equal(p.incompleteReason, 'simulation');
  assert.ok(p.timing, 'timing is there without --no-timing');
  assert.equal(pass.code, 3);
});

test('a saved simulate report replays (every violation reproduces) and explains; JUnit, SARIF and ITF are well formed', async () => {
  const dir = tempDir();
  const xen = join(dir, 'xen.json');
  const phil = join(dir, 'phil.json');
  const [sx, sp, junit, sarif, itf] = await Promise.all([
    // without the refresher actor, which makes the deadlock rarer in random walks
    cliAsync(['simulate', '--seed', '1', '--runs', '30', '--depth', '200', '--all-violations', '-q', '-p', 'refresher=false', '--output', xen]),
    runMain(['simulate', 'philosophers', '-p', 'n=4', '--seed', '2', '--runs', '50', '--depth', '100', '-q', '--output', phil]),
    runMain(['simulate', 'counter', '--seed', '1', '--runs', '20', '--depth', '20', '--format', 'junit']),
    runMain(['simulate', 'counter', '--seed', '1', '--runs', '20', '--depth', '20', '--format', 'sarif']),
    runMain(['simulate', 'counter', '--seed', '1', '--runs', '20', '--depth', '20', '--format', 'itf']),
  ]);
  assert.equal(sx.code, 1, sx.stderr);
  assert.equal(sp.code, 1, sp.stderr);
  assert.match(sx.stdout, /^xen-timer variant=seed-v2 .*\nsimulation: seed 1 · 30 runs · depth ≤ 200 /);
  const saved = readJson(xen) as JsonReport;
  assert.deepEqual(validate(schema, saved), []);
  const ids = saved.violations.map((v) => v.property);
  assert.ok(ids.includes('kernel.recursive-lock'), ids.join(', '));
  const [rx, rp, ex, mer] = [
    await runMain(['replay', xen]),
    await runMain(['replay', phil, '-q']),
    await runMain(['explain', xen, '--property', 'kernel.recursive-lock']),
    await runMain(['explain', phil, '--format', 'mermaid']),
  ];
  assert.equal(rx.code, 0, rx.stdout + rx.stderr);
  assert.equal(rx.stdout.match(/✓ reproduces/g)?.length, ids.length);
  assert.doesNotMatch(rx.stdout, /does not reproduce/);
  assert.equal(rp.code, 0, rp.stdout + rp.stderr);
  // 4 philosophers all take their left fork: a deadlock after 4 steps, the shortest (every one must move)
  assert.match(rp.stdout, /deadlock \(deadlock\)\n✓ reproduces: deadlock after step 4\n/);
  assert.equal(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /^kernel\.recursive-lock \(always\): race over \d+ steps/);
  assert.equal(mer.code, 0, mer.stderr);
  assert.match(mer.stdout, /^sequenceDiagram/m);

  assert.equal(junit.code, 1);
  const suite = parseXml(junit.stdout);
  assert.ok(JSON.stringify(suite).includes('final-count'));
  assert.equal(sarif.code, 1);
  const s = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string }[] }[] };
  assert.equal(s.runs[0]!.results[0]!.ruleId, 'final-count');
  assert.equal(itf.code, 1);
  const t = JSON.parse(itf.stdout) as { '#meta': Record<string, unknown>; states: unknown[] };
  assert.equal(t['#meta']['format'], 'ITF');
  assert.equal(t['#meta']['property'], 'final-count');
  assert.equal(t.states.length, 5, 'the shrunk 4-step trace has 5 states');
  assert.ok(readFileSync(xen, 'utf8').endsWith('\n'));
});

test('--help lists simulate; simulate --help documents its options and exit codes', async () => {
  const top = await runMain(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /\n {2}simulate .*random walks/);
  const help = await runMain(['simulate', '--help']);
  assert.equal(help.code, 0);
  for (const o of ['--seed', '--runs', '--depth', '--all-violations', '--no-deadlock', '--no-shrink', '--time-limit', '--format', '--output', '--variant', '--param']) assert.ok(help.stdout.includes(o), o);
  assert.match(help.stdout, /never 0/);
});
