/**
 * simulate() with a stop request (SIGINT / SIGTERM in the CLI): the walks end at the next poll
 * (about every 50 ms) with incomplete reason 'interrupted', keeping what was found; a stop
 * during shrinking keeps the smallest failing schedule so far and says why it stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/engine/simulate.js';
import { buildCounter } from '../../models/classic/index.js';

test('a stop request ends the walks: incomplete, reason interrupted, fewer walks than runs', () => {
  // 10^7 walks would take minutes: only the stop ends this run in time
  const r = simulate(buildCounter({ procs: 3, variant: 'atomic' }), { seed: 1, runs: 10_000_000, depth: 20, shouldStop: () => true });
  assert.deepEqual([r.status, r.complete, r.incompleteReason], ['incomplete', false, 'interrupted']);
  const walks = Number(r.info?.['simulation.walks']);
  assert.ok(walks >= 1 && walks < 10_000_000, `walks ${walks}`);
});

test('a stop before shrinking: the violation is kept as the walk found it, not shrunk (the run was interrupted)', () => {
  const model = buildCounter({ procs: 3, variant: 'racy' });
  // the racy counter's terminal property fails on most walks: the first violation stops the walks
  // (or the stop does, if 50 ms have passed), and the shrinker sees the stop before its first try
  const r = simulate(model, { seed: 1, runs: 50, depth: 100, shouldStop: () => true });
  assert.equal(r.status, 'violation');
  const v = r.violations[0]!;
  assert.match(v.message, /not shrunk \(the run was interrupted\)/);
  // the walk as taken: every process reads and writes once (3 × 2 steps)
  assert.equal(v.trace!.steps.length, 6);
});
