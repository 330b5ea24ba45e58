/**
 * The search modes from the command line: --symmetry, --fingerprint, --workers (also with
 * --symmetry), --shard and `merge`, their reports (valid against the schema), their text lines,
 * and their bad inputs. That each mode gives the plain search's results is tested on the engine
 * (test/engine/modes.test.ts); here each mode gets a thin check that the CLI passes it through
 * and reports it. One spawned run of the binary per mode; the rest runs in-process (runMain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliAsync, FIXTURES, oneErrorLine, readJson, ROOT, tempDir, validate } from './helpers.js';
import { runMain } from './in-process.js';

const schema = readJson(join(ROOT, 'schema', 'result.schema.json')) as Record<string, unknown>;
const json = (s: string): Record<string, any> => JSON.parse(s) as Record<string, any>;
const verdicts = (r: Record<string, any>): unknown => r.properties.map((p: { id: string; verdict: string; depth?: number }) => [p.id, p.verdict, p.depth]);

test('--symmetry: the report states the group and the exact unreduced counts; verdicts as without it', async () => {
  const [plain, sym] = await Promise.all([
    runMain(['check', 'philosophers', '-p', 'n=5', '--all-violations', '--format', 'json', '--no-timing']),
    cliAsync(['check', 'philosophers', '-p', 'n=5', '--all-violations', '--format', 'json', '--no-timing', '--symmetry']),
  ]);
  assert.equal(plain.code, 1);
  assert.equal(sym.code, 1);
  const a = json(plain.stdout);
  const b = json(sym.stdout);
  assert.deepEqual(validate(schema as never, b), []);
  assert.equal(b.settings.symmetry, true);
  assert.equal(b.stats.symmetry.group, 5);
  assert.equal(b.stats.symmetry.unreducedStates, a.stats.states);
  assert.equal(b.stats.symmetry.unreducedTransitions, a.stats.transitions);
  assert.deepEqual(verdicts(b), verdicts(a));
  // 82 states and 265 transitions: hand-derived (test/models/classic.test.ts, naive n = 5); orbits
  // by Burnside: a rotation other than the identity fixes only the constant vectors (all thinking,
  // all holding their left fork; all eating is impossible), so (82 + 4 * 2) / 5 = 18 representatives
  const text = await runMain(['check', 'philosophers', '-p', 'n=5', '--symmetry', '-q']);
  assert.match(text.stdout, /symmetry: rotations of the 5 philosophers \(group of 5\); 18 representatives stand for 82 states and 265 transitions/);
  const refused = await runMain(['check', 'peterson', '--symmetry']);
  assert.equal(refused.code, 2);
  assert.match(oneErrorLine(refused.stderr), /model peterson declares no symmetry/);
});

test('--fingerprint: same counts and verdicts, the collision probability in the report and the text', async () => {
  // the Xen baseline with K = 2: four violations, 28 k states
  const args = ['check', '--variant', 'baseline', '--ops', '2', '--all-violations', '--format', 'json', '--no-timing'];
  const [plain, fp] = await Promise.all([runMain(args), cliAsync([...args, '--fingerprint'])]);
  assert.equal(fp.code, 1, fp.stderr);
  const a = json(plain.stdout);
  const b = json(fp.stdout);
  assert.deepEqual(validate(schema as never, b), []);
  assert.equal(b.stats.states, a.stats.states);
  assert.equal(b.stats.transitions, a.stats.transitions);
  assert.deepEqual(b.violations, a.violations);
  assert.ok(b.stats.fingerprint.collisionProbability > 0 && b.stats.fingerprint.collisionProbability < 1e-6);
  const text = await runMain(['check', 'counter', '--fingerprint', '-q']);
  assert.match(text.stdout, /hash compaction: 64-bit fingerprints; probability that some state was missed <= \d\.\de-\d+/);
});

/** Everything but the worker count and the store's size (the sequential search packs its states, workers share byte vectors). */
const withoutWorkers = (r: Record<string, any>): Record<string, any> => {
  const { workers: _w, ...settings } = r.settings as Record<string, unknown>;
  const { storeBytes: _b, bytesPerState: _p, storedStateBytes: _v, ...stats } = r.stats as Record<string, unknown>;
  return { ...r, settings, stats };
};

test('--workers: bad counts are exit 2, and it does not combine with --fingerprint (its results: the next test, and test/engine/modes.test.ts)', async () => {
  for (const bad of ['0', 'two', '65']) {
    const r = await runMain(['check', '--workers', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(oneErrorLine(r.stderr), /workers/);
  }
  const both = await runMain(['check', '--workers', '2', '--fingerprint']);
  assert.equal(both.code, 2);
  assert.match(oneErrorLine(both.stderr), /cannot be combined/);
});

test('--workers (with --symmetry): two vCPUs, the same JSON report as without workers but for the worker count', async () => {
  // the README's use of both (2 vCPUs, K = 1, no invalidations, callback on another CPU: the
  // configuration test/engine/modes.test.ts checks for every variant)
  // (partial-order reduction is off with workers, so off in both: --no-por)
  const args = ['check', '--vcpus', '2', '--ops', '1', '--invalidations', '0', '--placement', 'other', '--symmetry', '--all-violations', '--format', 'json', '--no-timing', '--no-por'];
  const [sym, both] = await Promise.all([runMain(args), cliAsync([...args, '--workers', '2'])]);
  assert.equal(both.code, sym.code, both.stderr);
  const a = json(sym.stdout);
  const b = json(both.stdout);
  assert.deepEqual(validate(schema as never, b), []);
  assert.equal(b.settings.workers, 2);
  assert.equal(b.stats.symmetry.group, 2);
  assert.ok(b.stats.states < b.stats.symmetry.unreducedStates, 'reduced');
  assert.deepEqual(withoutWorkers(b), withoutWorkers(a));
  // both the sequential store and the workers' shared store keep states bit-packed (the same codec)
  assert.ok(a.stats.storedStateBytes < a.stats.stateBytes, `${a.stats.storedStateBytes} < ${a.stats.stateBytes}`);
  assert.equal(b.stats.storedStateBytes, a.stats.storedStateBytes);
});

/** Run `check ...base --shard i/count --output shard-i.json -q` for every i (in-process but for shard 0); the report files. */
async function shards(dir: string, base: readonly string[], count: number): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const f = join(dir, `shard-${i}.json`);
    const args = [...base, '--shard', `${i}/${count}`, '--output', f, '-q'];
    const r = i === 0 ? cli(args) : await runMain(args);
    // one shard is a part: exit 1 with a violation, else 3 (incomplete, reason shard)
    assert.ok(r.code === 1 || r.code === 3, `shard ${i}: exit ${r.code} ${r.stderr}`);
    const rep = json(readFileSync(f, 'utf8'));
    assert.deepEqual(validate(schema as never, rep), []);
    assert.deepEqual(rep.settings.shard, { index: i, count });
    assert.match(r.stdout, new RegExp(`shard ${i}/${count}: \\d+ of the \\d+ states of BFS level \\d+`));
    files.push(f);
  }
  return files;
}

test('--shard + merge: the merged report has the verdicts and shortest traces of the unsharded search', async () => {
  const dir = tempDir();
  // the Xen baseline with K = 2: four violations, 28 k states, split at a level of 113 states
  const base = ['check', '--variant', 'baseline', '--ops', '2', '--all-violations', '--no-timing'];
  const full = json((await runMain([...base, '--format', 'json'])).stdout);
  const files = await shards(dir, base, 3);
  const m = cli(['merge', ...[...files].reverse(), '--format', 'json', '--no-timing']);
  assert.equal(m.code, 1, m.stderr);
  const merged = json(m.stdout);
  assert.deepEqual(validate(schema as never, merged), []);
  assert.equal(merged.settings.shard, undefined);
  assert.equal(merged.stats.merged.shards, 3);
  assert.deepEqual(verdicts(merged), verdicts(full));
  const lengths = (r: Record<string, any>): unknown =>
    r.violations.map((v: { property: string; trace: { steps: unknown[] } | null }) => [v.property, v.trace?.steps.length]).sort();
  assert.deepEqual(lengths(merged), lengths(full));
  assert.ok(merged.stats.states >= full.stats.states);
  // the merged report is a saved trace like any other
  const out = join(dir, 'merged.json');
  await runMain(['merge', ...files, '--output', out, '-q']);
  const rep = await runMain(['replay', out, '-q']);
  assert.equal(rep.code, 0, rep.stdout + rep.stderr);
  // bad merges: a missing shard, a shard twice, a report that is no shard, mixed models
  const missing = await runMain(['merge', files[0]!, files[1]!]);
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing.stderr), /shard \d of 3 missing/);
  const twice = await runMain(['merge', files[0]!, files[0]!, files[1]!]);
  assert.equal(twice.code, 2);
  assert.match(oneErrorLine(twice.stderr), /are both shard/);
  const plainFile = join(dir, 'plain.json');
  await runMain([...base, '--max-depth', '3', '--output', plainFile, '-q']);
  const notShard = await runMain(['merge', plainFile]);
  assert.equal(notShard.code, 2);
  assert.match(oneErrorLine(notShard.stderr), /is not a shard report/);
  const other = join(dir, 'other.json');
  await runMain(['check', '--variant', 'seed-v2', '--ops', '2', '--all-violations', '--no-timing', '--shard', '0/3', '--max-depth', '3', '--output', other, '-q']);
  const mixed = await runMain(['merge', other, files[1]!, files[2]!]);
  assert.equal(mixed.code, 2);
  assert.match(oneErrorLine(mixed.stderr), /another model/);
});

test('merge: a lock-order inversion whose halves lie in different shards is found from the joined facts (exit 1, no trace)', async () => {
  const dir = tempDir();
  const model = join(FIXTURES, 'lock-halves.mjs');
  const base = ['check', model, '--all-violations', '--no-timing'];
  // unsharded: both halves in one search. By hand (see the fixture): 1 + 64 + 64 * 6 = 449
  // states; the inversion closes at the 5th step (pick an odd id, start, odd:, lock b, lock a)
  const whole = await runMain([...base, '-q']);
  assert.equal(whole.code, 1);
  assert.match(whole.stdout, /✗ kernel\.lock-order .*\n {2}lock order inversion: .*\n {2}shortest trace: 5 steps\n/);
  assert.match(whole.stdout, /\nVIOLATION kernel\.lock-order {2}449 states · /);
  // each shard sees one half (32 of the 64 ids: 1 + 64 + 32 * 6 = 257 states) and finds nothing:
  // a part, so incomplete (reason shard), not a pass
  const files = await shards(dir, base, 2);
  for (const f of files) {
    const rep = json(readFileSync(f, 'utf8'));
    assert.deepEqual([rep.status, rep.incompleteReason], ['incomplete', 'shard'], f);
    assert.equal(rep.stats.states, 257);
  }
  const m = cli(['merge', ...files, '--no-timing']);
  assert.equal(m.code, 1, m.stdout + m.stderr);
  assert.match(m.stdout, /✗ kernel\.lock-order \(transition\) .*\n {2}lock order inversion: a -> b at worker:even\.lock_b, b -> a at worker:odd\.lock_a \(found by joining the shards' facts: no single trace\)\n/);
  assert.match(m.stdout, /\nVIOLATION kernel\.lock-order {2}514 states · /, '2 * 257 states: the shards share the 65-state prefix');
  const mj = json((await runMain(['merge', ...files, '--format', 'json', '--no-timing'])).stdout);
  assert.deepEqual(validate(schema as never, mj), []);
  assert.deepEqual(mj.violations.map((v: { property: string; trace: unknown }) => [v.property, v.trace]), [['kernel.lock-order', null]]);
});

test('--shard: bad values are exit 2 with a one-line error', async () => {
  for (const bad of ['3/3', '1', 'a/b', '-1/2', '0/0']) {
    const r = await runMain(['check', 'counter', '--shard', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(oneErrorLine(r.stderr), /shard/);
  }
});

test('simulate --shard: the shards take disjoint runs, and merge keeps the shortest shrunk trace', async () => {
  const dir = tempDir();
  const base = ['simulate', 'counter', '-p', 'procs=3', '--seed', '7', '--runs', '20', '--depth', '20', '--no-timing'];
  const files: string[] = [];
  for (const i of [0, 1]) {
    const f = join(dir, `sim-${i}.json`);
    const r = await runMain([...base, '--shard', `${i}/2`, '--output', f, '-q']);
    assert.equal(r.code, 1, r.stderr);
    files.push(f);
  }
  const m = await runMain(['merge', ...files, '--format', 'json']);
  assert.equal(m.code, 1);
  const merged = json(m.stdout);
  // the racy counter's lost update with 3 processes: 2N = 6 steps (test/models/classic.test.ts)
  assert.deepEqual(
    merged.violations.map((v: { property: string; trace: { steps: unknown[] } }) => [v.property, v.trace.steps.length]),
    [['final-count', 6]],
  );
  assert.equal(merged.complete, false);
});
