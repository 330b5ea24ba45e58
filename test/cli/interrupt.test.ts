/**
 * SIGINT / SIGTERM during a search (issue 13 part 1): the first signal stops the search cleanly,
 * prints what was found with an "interrupted" status, writes the report (incomplete, reason
 * `interrupted`) and exits 1 if a violation was found, else 3; a second signal exits at once
 * (128 + signal number). Model: test/cli/fixtures/slow.mjs (2 ms per step: the search sees a stop
 * request only every 1024 states, about every 2 s, so the second signal lands while it runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, readJson, tempDir } from './helpers.js';
import { interrupted } from './signals.js';

const MODEL = join(FIXTURES, 'slow.mjs');

test('SIGINT after a violation: the violation is printed, status interrupted, JSON written, exit 1', async () => {
  const out = join(tempDir(), 'r.json');
  const r = await interrupted(['check', MODEL, '--all-violations', '--no-timing', '-q', '--output', out], [['SIGINT', 300]]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /✗ small \(always\) x < 3\n {2}shortest trace: 3 steps\n/);
  assert.match(r.stdout, /incomplete: the search was interrupted \(SIGINT \/ SIGTERM\) before it completed\n/);
  assert.match(r.stdout, /\nINTERRUPTED, VIOLATION small {2}\d[\d,]* states/);
  assert.match(r.stderr, /SIGINT: stopping the search/);
  const j = readJson(out) as { status: string; complete: boolean; incompleteReason: string; exitCode: number; violations: { property: string }[] };
  assert.deepEqual([j.status, j.complete, j.incompleteReason, j.exitCode], ['violation', false, 'interrupted', 1]);
  assert.deepEqual(j.violations.map((v) => v.property), ['small']);
});

test('SIGTERM with nothing found: INTERRUPTED, exit 3, report incomplete (interrupted)', async () => {
  const out = join(tempDir(), 'r.json');
  const r = await interrupted(['check', MODEL, '-p', 'bad=false', '--no-timing', '-q', '--output', out], [['SIGTERM', 300]]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /\nINTERRUPTED {2}\d[\d,]* states/);
  const j = readJson(out) as { status: string; incompleteReason: string; exitCode: number };
  assert.deepEqual([j.status, j.incompleteReason, j.exitCode], ['incomplete', 'interrupted', 3]);
});

test('a second signal exits at once with 128 + the signal number, printing no report', async () => {
  const r = await interrupted(['check', MODEL, '-p', 'bad=false', '-q'], [
    ['SIGINT', 200],
    ['SIGINT', 500],
  ]);
  // the search polls for the stop request only at state 1024 (about 2 s in): the second signal comes first
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /INTERRUPTED/);
});
