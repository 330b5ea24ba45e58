/**
 * The search modes from the command line: --symmetry, --fingerprint, --workers, --shard and
 * `merge`, their reports (valid against the schema), their text lines, and their bad inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliAsync, oneErrorLine, readJson, ROOT, tempDir, validate } from './helpers.js';

const schema = readJson(join(ROOT, 'schema', 'result.schema.json')) as Record<string, unknown>;
const json = (s: string): Record<string, any> => JSON.parse(s) as Record<string, any>;

test('--symmetry: the report states the group and the exact unreduced counts; verdicts as without it', async () => {
  const [plain, sym] = await Promise.all([
    cliAsync(['check', 'philosophers', '-p', 'n=5', '--all-violations', '--format', 'json', '--no-timing']),
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
  assert.deepEqual(
    b.properties.map((p: { id: string; verdict: string; depth?: number }) => [p.id, p.verdict, p.depth]),
    a.properties.map((p: { id: string; verdict: string; depth?: number }) => [p.id, p.verdict, p.depth]),
  );
  const text = cli(['check', 'philosophers', '-p', 'n=5', '--symmetry', '-q']);
  assert.match(text.stdout, /symmetry: rotations of the 5 philosophers \(group of 5\); \d+ representatives stand for 82 states and 265 transitions/);
  const refused = cli(['check', 'peterson', '--symmetry']);
  assert.equal(refused.code, 2);
  assert.match(oneErrorLine(refused.stderr), /model peterson declares no symmetry/);
});

test('--fingerprint: same counts and verdicts, the collision probability in the report and the text', async () => {
  const [plain, fp] = await Promise.all([
    cliAsync(['check', '--variant', 'baseline', '--ops', '3', '--all-violations', '--format', 'json', '--no-timing']),
    cliAsync(['check', '--variant', 'baseline', '--ops', '3', '--all-violations', '--format', 'json', '--no-timing', '--fingerprint']),
  ]);
  const a = json(plain.stdout);
  const b = json(fp.stdout);
  assert.deepEqual(validate(schema as never, b), []);
  assert.equal(b.stats.states, a.stats.states);
  assert.equal(b.stats.transitions, a.stats.transitions);
  assert.deepEqual(b.violations, a.violations);
  assert.ok(b.stats.fingerprint.collisionProbability > 0 && b.stats.fingerprint.collisionProbability < 1e-6);
  const text = cli(['check', 'counter', '--fingerprint', '-q']);
  assert.match(text.stdout, /hash compaction: 64-bit fingerprints; probability that some state was missed <= \d\.\de-\d+/);
});

test('--workers: the JSON report equals the sequential one but for the worker count; bad counts are exit 2', async () => {
  const [seq, par] = await Promise.all([
    // partial-order reduction is off with workers (the report says why): compare with it off
    cliAsync(['check', '--ops', '3', '--all-violations', '--format', 'json', '--no-timing', '--no-por']),
    cliAsync(['check', '--ops', '3', '--all-violations', '--format', 'json', '--no-timing', '--workers', '2']),
  ]);
  assert.equal(seq.code, 1);
  assert.equal(par.code, 1);
  const a = json(seq.stdout);
  const b = json(par.stdout);
  assert.deepEqual(validate(schema as never, b), []);
  assert.equal(b.settings.workers, 2);
  delete b.settings.workers;
  assert.deepEqual(b.stats.por, { used: false, reason: 'not available with worker threads (--workers)' });
  delete b.stats.por;
  assert.equal(a.settings.por, false);
  delete a.settings.por;
  assert.deepEqual(b, a);
  for (const bad of ['0', 'two', '65']) {
    const r = cli(['check', '--workers', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(oneErrorLine(r.stderr), /workers/);
  }
  const both = cli(['check', '--workers', '2', '--fingerprint']);
  assert.equal(both.code, 2);
  assert.match(oneErrorLine(both.stderr), /cannot be combined/);
});

test('--shard + merge: the merged report has the verdicts and shortest traces of the unsharded search', () => {
  const dir = tempDir();
  const base = ['check', '--variant', 'baseline', '--ops', '3', '--all-violations', '--no-timing'];
  const full = json(cli([...base, '--format', 'json']).stdout);
  const files: string[] = [];
  for (let i = 0; i < 3; i++) {
    const f = join(dir, `shard-${i}.json`);
    const r = cli([...base, '--shard', `${i}/3`, '--output', f, '-q']);
    assert.ok(r.code === 0 || r.code === 1, `shard ${i}: exit ${r.code} ${r.stderr}`);
    const rep = json(readFileSync(f, 'utf8'));
    assert.deepEqual(validate(schema as never, rep), []);
    assert.deepEqual(rep.settings.shard, { index: i, count: 3 });
    assert.match(r.stdout, new RegExp(`shard ${i}/3: \\d+ of the \\d+ states of BFS level \\d+`));
    files.push(f);
  }
  const m = cli(['merge', ...files.reverse(), '--format', 'json', '--no-timing']);
  assert.equal(m.code, 1, m.stderr);
  const merged = json(m.stdout);
  assert.deepEqual(validate(schema as never, merged), []);
  assert.equal(merged.settings.shard, undefined);
  assert.equal(merged.stats.merged.shards, 3);
  const verdicts = (r: Record<string, any>): unknown => r.properties.map((p: { id: string; verdict: string; depth?: number }) => [p.id, p.verdict, p.depth]);
  assert.deepEqual(verdicts(merged), verdicts(full));
  const lengths = (r: Record<string, any>): unknown =>
    r.violations.map((v: { property: string; trace: { steps: unknown[] } | null }) => [v.property, v.trace?.steps.length]).sort();
  assert.deepEqual(lengths(merged), lengths(full));
  assert.ok(merged.stats.states >= full.stats.states);
  // the merged report is a saved trace like any other
  const out = join(dir, 'merged.json');
  cli(['merge', ...files, '--output', out, '-q']);
  const rep = cli(['replay', out, '-q']);
  assert.equal(rep.code, 0, rep.stdout + rep.stderr);
  // bad merges: a missing shard, a shard twice, a report that is no shard, mixed models
  const missing = cli(['merge', files[0]!, files[1]!]);
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing.stderr), /shard \d of 3 missing/);
  const twice = cli(['merge', files[0]!, files[0]!, files[1]!]);
  assert.equal(twice.code, 2);
  assert.match(oneErrorLine(twice.stderr), /are both shard/);
  const plainFile = join(dir, 'plain.json');
  cli([...base, '--output', plainFile, '-q']);
  const notShard = cli(['merge', plainFile]);
  assert.equal(notShard.code, 2);
  assert.match(oneErrorLine(notShard.stderr), /is not a shard report/);
  const other = join(dir, 'other.json');
  cli(['check', '--variant', 'seed-v2', '--ops', '3', '--all-violations', '--no-timing', '--shard', '0/3', '--output', other, '-q']);
  const mixed = cli(['merge', other, files[1]!, files[2]!]);
  assert.equal(mixed.code, 2);
  assert.match(oneErrorLine(mixed.stderr), /another model/);
});

test('--shard: bad values are exit 2 with a one-line error', () => {
  for (const bad of ['3/3', '1', 'a/b', '-1/2', '0/0']) {
    const r = cli(['check', 'counter', '--shard', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(oneErrorLine(r.stderr), /shard/);
  }
});

test('simulate --shard: the shards take disjoint runs, and merge keeps the shortest shrunk trace', () => {
  const dir = tempDir();
  const base = ['simulate', 'counter', '-p', 'procs=3', '--seed', '7', '--runs', '20', '--depth', '20', '--no-timing'];
  const files = [0, 1].map((i) => {
    const f = join(dir, `sim-${i}.json`);
    const r = cli([...base, '--shard', `${i}/2`, '--output', f, '-q']);
    assert.equal(r.code, 1, r.stderr);
    return f;
  });
  const m = cli(['merge', ...files, '--format', 'json']);
  assert.equal(m.code, 1);
  const merged = json(m.stdout);
  // the racy counter's lost update with 3 processes: 2N = 6 steps (test/models/classic.test.ts)
  assert.deepEqual(
    merged.violations.map((v: { property: string; trace: { steps: unknown[] } }) => [v.property, v.trace.steps.length]),
    [['final-count', 6]],
  );
  assert.equal(merged.complete, false);
});
