/**
 * The search's budget poll (engine/budget.ts): its first 64 calls check at once (a rehearsal of
 * the check for the JIT, store.ts JIT_REHEARSAL), later ones at most every 50 ms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Budget } from '../../src/engine/budget.js';

const snapshot = () => ({ states: 0, transitions: 0, depth: 0, queue: 0 });

test('budget: the first 64 polls check at once, later ones at most every 50 ms', () => {
  let checks = 0;
  const budget = new Budget({ shouldStop: () => (checks++, false) }, snapshot);
  const t0 = performance.now();
  for (let k = 0; k < 64; k++) assert.equal(budget.poll(), undefined);
  assert.equal(checks, 64);
  for (let k = 0; k < 10_000; k++) budget.poll();
  const elapsed = performance.now() - t0;
  // at most one check per 50 ms that passed (however slow this machine was)
  assert.ok(checks <= 64 + Math.ceil(elapsed / 50), `${checks} checks in ${elapsed.toFixed(1)} ms`);
});

test('budget: a stop request is seen at the first poll', () => {
  const budget = new Budget({ shouldStop: () => true }, snapshot);
  assert.equal(budget.poll(), 'interrupted');
});

test('budget: a time limit already passed is seen at the first poll', () => {
  const budget = new Budget({ timeLimit: 0 }, snapshot);
  const until = performance.now() + 2;
  while (performance.now() <= until) {
    // the limit (0 s) has passed
  }
  assert.equal(budget.poll(), 'time-limit');
});
