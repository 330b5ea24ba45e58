/**
 * ChoiceCache (reduce/choice-cache.ts), the memo of the stubborn-set choice: a key is the label
 * bytes of a state and its enabled steps; checked against a Map of the same keys, through the
 * table's growth and its emptying when full.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChoiceCache } from '../../src/engine/reduce/choice-cache.js';

const OFFSETS = Int32Array.from([1, 3, 4]);

/** A state whose label bytes (at OFFSETS) are `labels`, other bytes noise that the key ignores. */
function stateOf(labels: readonly number[], noise: number): Uint8Array {
  const s = new Uint8Array(6).fill(noise & 0xff);
  OFFSETS.forEach((o, k) => (s[o] = labels[k]!));
  return s;
}

const arbKey = fc.record({
  labels: fc.array(fc.nat(7), { minLength: 3, maxLength: 3 }),
  steps: fc.uniqueArray(fc.nat(40), { minLength: 2, maxLength: 6 }).map((a) => a.sort((x, y) => x - y)),
});

test('ChoiceCache: get() gives back what put() stored for the same labels and steps (-1 for a key never stored), whatever the other bytes', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(arbKey, fc.nat(5), fc.nat(255)), { maxLength: 60 }), (ops) => {
      const cache = new ChoiceCache(OFFSETS);
      const ref = new Map<string, number[] | null>();
      const out = new Int32Array(8);
      for (const [{ labels, steps }, pick, noise] of ops) {
        const key = `${labels.join(',')}|${steps.join(',')}`;
        const n = steps.length;
        const st = Int32Array.from(steps);
        const m = cache.get(stateOf(labels, noise), st, n, out);
        const want = ref.get(key);
        if (want === undefined) {
          assert.equal(m, -1);
          // the first `size` edges; size n: no smaller set
          const size = 1 + (pick % n);
          const set = Array.from({ length: size }, (_, k) => k);
          cache.put(stateOf(labels, noise ^ 1), st, n, Int32Array.from(set), size);
          ref.set(key, size < n ? set : null);
        } else if (want === null) assert.equal(m, n);
        else assert.deepEqual(Array.from(out.subarray(0, m)), want);
      }
    }),
  );
});

test('ChoiceCache: past maxEntries keys the table starts again empty and still answers right', () => {
  const cache = new ChoiceCache(OFFSETS);
  const out = new Int32Array(4);
  const total = ChoiceCache.maxEntries + 10;
  const keyOf = (i: number): { s: Uint8Array; st: Int32Array } => ({ s: stateOf([i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff], 0), st: Int32Array.from([1, 2 + (i % 3)]) });
  for (let i = 0; i < total; i++) {
    const { s, st } = keyOf(i);
    assert.equal(cache.get(s, st, 2, out), -1);
    cache.put(s, st, 2, Int32Array.from([i % 2]), 1);
  }
  // the last ten are in the table after it was emptied; the first ones are gone
  for (let i = total - 10; i < total; i++) {
    const { s, st } = keyOf(i);
    assert.equal(cache.get(s, st, 2, out), 1);
    assert.equal(out[0], i % 2);
  }
  const first = keyOf(0);
  assert.equal(cache.get(first.s, first.st, 2, out), -1);
});
