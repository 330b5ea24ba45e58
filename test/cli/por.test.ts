/**
 * The CLI and partial-order reduction: on by default where the model declares its accesses (a
 * .dve file), the report says so (text, JSON valid against the schema), `--no-por` switches it
 * off, and worker threads switch it off with the reason in the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { cli, cliAsync, readJson, ROOT, tempDir, validate } from './helpers.js';

const schema = readJson(join(ROOT, 'schema', 'result.schema.json')) as Record<string, unknown>;
const PETERSON = join('test', 'fixtures', 'beem', 'models', 'peterson.1.dve');

test('check FILE.dve: reduction by default (text and JSON say so); --no-por gives the full search; --workers turns it off with the reason', async () => {
  const [on, off, workers] = await Promise.all([
    cliAsync(['check', PETERSON, '--no-deadlock', '--format', 'json', '--no-timing']),
    cliAsync(['check', PETERSON, '--no-deadlock', '--format', 'json', '--no-timing', '--no-por']),
    cliAsync(['check', PETERSON, '--no-deadlock', '--format', 'json', '--no-timing', '--workers', '1']),
  ]);
  for (const r of [on, off, workers]) assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(on.stdout);
  const b = JSON.parse(off.stdout);
  const c = JSON.parse(workers.stdout);
  for (const r of [a, b, c]) assert.deepEqual(validate(schema as never, r), []);
  assert.equal(a.stats.por.used, true);
  assert.ok(a.stats.por.reducedStates > 0);
  assert.equal(a.stats.states, 8877); // regression value produced by this tool on 2026-12-02
  assert.equal(b.settings.por, false);
  assert.equal(b.stats.por, undefined);
  assert.equal(b.stats.states, 12498); // BEEM expected.csv
  assert.deepEqual(c.stats.por, { used: false, reason: 'not available with worker threads (--workers)', offBy: 'workers' });
  assert.equal(c.stats.states, 12498);
  const text = cli(['check', PETERSON, '--no-deadlock', '-q']);
  assert.match(text.stdout, /partial-order reduction: [\d,]+ expanded states cut to a stubborn set .*not always the shortest \(--no-por gives the shortest\)/);
});

test('check --workers / --shard on a model with declared accesses: the text report says the reduction was off and the search exhaustive; a model that declares nothing gets no such line', () => {
  const workers = cli(['check', PETERSON, '--no-deadlock', '-q', '--workers', '1']);
  assert.equal(workers.code, 0, workers.stderr);
  assert.match(workers.stdout, /partial-order reduction: not available with worker threads \(--workers\); the search was exhaustive, as with --no-por/);
  const shard = cli(['check', PETERSON, '--no-deadlock', '-q', '--shard', '1/2']);
  assert.equal(shard.code, 3, shard.stderr);
  assert.match(shard.stdout, /partial-order reduction: not available with shards \(--shard\); the search was exhaustive/);
  // peterson (registered, hand-written) declares no accesses: nothing was turned off
  const plain = cli(['check', 'peterson', '-q', '--workers', '1', '--format', 'json', '--no-timing']);
  assert.equal(plain.code, 0, plain.stderr);
  const r = JSON.parse(plain.stdout);
  assert.equal(r.stats.por.used, false);
  assert.equal(r.stats.por.offBy, undefined);
  assert.doesNotMatch(cli(['check', 'peterson', '-q', '--workers', '1']).stdout, /partial-order reduction/);
});

test('check FILE.dve whose steps are all pairwise dependent (hanoi.1): no reduction, said so in text and JSON (offBy all-dependent), the published counts', () => {
  const HANOI = join('test', 'fixtures', 'beem', 'models', 'hanoi.1.dve');
  const json = cli(['check', HANOI, '--no-deadlock', '--format', 'json', '--no-timing']);
  assert.equal(json.code, 0, json.stderr);
  const r = JSON.parse(json.stdout);
  assert.deepEqual(validate(schema as never, r), []);
  assert.deepEqual(r.stats.por, { used: false, reason: 'nothing to reduce: every two steps of the model are dependent (by the accesses it declares)', offBy: 'all-dependent' });
  assert.deepEqual([r.stats.states, r.stats.transitions], [6561, 19680]); // BEEM expected.csv
  const text = cli(['check', HANOI, '--no-deadlock', '-q']);
  assert.match(text.stdout, /partial-order reduction: nothing to reduce: every two steps of the model are dependent \(by the accesses it declares\); the search was exhaustive, as with --no-por\n/);
});

test('check FILE.dve with a single step: nothing to reduce, said so in those words', () => {
  const dir = tempDir();
  const file = join(dir, 'one.dve');
  writeFileSync(file, 'byte x = 0;\nprocess P {\nstate s;\ninit s;\ntrans\n s -> s { guard x < 3; effect x = x + 1; };\n}\nsystem async;\n');
  const r = cli(['check', file, '--no-deadlock', '--format', 'json', '--no-timing']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.stats.por, { used: false, reason: 'nothing to reduce: the model has a single step', offBy: 'all-dependent' });
  // x = 0, 1, 2, 3
  assert.equal(j.stats.states, 4);
});
