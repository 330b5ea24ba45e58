/**
 * Checkpoints (src/engine/checkpoint/): a search resumed from a checkpoint ends with the same
 * result as the search that was never stopped — states, transitions, levels, coverage, every
 * violation with its trace, covers, facts, dropped transitions — for the sequential search, under
 * symmetry reduction, with hash compaction and with partial-order reduction, on built-in models
 * and BEEM instances. The uninterrupted search is the oracle (its own numbers are checked
 * elsewhere against hand derivations and BEEM's published counts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explore, type ExploreOptions } from '../../src/engine/explore.js';
import type { Model } from '../../src/engine/model.js';
import type { Result } from '../../src/engine/result.js';
import { buildRegistered } from '../../models/index.js';
import { loadDve } from '../../src/dve/index.js';
import { CheckpointError, readCheckpointFile, writeCheckpointFile } from '../../src/engine/checkpoint/format.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BEEM = resolve(ROOT, 'test', 'fixtures', 'beem', 'models');
const registry = (name: string, params: Record<string, number | boolean | string> = {}) => (): Model => buildRegistered({ name, params });
const beem = (file: string) => (): Model => loadDve(join(BEEM, file));

/** The result without what a stop and a restart change: timings, memory, and the checkpoint entry itself. */
function comparable(r: Result): unknown {
  const { checkpoint: _c, stats, ...rest } = r;
  const { seconds: _s, statesPerSecond: _r, peakRssBytes: _p, ...st } = stats;
  return { ...rest, stats: st };
}

const dir = mkdtempSync(join(tmpdir(), 'xtc-checkpoint-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `cp${n++}.bin`);

// evaluation errors in every state: the dropped-transition counts must come out as in one run
const DROPS = join(dir, 'drops.dve');
writeFileSync(
  DROPS,
  `byte x; byte y; byte z; byte a[2];
process P {
state s;
init s;
trans
  s -> s { guard x < 40; effect x = x + 1; },
  s -> s { effect y = 10 / z; },
  s -> s { guard a[x % 3] == 0; effect z = 0; };
}
process Q {
state q;
init q;
trans
  q -> q { guard y < 40; effect y = y + 1; };
}
system async;
`,
);

interface Case {
  readonly what: string;
  readonly build: () => Model;
  readonly opts: ExploreOptions;
}

const CASES: Case[] = [
  { what: 'xen-timer (ops 3, all violations: lock-order facts, several traces)', build: registry('xen-timer', { ops: 3 }), opts: { allViolations: true } },
  { what: 'xen-timer baseline (first violation)', build: registry('xen-timer', { variant: 'baseline', ops: 3 }), opts: {} },
  { what: 'xen-timer 2 vCPUs, symmetry', build: registry('xen-timer', { vcpus: 2, ops: 1, invalidations: 0, placement: 'other' }), opts: { symmetry: true, allViolations: true } },
  { what: 'xen-timer (ops 3), fingerprints', build: registry('xen-timer', { ops: 3 }), opts: { fingerprint: true, allViolations: true } },
  { what: 'BEEM anderson.2', build: beem('anderson.2.dve'), opts: {} },
  { what: 'BEEM phils.2, fingerprints', build: beem('phils.2.dve'), opts: { fingerprint: true } },
  { what: 'xen-timer (ops 3), depth bound 30', build: registry('xen-timer', { ops: 3 }), opts: { allViolations: true, maxDepth: 30 } },
  { what: 'DVE with dropped transitions', build: () => loadDve(DROPS), opts: { deadlock: false } },
  { what: 'BEEM peterson.1, partial-order reduction', build: beem('peterson.1.dve'), opts: { por: true } },
];

for (const c of CASES) {
  test(`checkpoint: ${c.what} — resumed from a periodic checkpoint, the same result`, () => {
    const ref = explore(c.build(), c.opts);
    assert.ok(ref.stats.states > 300, `${c.what}: big enough to checkpoint (${ref.stats.states} states)`);
    if (c.build === CASES.find((x) => x.what.startsWith('DVE'))?.build) assert.ok((ref.dropped?.length ?? 0) > 0, 'the DVE case drops transitions');
    const file = fresh();
    const every = Math.max(50, Math.floor(ref.stats.states / 5));
    const writing = explore(c.build(), { ...c.opts, checkpoint: { file, everyStates: every } });
    assert.deepEqual(comparable(writing), comparable(ref), `${c.what}: writing checkpoints changes nothing`);
    assert.ok(writing.checkpoint!.written >= 1, `${c.what}: checkpoints written`);
    const resumed = explore(c.build(), { ...c.opts, resume: file });
    assert.ok(resumed.checkpoint?.resumedFrom && resumed.checkpoint.resumedFrom.expanded > 0, `${c.what}: resumed mid-search`);
    assert.deepEqual(comparable(resumed), comparable(ref), `${c.what}: resumed = uninterrupted`);
  });
}

for (const c of CASES) {
  test(`checkpoint: ${c.what} — stopped by max-states, continued with larger budgets, the same result`, () => {
    const ref = explore(c.build(), c.opts);
    const file = fresh();
    const m1 = Math.floor(ref.stats.states / 3);
    const m2 = Math.floor((ref.stats.states * 2) / 3);
    const first = explore(c.build(), { ...c.opts, maxStates: m1, checkpoint: { file } });
    if (first.status === 'violation' && !c.opts.allViolations) return; // stopped at a violation before the budget: nothing to continue
    assert.equal(first.incompleteReason, 'max-states', c.what);
    assert.equal(first.checkpoint?.final, true, `${c.what}: a final checkpoint`);
    // the middle leg equals a run that had budget m2 from the start
    const direct = explore(c.build(), { ...c.opts, maxStates: m2 });
    const middle = explore(c.build(), { ...c.opts, maxStates: m2, resume: file, checkpoint: { file } });
    assert.deepEqual(comparable(middle), comparable(direct), `${c.what}: resumed with budget ${m2} = run with budget ${m2}`);
    const last = explore(c.build(), { ...c.opts, resume: file });
    assert.deepEqual(comparable(last), comparable(ref), `${c.what}: resumed to the end = uninterrupted`);
  });
}

test('checkpoint: a stop by the interrupt flag writes a final checkpoint at a state boundary; resumed, the same result', () => {
  const build = registry('xen-timer', { ops: 3 });
  const ref = explore(build(), { allViolations: true });
  const file = fresh();
  let polls = 0;
  // the flag is polled with the budgets: stop at the second poll after a checkpoint exists
  const first = explore(build(), { allViolations: true, checkpoint: { file, everyStates: 1000 }, shouldStop: () => existsSync(file) && ++polls > 1 });
  if (first.complete) return; // finished before the flag was polled twice (a fast machine): nothing interrupted
  assert.equal(first.incompleteReason, 'interrupted');
  assert.equal(first.checkpoint?.final, true);
  const resumed = explore(build(), { allViolations: true, resume: file });
  assert.deepEqual(comparable(resumed), comparable(ref));
});

test('checkpoint: another model, parameter or option is refused naming what differs (CheckpointError, exit 2)', () => {
  const file = fresh();
  const all: ExploreOptions = { allViolations: true };
  explore(registry('xen-timer', { ops: 3 })(), { ...all, maxStates: 2000, checkpoint: { file } });
  const refuses = (m: Model, o: ExploreOptions, what: RegExp): void => {
    assert.throws(() => explore(m, { ...all, ...o, resume: file }), (e: unknown) => e instanceof CheckpointError && what.test(e.message) && !e.message.includes('\n'));
  };
  refuses(registry('xen-timer', { ops: 2 })(), {}, /model structure|initial states/);
  refuses(registry('philosophers', { n: 4 })(), {}, /model is "xen-timer" there, "philosophers" now|model/);
  refuses(registry('xen-timer', { ops: 3 })(), { fingerprint: true }, /fingerprint is false there, true now/);
  refuses(registry('xen-timer', { ops: 3 })(), { maxDepth: 5 }, /max depth is null there, 5 now/);
  refuses(registry('xen-timer', { ops: 3 })(), { allViolations: false }, /all violations is true there, false now/);
  refuses(registry('xen-timer', { ops: 3 })(), { identity: { parameters: '{"ops":3}' } }, /parameters is \(absent\) there/);
  // budgets may differ
  assert.equal(explore(registry('xen-timer', { ops: 3 })(), { ...all, resume: file, maxStates: 3000 }).incompleteReason, 'max-states');
});

test('checkpoint: a truncated, altered or foreign file is a CheckpointError, never an internal error', () => {
  const file = fresh();
  assert.equal(explore(registry('philosophers', { n: 5 })(), { allViolations: true, maxStates: 20, checkpoint: { file } }).checkpoint?.final, true);
  const good = readFileSync(file);
  const bad = (bytes: Buffer, what: RegExp): void => {
    const f = fresh();
    writeFileSync(f, bytes);
    assert.throws(() => explore(registry('philosophers', { n: 5 })(), { allViolations: true, resume: f }), (e: unknown) => e instanceof CheckpointError && what.test(e.message));
  };
  bad(good.subarray(0, good.length - 1), /checksum/);
  bad(good.subarray(0, 40), /checksum|too short/);
  bad(Buffer.alloc(0), /bad magic or too short/);
  const flipped = Buffer.from(good);
  flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
  bad(flipped, /checksum/);
  bad(Buffer.from('{"format":"xentimer-check/result"}'), /not a xentimer-check checkpoint/);
  // a well-formed file (checksum right) whose header lacks the queue position
  const read = readCheckpointFile(file);
  const { cursor: _c, sections: list, ...header } = read.header;
  const f = fresh();
  writeCheckpointFile(f, header, list.map((x) => ({ name: x.name, parts: [new Uint8Array(read.sections.get(x.name)!)] })));
  assert.throws(() => explore(registry('philosophers', { n: 5 })(), { allViolations: true, resume: f }), (e: unknown) => e instanceof CheckpointError && /is corrupt \(/.test(e.message));
  assert.throws(() => explore(registry('philosophers', { n: 5 })(), { allViolations: true, resume: join(dir, 'missing.bin') }), (e: unknown) => e instanceof CheckpointError && /cannot read checkpoint .*ENOENT/.test(e.message));
});

test('checkpoint: worker threads and shards are refused', () => {
  const m = registry('philosophers', { n: 4 })();
  assert.throws(() => explore(m, { shard: { index: 0, count: 2 }, checkpoint: { file: fresh() } }), (e: unknown) => e instanceof CheckpointError && /--shard/.test(e.message));
  assert.throws(() => explore(m, { parallel: { workers: 2, spec: { module: '', export: '', args: null } }, checkpoint: { file: fresh() } }), (e: unknown) => e instanceof CheckpointError && /--workers/.test(e.message));
});

test('checkpoint: a write that fails (missing folder) does not end the search: the result is the same, the note says why', () => {
  const build = registry('xen-timer', { ops: 3 });
  const ref = explore(build(), { allViolations: true, maxStates: 20000 });
  const r = explore(build(), { allViolations: true, maxStates: 20000, checkpoint: { file: join(dir, 'no', 'such', 'dir', 'x.ckpt'), everyStates: 5000 } });
  assert.deepEqual(comparable(r), comparable(ref));
  assert.equal(r.checkpoint?.written, 0);
  assert.equal(r.checkpoint?.final, undefined);
  assert.match(r.checkpoint?.note ?? '', /^the checkpoint could not be written \(ENOENT\)$/);
});

test('checkpoint: a resumed search reports the search time of every run (the rate is over every state)', () => {
  const build = registry('xen-timer', { ops: 3 });
  const file = fresh();
  explore(build(), { allViolations: true, maxStates: 40000, checkpoint: { file } });
  const saved = readCheckpointFile(file).header['seconds'] as number;
  assert.ok(saved > 0, 'the checkpoint records the search time so far');
  const resumed = explore(build(), { allViolations: true, resume: file });
  // the resumed run's own time is added to the saved time (no comparison of two measured times)
  assert.ok(resumed.stats.seconds >= saved, `${resumed.stats.seconds} s >= the saved ${saved} s`);
  assert.equal(resumed.stats.statesPerSecond, resumed.stats.states / resumed.stats.seconds);
});

test('checkpoint: a write that fails half-way leaves the previous checkpoint as it was (temporary file, then rename)', () => {
  const build = registry('xen-timer', { ops: 3 });
  const file = fresh();
  explore(build(), { allViolations: true, maxStates: 10000, checkpoint: { file } });
  const before = readFileSync(file);
  // the temporary file cannot be created: every write of the next run fails
  mkdirSync(join(dir, `.${basename(file)}.tmp`));
  const next = explore(build(), { allViolations: true, maxStates: 20000, resume: file, checkpoint: { file, everyStates: 2000 } });
  assert.equal(next.checkpoint?.written, 0);
  assert.match(next.checkpoint?.note ?? '', /could not be written \(EISDIR\)/);
  assert.ok(readFileSync(file).equals(before), 'the previous checkpoint is untouched');
  const ref = explore(build(), { allViolations: true, maxStates: 20000 });
  assert.deepEqual(comparable(explore(build(), { allViolations: true, maxStates: 20000, resume: file })), comparable(ref));
});
