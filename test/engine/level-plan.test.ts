/**
 * LevelPlan: where a parallel search expands each BFS level. The costs fed in are made-up
 * seconds (no clock is read), so each expected choice follows from the rules in level-plan.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LevelPlan } from '../../src/engine/search/level-plan.js';
import { explore } from '../../src/engine/explore.js';
import type { ModelSpec } from '../../src/engine/parallel.js';
import { buildRegistered } from '../../models/index.js';

test('small levels stay here; workers start only for a level predicted to take startSeconds here', () => {
  const plan = new LevelPlan({ minLevel: 256, adaptive: true, startSeconds: 0.2 });
  assert.equal(plan.choose(100, false), 'here'); // below minLevel
  assert.equal(plan.choose(10_000, false), 'here'); // no cost measured yet
  plan.note('here', 1000, 0.001); // 1 µs per state
  assert.equal(plan.choose(100_000, false), 'here'); // 0.1 s predicted < 0.2 s
  assert.equal(plan.choose(250_000, false), 'workers'); // 0.25 s predicted: start them
});

test('once started: probe the workers, then follow the cheaper side, re-trying the loser on a level twice its last try', () => {
  const plan = new LevelPlan({ minLevel: 256, adaptive: true, startSeconds: 0.2 });
  plan.note('here', 1000, 0.002); // 2 µs per state here
  assert.equal(plan.choose(5000, true), 'workers'); // no worker cost yet: probe
  plan.note('workers', 5000, 0.015); // 3 µs per state: workers lose
  assert.equal(plan.choose(6000, true), 'here');
  assert.equal(plan.choose(9999, true), 'here');
  assert.equal(plan.choose(10_000, true), 'workers'); // 2 x 5000: try the loser again
  plan.note('workers', 10_000, 0.01); // 1 µs per state: now they win
  assert.equal(plan.choose(15_000, true), 'workers');
  assert.equal(plan.choose(20_000, true), 'here'); // 2 x 10000: try the loser (here) again
  plan.note('here', 20_000, 0.01); // 0.5 µs: here wins again
  assert.equal(plan.choose(30_000, true), 'here');
  // levels below 256 states say nothing about costs
  plan.note('workers', 100, 0);
  assert.equal(plan.choose(30_000, true), 'here');
  // a slow level (the thread was not running) does not raise a side's cost: its best stands
  plan.note('here', 30_000, 1);
  assert.equal(plan.choose(30_000, true), 'here');
});

test('not adaptive: every level of at least minLevel states goes to the workers', () => {
  const plan = new LevelPlan({ minLevel: 1, adaptive: false });
  assert.equal(plan.choose(1, false), 'workers');
  assert.equal(plan.choose(0, false), 'here');
});

test('adaptive parallel search: a search whose levels never earn the workers\' start never starts them (a spec that cannot build is never touched) and gives the sequential result', () => {
  const model = buildRegistered({ name: 'philosophers', params: {} });
  const spec: ModelSpec = { module: new URL('../../models/index.js', import.meta.url).href, export: 'noSuchExport', args: {} };
  const seq = explore(model, { allViolations: true });
  const par = explore(buildRegistered({ name: 'philosophers', params: {} }), { allViolations: true, parallel: { workers: 2, spec, startSeconds: 1e9 } });
  assert.equal(par.stats.workers, 2);
  assert.deepEqual([par.stats.states, par.stats.transitions, par.violations.map((v) => v.property)], [seq.stats.states, seq.stats.transitions, seq.violations.map((v) => v.property)]);
});
