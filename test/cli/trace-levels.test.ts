/**
 * XENTIMER_TRACE_LEVELS=1 (README, "DVE models and the benchmark"): a `--workers` search says on
 * stderr, per BFS level, where the level's states went. Run through the real CLI, where the search
 * is in a worker thread (its process.stderr used to lose every line but the first).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliAsync } from './helpers.js';

test('XENTIMER_TRACE_LEVELS=1 with --workers: one level-plan line on stderr per BFS level, depths 0, 1, 2, ... in order', async () => {
  const r = await cliAsync(['check', '--ops', '2', '--all-violations', '--workers', '2', '--format', 'json', '--no-timing'], { env: { XENTIMER_TRACE_LEVELS: '1' } });
  assert.equal(r.code, 1, r.stderr);
  const levels = (JSON.parse(r.stdout) as { stats: { levels: number } }).stats.levels;
  assert.ok(levels > 2, `levels ${levels}`);
  const depths = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('level-plan: '))
    .map((l) => Number(/^level-plan: depth (\d+) level \d+: here \d+ in [\d.]+ ms, workers \d+ in [\d.]+ ms/.exec(l)?.[1] ?? NaN));
  assert.deepEqual(depths, Array.from({ length: levels }, (_, d) => d));
});

test('without XENTIMER_TRACE_LEVELS a --workers search writes no level-plan lines', async () => {
  const r = await cliAsync(['check', '--ops', '1', '--workers', '2', '-q', '--no-timing']);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /level-plan/);
});
