/** The verdict matrix with variants checked in worker threads: the same matrix as one thread. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findModel } from '../../models/index.js';
import { runMatrix, type Matrix } from '../../models/matrix.js';
import type { ModelFactory } from '../../src/engine/model.js';

/** Everything but the times. */
function comparable(m: Matrix): unknown {
  return {
    ...m,
    rows: m.rows.map(({ seconds: _s, result, ...row }) => {
      const { seconds: _t, statesPerSecond: _r, peakRssBytes: _m, ...stats } = result.stats;
      return { ...row, result: { ...result, stats } };
    }),
  };
}

test('matrix: 1, 2 and 3 threads give the same rows (results, traces, covers), in variant order', () => {
  const f = findModel('xen-timer')!;
  const params = { ops: 2 };
  const one = runMatrix(f, params, undefined, { threads: 1 });
  const order: string[] = [];
  const two = runMatrix(f, params, undefined, { threads: 2 }, (row) => order.push(row.variant));
  assert.deepEqual(order, one.rows.map((r) => r.variant));
  assert.deepEqual(comparable(two), comparable(one));
  const three = runMatrix(f, params, ['baseline', 'seed-v2', 'proposed-fix'], { threads: 3 });
  assert.deepEqual(comparable(three), comparable({ ...one, rows: one.rows.filter((r) => ['baseline', 'seed-v2', 'proposed-fix'].includes(r.variant)) }));
});

test('matrix: a model that is not registered is checked in this thread', () => {
  const f = findModel('xen-timer')!;
  const copy: ModelFactory = { ...f };
  const m = runMatrix(copy, { ops: 1 }, ['baseline'], { threads: 2 });
  assert.equal(m.rows.length, 1);
  assert.equal(m.rows[0]!.variant, 'baseline');
  assert.ok(m.rows[0]!.complete);
});

test('matrix: after a stop request no variant is started, in this thread or in the workers', () => {
  const f = findModel('xen-timer')!;
  const m = runMatrix(f, { ops: 3 }, undefined, { threads: 2, shouldStop: () => true });
  assert.deepEqual(m.rows, []);
});
