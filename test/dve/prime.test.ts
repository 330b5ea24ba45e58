/**
 * The generated successor generator's priming (Model.primeExpand) and guard code: priming runs
 * every transition's code whatever the guards say and leaves no trace — no error counted, no
 * edge kept — so a search with it finds what one without it finds; a right operand of `and` /
 * `or` / `imply` that cannot fail is evaluated without a branch, with the same truth table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import type { Model } from '../../src/engine/model.js';
import { compileDve, parseDve } from '../../src/dve/index.js';

/** x counts up to 3; the transition from `hi` indexes a[x + 5], out of bounds in every state it can reach. */
const SRC = `
byte a[4];
byte x = 0;
process P {
  state lo, hi, done;
  init lo;
  trans
    lo -> lo { guard x < 3; effect x = x + 1; },
    lo -> hi { guard x == 3 and a[0] == 0 and not (a[1] == 1 or a[2] == 7); },
    hi -> done { effect a[x + 5] = 1; },
    hi -> lo { guard x == 3 imply a[3] == 0; effect x = 0; };
}
process Q {
  state q;
  init q;
  trans
    q -> q { guard x == 2 and a[x] == 0; effect a[x] = 7; };
}
system async;
`;

function model(): Model {
  return compileDve(parseDve(SRC, 'p.dve'), 'p', 'p.dve');
}

test('priming leaves no error count and emits nothing the caller keeps', () => {
  const m = model();
  let calls = 0;
  m.primeExpand!(() => {
    calls++;
    return true;
  });
  assert.ok(calls > 0, 'priming ran the transitions');
  assert.deepEqual([...m.dropCounts!], new Array(m.dropCounts!.length).fill(0));
});

test('a search primes its expand and counts what an unprimed one counts', () => {
  const primed = explore(model(), { deadlock: false });
  const plain = model();
  delete (plain as { primeExpand?: unknown }).primeExpand;
  const unprimed = explore(plain, { deadlock: false });
  // by hand: lo with x = 0..3 (4), Q's write at x = 2 (a[2] = 7) from then on: x = 2, 3 with
  // a[2] = 7 (2 more); hi for x = 3 with a[2] = 0 only (a[2] = 7 falsifies the guard's `not`):
  // 1; hi -> done always indexes a[8]: dropped, counted once per hi state
  assert.equal(primed.stats.states, 7);
  assert.deepEqual([primed.stats.states, primed.stats.transitions, primed.stats.levels], [unprimed.stats.states, unprimed.stats.transitions, unprimed.stats.levels]);
  assert.deepEqual(primed.dropped, unprimed.dropped);
  assert.equal(primed.dropped?.[0]?.count, 1, "hi -> done dropped once (its one hi state)");
});

test('an operand that cannot fail is evaluated without a branch: same truth tables', () => {
  const ops = ['and', 'or', 'imply'];
  for (const op of ops) {
    // guard (x op y) over x, y in 0..1, each pair reached as its own state
    const m = compileDve(parseDve(`byte x, y, r; process P { state s, t; init s; trans s -> s { guard x == 0; effect x = 1; }, s -> s { guard y == 0; effect y = 1; }, s -> t { guard (x == 1) ${op} (y == 1); }; } system async;`, 'o.dve'), 'o', 'o.dve');
    assert.match((m as Model & { expandSource: string }).expandSource, /&|\|/, `${op}: branch-free form`);
    const r = explore(m, { deadlock: false });
    const t = op === 'and' ? [[1, 1]] : op === 'or' ? [[0, 1], [1, 0], [1, 1]] : [[0, 0], [0, 1], [1, 1]];
    // 4 states in s (x, y in 0..1) and one t state per pair the guard admits
    assert.equal(r.stats.states, 4 + t.length, op);
  }
});
