/**
 * bench/scaling.ts runs end to end and prints what it says it prints: one JSON object with, per kind
 * of work, the times of one and of two threads and the throughput ratio computed from their
 * medians (2 x one / two). Only the shape and that arithmetic are checked: timing never decides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../bench/scaling.js', import.meta.url));

test('bench:scaling at a tiny scale: three kinds, one and two threads, scaling = 2 x median(one) / median(two)', () => {
  const r = spawnSync(process.execPath, [script, '--reps', '2', '--scale', '0.01'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { reps: number; scale: number; kinds: Record<string, { oneThread: { medianSeconds: number; seconds: number[] }; twoThreads: { medianSeconds: number; seconds: number[] }; scaling: number }> };
  assert.equal(out.reps, 2);
  assert.equal(out.scale, 0.01);
  assert.deepEqual(Object.keys(out.kinds), ['compute', 'random', 'first-touch']);
  for (const [kind, k] of Object.entries(out.kinds)) {
    for (const side of [k.oneThread, k.twoThreads]) {
      assert.equal(side.seconds.length, 2, kind);
      assert.ok(side.seconds.every((s) => s >= 0), kind);
      // the median of two runs is their mean (both printed to 0.1 ms)
      assert.ok(Math.abs(side.medianSeconds - (side.seconds[0]! + side.seconds[1]!) / 2) <= 0.00011, kind);
    }
    // from the medians as printed, to 2 decimals
    if (k.twoThreads.medianSeconds > 0) assert.ok(Math.abs(k.scaling - (2 * k.oneThread.medianSeconds) / k.twoThreads.medianSeconds) <= 0.0051, kind);
  }
  assert.equal(r.stderr.trim().split('\n').length, 6); // a progress line per kind and round
});

test('bench:scaling refuses a scale that is not a positive number', () => {
  const r = spawnSync(process.execPath, [script, '--scale', '0'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--scale must be a positive number/);
});
