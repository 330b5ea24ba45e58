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

test('small levels stay here; workers are launched for a level predicted to take startSeconds here, and used once ready', () => {
  const plan = new LevelPlan({ minLevel: 256, adaptive: true, startSeconds: 0.2 });
  assert.equal(plan.wantsWorkers(100), false); // below minLevel
  assert.equal(plan.split(100, true), 0);
  assert.equal(plan.wantsWorkers(10_000), false); // no cost measured yet
  assert.equal(plan.split(10_000, true), 0);
  plan.note('here', 1000, 0.001); // 1 µs per state
  assert.equal(plan.wantsWorkers(100_000), false); // 0.1 s predicted < 0.2 s
  assert.equal(plan.wantsWorkers(250_000), true); // 0.25 s predicted: launch them
  assert.equal(plan.split(250_000, false), 0); // not ready yet: all here
});

test('a probe is a slice of the level (an eighth, 1,024 to 16,384 states); then the cheaper side takes the rest, the loser probed again after 8 times its probe, a gap that doubles while it keeps losing', () => {
  const plan = new LevelPlan({ minLevel: 256, adaptive: true, startSeconds: 0.2 });
  plan.note('here', 1000, 0.002); // 2 µs per state here
  assert.equal(plan.split(40_000, true), 5000); // no worker cost yet: probe an eighth
  assert.equal(plan.split(500_000, true), 16_384); // at most 16,384
  assert.equal(plan.split(4000, true), 1024); // at least 1,024
  assert.equal(plan.split(700, true), 700); // all of a smaller level
  plan.note('workers', 5000, 0.015); // 3 µs per state: workers lose; gap 8 x 5000
  assert.equal(plan.split(30_000, true), 0);
  plan.note('here', 30_000, 0.06);
  assert.equal(plan.split(9000, true), 0);
  plan.note('here', 9999, 0.02); // 39,999 < 40,000
  assert.equal(plan.split(8000, true), 0);
  plan.note('here', 1, 0.02); // 40,000: probe due (a slice too small to measure still counts)
  assert.equal(plan.split(8000, true), 1024);
  plan.note('here', 8000 - 1024, 0.014);
  plan.note('workers', 1024, 0.003); // ~2.9 µs: still losing; gap doubles to 80,000
  plan.note('here', 79_999, 0.16);
  assert.equal(plan.split(80_000, true), 0);
  plan.note('here', 1, 0);
  assert.equal(plan.split(80_000, true), 10_000);
  plan.note('workers', 10_000, 0.01); // 1 µs per state: now they win; gap 8 x 10,000
  assert.equal(plan.split(80_000, true), 80_000);
  plan.note('workers', 80_000, 0.08);
  assert.equal(plan.split(80_000, true), 80_000 - 10_000); // probe here again: the first 10,000 states here
  plan.note('here', 10_000, 0.005); // 0.5 µs: here wins again
  assert.equal(plan.split(30_000, true), 0);
  // a slow slice (the thread was not running) does not raise a side's cost: its best stands
  plan.note('here', 30_000, 1);
  assert.equal(plan.split(30_000, true), 0);
});

test('not adaptive: every level of at least minLevel states goes to the workers, launched at once', () => {
  const plan = new LevelPlan({ minLevel: 1, adaptive: false });
  assert.equal(plan.wantsWorkers(1), true);
  assert.equal(plan.split(1, false), 1);
  assert.equal(plan.split(0, false), 0);
});

test('adaptive parallel search: a search whose levels never earn the workers\' start never starts them (a spec that cannot build is never touched) and gives the sequential result', () => {
  const model = buildRegistered({ name: 'philosophers', params: {} });
  const spec: ModelSpec = { module: new URL('../../models/index.js', import.meta.url).href, export: 'noSuchExport', args: {} };
  const seq = explore(model, { allViolations: true });
  const par = explore(buildRegistered({ name: 'philosophers', params: {} }), { allViolations: true, parallel: { workers: 2, spec, startSeconds: 1e9 } });
  assert.equal(par.stats.workers, 2);
  assert.deepEqual([par.stats.states, par.stats.transitions, par.violations.map((v) => v.property)], [seq.stats.states, seq.stats.transitions, seq.violations.map((v) => v.property)]);
});
