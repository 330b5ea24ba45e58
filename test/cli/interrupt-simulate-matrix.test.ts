/**
 * SIGINT / SIGTERM during `simulate` and `matrix` (issue 13 part 1, as for `check` in
 * interrupt.test.ts): the first signal stops the run cleanly and prints what was found with an
 * "interrupted" status; simulate writes its report (incomplete, reason `interrupted`) and exits 1
 * if a violation was found, else 3; matrix shows the variants finished so far, lists the others
 * as interrupted, never says SAME, never writes a partial expected matrix, and exits 1 on a
 * difference from the expected matrix, else 3. A second signal exits at once (128 + signal).
 * Model: test/cli/fixtures/slow.mjs (2 ms per step; its one variant, `default`, never finishes
 * in a test: x counts to 30000, so 30001 states and 30000 transitions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, readJson, tempDir } from './helpers.js';
import { interrupted } from './signals.js';

const MODEL = join(FIXTURES, 'slow.mjs');

test('simulate: SIGINT after a violation prints it (walk as found, not shrunk), status interrupted, JSON written, exit 1', async () => {
  const out = join(tempDir(), 'r.json');
  const r = await interrupted(['simulate', MODEL, '--seed', '1', '--all-violations', '--no-timing', '-q', '--output', out], [['SIGINT', 300]]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /✗ small \(always\) x < 3\n {2}found by run 1 of seed 1 at depth 3, not shrunk \(the run was interrupted\)\n/);
  assert.match(r.stdout, /simulation: seed 1 · \d+ of 1,000 runs \(interrupted\)/);
  assert.match(r.stdout, /\nINTERRUPTED, VIOLATION small {2}\d[\d,]* states/);
  assert.match(r.stderr, /SIGINT: stopping the search/);
  const j = readJson(out) as { status: string; complete: boolean; incompleteReason: string; exitCode: number; violations: { property: string; trace: { steps: unknown[] } }[] };
  assert.deepEqual([j.status, j.complete, j.incompleteReason, j.exitCode], ['violation', false, 'interrupted', 1]);
  assert.deepEqual(j.violations.map((v) => [v.property, v.trace.steps.length]), [['small', 3]]);
});

test('simulate: SIGTERM with nothing found: INTERRUPTED, exit 3, report incomplete (interrupted)', async () => {
  const out = join(tempDir(), 'r.json');
  const r = await interrupted(['simulate', MODEL, '-p', 'bad=false', '--seed', '1', '--no-timing', '-q', '--output', out], [['SIGTERM', 300]]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /\nINTERRUPTED {2}\d[\d,]* states/);
  const j = readJson(out) as { status: string; incompleteReason: string; exitCode: number };
  assert.deepEqual([j.status, j.incompleteReason, j.exitCode], ['incomplete', 'interrupted', 3]);
});

test('simulate: a second signal exits at once with 128 + the signal number, printing no report', async () => {
  // the walks poll for the stop request every 1024 steps or walk (about every 2 s): the second signal comes first
  const r = await interrupted(['simulate', MODEL, '-p', 'bad=false', '-q'], [
    ['SIGINT', 200],
    ['SIGINT', 500],
  ]);
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /INTERRUPTED/);
});

/** An expected matrix of slow.mjs with parameter bad = `bad`. */
function expectedFile(bad: boolean): string {
  const file = join(tempDir(), 'slow.expected.json');
  const verdicts = { small: bad ? 'violated:3' : 'holds', deadlock: 'holds' };
  writeFileSync(file, JSON.stringify({ model: 'slow', params: { bad }, variants: { default: { states: 30001, transitions: 30000, verdicts } } }));
  return file;
}

test('matrix --update: SIGINT lists the interrupted variant (with what it found so far), writes no expected matrix, exit 3', async () => {
  const file = join(tempDir(), 'slow.expected.json');
  const r = await interrupted(['matrix', '--model', MODEL, '--expected', file, '--update', '--no-timing'], [['SIGINT', 300]], 1);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /interrupted \(SIGINT \/ SIGTERM\): default \(interrupted at \d[\d,]* states, violated so far: small\)\n/);
  assert.match(r.stdout, /\nINTERRUPTED after 0 of 1 variant: .*slow\.expected\.json not updated/);
  assert.doesNotMatch(r.stdout, /SAME|UPDATED/);
  assert.equal(existsSync(file), false);
});

test('matrix --format json: SIGTERM with no difference so far: status incomplete (interrupted), never same, exit 3', async () => {
  const r = await interrupted(['matrix', '--model', MODEL, '--expected', expectedFile(true), '--format', 'json', '--no-timing'], [['SIGTERM', 300]], 1);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout) as { status: string; incompleteReason: string; same: boolean; differences: string[]; interrupted: { variant: string }[]; variants: unknown[] };
  assert.deepEqual([j.status, j.incompleteReason, j.same, j.differences, j.variants], ['incomplete', 'interrupted', false, [], []]);
  assert.deepEqual(j.interrupted.map((u) => u.variant), ['default']);
});

test('matrix: SIGINT with a difference from the expected matrix (its parameters): INTERRUPTED, DIFFERENT, exit 1', async () => {
  const r = await interrupted(['matrix', '--model', MODEL, '--expected', expectedFile(false), '-p', 'bad=true', '--no-timing'], [['SIGINT', 300]], 1);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /≠ parameters bad=true, expected bad=false\n/);
  assert.match(r.stdout, /\nINTERRUPTED, DIFFERENT from .*: 1 difference in what was checked/);
  assert.doesNotMatch(r.stdout, /SAME/);
});

test('matrix: a second signal exits at once with 128 + the signal number', async () => {
  const r = await interrupted(['matrix', '--model', MODEL, '--expected', expectedFile(true), '--no-timing'], [
    ['SIGTERM', 200],
    ['SIGTERM', 500],
  ], 1);
  // the search polls for the stop request only at state 1024 (about 2 s in): the second signal comes first
  assert.equal(r.code, 143, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /INTERRUPTED|SAME/);
});
