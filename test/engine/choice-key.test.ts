/**
 * ChoiceKeys (reduce/choice-key.ts), the stubborn-set memo's key as one number, and
 * KeyedChoiceCache (reduce/choice-cache.ts), the memo by that key: two states get the same key
 * exactly when their groups' label step lists and enabled steps are the same (checked against a
 * string of those lists), and the cache answers like a Map of the keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChoiceKeys } from '../../src/engine/reduce/choice-key.js';
import { KeyedChoiceCache } from '../../src/engine/reduce/choice-cache.js';
import type { PorAnalysis } from '../../src/engine/reduce/por.js';

/**
 * A hand-made analysis with two groups (pcs at bytes 0 and 1): group 0 has steps 0, 1 at label 1
 * and step 2 at label 3; group 1 has step 3 at label 0 and steps 4, 5, 6 at label 2. Other labels
 * have no steps.
 */
function analysis(): PorAnalysis {
  const labels = [
    [1, 1, 3],
    [0, 2, 2, 2],
  ];
  const steps: Int32Array[][] = [];
  const ofStep: number[] = [];
  const atOffset: number[] = [];
  const atValue: number[] = [];
  let next = 0;
  labels.forEach((ls, g) => {
    const table: number[][] = Array.from({ length: 256 }, () => []);
    for (const v of ls) {
      table[v]!.push(next);
      ofStep.push(g);
      atOffset.push(g);
      atValue.push(v);
      next++;
    }
    steps.push(table.map((t) => Int32Array.from(t)));
  });
  const groups = { ofStep: Int32Array.from(ofStep), offset: Int32Array.from([0, 1]), steps, dep: [], nesGuard: [] };
  return { groups, atOffset: Int32Array.from(atOffset), atValue: Int32Array.from(atValue) } as unknown as PorAnalysis;
}

const A = analysis();
const KEYS = ChoiceKeys.of(A)!;

/** A state (pc bytes l0, l1, then noise) and the steps at its labels enabled by `pick` (a bit per step). */
function caseOf(l0: number, l1: number, noise: number, pick: number): { s: Uint8Array; steps: Int32Array } {
  const s = Uint8Array.from([l0, l1, noise, noise ^ 0x55]);
  const en: number[] = [];
  for (let i = 0; i < 7; i++) if ((pick >>> i) & 1 && s[A.atOffset[i]!] === A.atValue[i]) en.push(i);
  return { s, steps: Int32Array.from(en) };
}

/** What the closures see of a state: per group, the steps at its label; and the enabled steps. */
function meaning(s: Uint8Array, steps: Int32Array): string {
  const g = A.groups!;
  return `${[0, 1].map((grp) => Array.from(g.steps[grp]![s[g.offset[grp]!]!]!).join(',')).join('|')}/${Array.from(steps).join(',')}`;
}

const arbCase = fc.tuple(fc.nat(4), fc.nat(4), fc.nat(255), fc.nat(127)).map(([a, b, n, p]) => caseOf(a, b, n, p));

test('ChoiceKeys: two states have the same key exactly when their label step lists and enabled steps are the same', () => {
  fc.assert(
    fc.property(arbCase, arbCase, (x, y) => {
      const kx = KEYS.key(x.s, x.steps, x.steps.length);
      const ky = KEYS.key(y.s, y.steps, y.steps.length);
      assert.ok(kx >= 0 && ky >= 0);
      assert.equal(kx === ky, meaning(x.s, x.steps) === meaning(y.s, y.steps));
    }),
  );
});

test('ChoiceKeys: no key (-1) for steps out of step order or a step away from its label', () => {
  const s = Uint8Array.from([1, 2, 0, 0]);
  assert.ok(KEYS.key(s, Int32Array.from([0, 1, 4]), 3) >= 0);
  assert.equal(KEYS.key(s, Int32Array.from([1, 0, 4]), 3), -1);
  assert.equal(KEYS.key(s, Int32Array.from([0, 0]), 2), -1);
  // step 2 is at label 3 of group 0, which is at 1
  assert.equal(KEYS.key(s, Int32Array.from([0, 2]), 2), -1);
});

test('ChoiceKeys: none for a model without groups', () => {
  assert.equal(ChoiceKeys.of({ ...A, groups: null } as PorAnalysis), null);
});

test('KeyedChoiceCache: get() gives back what put() stored for the key (-1 for a key never stored)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(1 << 20), fc.integer({ min: 2, max: 6 }), fc.nat(11)), { maxLength: 80 }), (ops) => {
      const cache = new KeyedChoiceCache();
      const ref = new Map<number, { n: number; set: number[] | null }>();
      const out = new Int32Array(8);
      for (const [raw, n0, pick] of ops) {
        // keys up to 2^50: both halves of the hash matter
        const key = raw * 1024 + (raw % 7) * 2 ** 40;
        const got = ref.get(key);
        const n = got?.n ?? n0;
        const m = cache.get(key, n, out);
        if (got === undefined) {
          assert.equal(m, -1);
          const size = 1 + (pick % n);
          // edge indices below and above 256 (a small answer is kept in the slot, others in the pool)
          const step = [1, 130, 300][pick % 3]!;
          const set = Array.from({ length: size }, (_, k) => k * step);
          cache.put(key, n, Int32Array.from(set), size);
          ref.set(key, { n, set: size < n ? set : null });
        } else if (got.set === null) assert.equal(m, n);
        else assert.deepEqual(Array.from(out.subarray(0, m)), got.set);
      }
    }),
  );
});

test('KeyedChoiceCache: past maxEntries keys the table starts again empty and still answers right', () => {
  const cache = new KeyedChoiceCache();
  const out = new Int32Array(4);
  const total = KeyedChoiceCache.maxEntries + 10;
  const keyOf = (i: number): number => i * 3 + 2 ** 33;
  for (let i = 0; i < total; i++) {
    assert.equal(cache.get(keyOf(i), 2, out), -1);
    cache.put(keyOf(i), 2, Int32Array.from([i % 2]), 1);
  }
  for (let i = total - 10; i < total; i++) {
    assert.equal(cache.get(keyOf(i), 2, out), 1);
    assert.equal(out[0], i % 2);
  }
  assert.equal(cache.get(keyOf(0), 2, out), -1);
});
