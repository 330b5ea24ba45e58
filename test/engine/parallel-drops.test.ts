/**
 * Dropped transitions (DVE evaluation errors) in a parallel search: worker threads count the
 * errors their own copy of the model meets; the report must list the same counts as the
 * sequential search — also when the search stops inside a level (a deadlock, a state budget) or
 * leaves part of a level to another shard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, type ExploreOptions } from '../../src/engine/explore.js';
import type { ModelSpec } from '../../src/engine/parallel.js';
import type { Result } from '../../src/engine/result.js';
import { loadDve } from '../../src/dve/index.js';

// x and y count up to 12; `z = 12 / (x - y)` divides by zero when x = y (effect error) and is
// out of z's range when x < y (range error); `a[x]` is out of bounds for x >= 3 (guard error).
// (12, 12, z) is a deadlock: the counters are done and the division fails.
const TEXT = `byte x = 0;
byte y = 0;
byte z = 0;
byte a[3];
process P {
state s;
init s;
trans
  s -> s { guard x < 12; effect x = x + 1; },
  s -> s { guard y < 12; effect y = y + 1; },
  s -> s { effect z = 12 / (x - y); },
  s -> s { guard a[x] == 1; effect z = 0; };
}
system async;
`;

function modelFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xentimer-drops-'));
  const file = join(dir, 'drops.dve');
  writeFileSync(file, TEXT);
  return file;
}

const spec = (file: string): ModelSpec => ({ module: new URL('../../src/dve/index.js', import.meta.url).href, export: 'loadDve', args: file });
const drops = (r: Result): unknown => r.dropped?.map((d) => [d.step, d.kind, d.count]);

test('parallel: the workers\' dropped transitions are counted as the sequential search counts them (whole search, stops inside a level, a shard)', () => {
  const file = modelFile();
  const cases: ExploreOptions[] = [
    { deadlock: false },
    // the first deadlock stops the search inside the last level
    { deadlock: true },
    { deadlock: false, maxStates: 300 },
    { deadlock: false, maxDepth: 9 },
    { deadlock: false, shard: { index: 1, count: 2, minRoots: 4 } },
  ];
  for (const opts of cases) {
    // a fresh model per run: a model's counts add up over the searches it takes part in
    const seq = explore(loadDve(file), opts);
    assert.ok(seq.dropped !== undefined && seq.dropped.length === 3, `${JSON.stringify(opts)}: the model drops transitions of all three kinds`);
    for (const claim of [true, false]) {
      const par = explore(loadDve(file), { ...opts, parallel: { workers: 2, spec: spec(file), blockSize: 5, minLevel: 1, adaptive: false, claim } });
      assert.equal(par.stats.states, seq.stats.states);
      assert.equal(par.stats.transitions, seq.stats.transitions);
      assert.deepEqual(drops(par), drops(seq), `${JSON.stringify(opts)}, claim ${claim}`);
    }
  }
});
