/**
 * matrix (against an expected file; --update) and list, in-process (runMain) but for one spawned
 * run of each command. The counts of the classic models are derived by hand in
 * test/models/classic.test.ts (racy counter, 2 processes: 12 states, 14 transitions, lost update in
 * 4 steps; atomic: 4 states, 4 transitions; Peterson turn-first: mutex broken in 6 steps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliAsync, FIXTURES, oneErrorLine, tempDir } from './helpers.js';
import { runMain } from './in-process.js';

test('matrix --update writes an expected matrix; the same run then matches (exit 0); a changed verdict is exit 1', async () => {
  const dir = tempDir();
  const file = join(dir, 'counter.expected.json');
  const up = cli(['matrix', '--model', 'counter', '--expected', file, '--update', '--no-timing']);
  assert.equal(up.code, 0, up.stderr);
  // a new file is created, not "updated with no change"
  assert.match(up.stdout, /CREATED .*counter\.expected\.json \(2 variants\)\n$/);
  const exp = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(exp, {
    model: 'counter',
    params: { procs: 2 },
    variants: {
      racy: { states: 12, transitions: 14, verdicts: { 'final-count': 'violated:4', deadlock: 'holds' } },
      atomic: { states: 4, transitions: 4, verdicts: { 'final-count': 'holds', deadlock: 'holds' } },
    },
  });

  const same = await runMain(['matrix', '--model', 'counter', '--expected', file, '--no-timing']);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.equal(
    same.stdout,
    [
      'counter procs=2',
      'property             racy  atomic',
      '-----------  ------------  ------',
      'states                 12       4',
      'transitions            14       4',
      'final-count  violated (4)   holds',
      'deadlock            holds   holds',
      'SAME as ' + file + ': 2 variants × 2 properties',
      '',
    ].join('\n'),
  );

  exp.variants.atomic.verdicts['final-count'] = 'violated:3';
  exp.variants.racy.states = 13;
  writeFileSync(file, JSON.stringify(exp));
  const diff = await runMain(['matrix', '--model', 'counter', '--expected', file, '--no-timing']);
  assert.equal(diff.code, 1);
  assert.match(diff.stdout, /final-count {2}violated \(4\) {2}holds \*/);
  assert.match(diff.stdout, /≠ racy: states 12, expected 13\n/);
  assert.match(diff.stdout, /≠ atomic × final-count: holds, expected violated:3\n/);
  assert.match(diff.stdout, /DIFFERENT from .*: 2 differences/);
});

test('matrix: the hint after DIFFERENT is the command that accepts this run (same model, --expected, -p, --variants), and running it makes the next run SAME', async () => {
  const file = join(tempDir(), 'counter.json');
  assert.equal((await runMain(['matrix', '--model', 'counter', '--expected', file, '--update'])).code, 0);
  const diff = await runMain(['matrix', '--model', 'counter', '--expected', file, '-p', 'procs=3', '--variants', 'racy', '--no-timing']);
  assert.equal(diff.code, 1, diff.stdout + diff.stderr);
  const hint = /\(if intended: xentimer-check (matrix .*)\)\n$/.exec(diff.stdout)?.[1];
  assert.equal(hint, `matrix --model counter --expected ${file} -p procs=3 --variants racy --update`);
  assert.equal((await runMain(hint!.split(' '))).code, 0);
  const same = await runMain(['matrix', '--model', 'counter', '--expected', file, '-p', 'procs=3', '--variants', 'racy', '--no-timing']);
  assert.equal(same.code, 0, same.stdout);
  assert.match(same.stdout, /SAME as /);
  // a missing expected file: the hint creates that file, not models/<name>/expected.json
  const missing = await runMain(['matrix', '--model', 'counter', '--expected', join(tempDir(), 'none.json')]);
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing.stderr), /create it with `xentimer-check matrix --model counter --expected \S+none\.json --update`/);
});

test('matrix --variants runs a subset and compares only that; --format json', async () => {
  const dir = tempDir();
  const file = join(dir, 'peterson.json');
  assert.equal((await runMain(['matrix', '--model', 'peterson', '--expected', file, '--update'])).code, 0);
  const [sub, json, params] = [
    await runMain(['matrix', '--model', 'peterson', '--expected', file, '--variants', 'turn-first']),
    await runMain(['matrix', '--model', 'peterson', '--expected', file, '--format', 'json', '--no-timing']),
    await runMain(['matrix', '--model', 'counter', '--expected', file]),
  ];
  assert.equal(sub.code, 0, sub.stdout);
  assert.match(sub.stdout, /SAME as .*: 1 variant × 3 properties/);
  assert.equal(json.code, 0);
  const m = JSON.parse(json.stdout);
  assert.equal(m.same, true);
  assert.deepEqual(m.variants.map((v: { variant: string }) => v.variant), ['correct', 'turn-first']);
  assert.equal(m.variants[1].verdicts.mutex, 'violated:6');
  assert.equal(params.code, 2);
  assert.match(oneErrorLine(params.stderr), /is the expected matrix of peterson, not counter/);
});

test('matrix --update --variants refreshes those variants and keeps the others as they were', async () => {
  const dir = tempDir();
  const file = join(dir, 'counter.expected.json');
  assert.equal((await runMain(['matrix', '--model', 'counter', '--expected', file, '--update'])).code, 0);
  const exp = JSON.parse(readFileSync(file, 'utf8'));
  exp.variants.racy.states = 13;
  exp.variants.atomic.states = 99;
  exp.variants.atomic.verdicts['final-count'] = 'violated:3';
  writeFileSync(file, JSON.stringify(exp));
  const up = await runMain(['matrix', '--model', 'counter', '--expected', file, '--update', '--variants', 'racy', '--no-timing']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /UPDATED .*counter\.expected\.json \(1 variant/);
  const after = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(Object.keys(after.variants), ['racy', 'atomic'], 'both variants, in their order');
  assert.equal(after.variants.racy.states, 12, 'racy refreshed');
  assert.deepEqual(after.variants.atomic, exp.variants.atomic, 'atomic untouched, wrong values and all');
  // so the subset matches and the whole still differs where it was edited
  assert.equal((await runMain(['matrix', '--model', 'counter', '--expected', file, '--variants', 'racy'])).code, 0);
  const whole = await runMain(['matrix', '--model', 'counter', '--expected', file, '--no-timing']);
  assert.equal(whole.code, 1);
  assert.match(whole.stdout, /DIFFERENT from .*: 2 differences/);
});

test('matrix --format markdown: one row per variant, ✗ N for a violation in N steps, – for holds', async () => {
  const dir = tempDir();
  const file = join(dir, 'counter.json');
  assert.equal((await runMain(['matrix', '--model', 'counter', '--expected', file, '--update'])).code, 0);
  const r = await runMain(['matrix', '--model', 'counter', '--expected', file, '--format', 'markdown', '--no-timing']);
  assert.equal(r.code, 0, r.stderr);
  // counts from the counter expected matrix in the first test of this file (racy: 4-step lost update)
  assert.equal(
    r.stdout,
    ['| variant | final-count | deadlock |', '|---|:---:|:---:|', '| racy | ✗ 4 | – |', '| atomic | – | – |', '', 'SAME as ' + file + ': 2 variants × 2 properties', ''].join('\n'),
  );
});

test('matrix on the repository expected matrix of xen-timer (one variant; every variant: test/models/xen-timer.test.ts)', () => {
  const r = cli(['matrix', '--variants', 'baseline', '--no-timing']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^xen-timer vcpus=\d+ ops=\d+ /);
  assert.match(r.stdout, /\nproperty +baseline\n/);
  assert.match(r.stdout, /SAME as models\/xen-timer\/expected\.json: 1 variant × \d+ properties\n$/);
});

test('list: every model with variants, parameters (defaults) and properties', async () => {
  const [all, one, json] = await Promise.all([cliAsync(['list']), runMain(['list', 'peterson']), runMain(['list', '--format', 'json'])]);
  assert.equal(all.code, 0);
  assert.match(all.stdout, /^xen-timer {2}/, 'the default model first');
  for (const m of ['xen-timer', 'peterson', 'philosophers', 'counter']) assert.match(all.stdout, new RegExp(`(^|\\n)${m}  `));
  assert.match(all.stdout, /variants: .*seed-v2 \(default\)/);
  assert.match(all.stdout, /\n {4}vcpus +--vcpus +.*default 1\n/);
  assert.match(all.stdout, /\n {4}n +--param n= +number of philosophers; 2\.\.6, default 3\n/);
  assert.equal(one.code, 0);
  assert.equal(
    one.stdout,
    [
      "peterson  Peterson's mutual exclusion for 2 processes (cyclic); 'turn-first' is the broken order",
      '  variants: correct (default), turn-first',
      '  parameters',
      '    variant  --variant  entry protocol order; correct|turn-first, default correct',
      '  properties (with variant=correct)',
      '    mutex     always     at most one process is in its critical section',
      '    p0-in-cs  sometimes  process 0 is in its critical section',
      '    deadlock  deadlock   no reachable state where nothing can move and the state is not a valid end (off with --no-deadlock)',
      '',
    ].join('\n'),
  );
  const data = JSON.parse(json.stdout) as { name: string; properties: { id: string }[] }[];
  assert.deepEqual(data.map((d) => d.name).sort(), ['counter', 'peterson', 'philosophers', 'xen-timer']);
  assert.ok(data.every((d) => d.properties.some((p) => p.id === 'deadlock')));
});

test('matrix --model takes a JS module exporting a ModelFactory, with --expected FILE (required: a module has no models/<name>/expected.json)', async () => {
  const file = join(tempDir(), 'tiny.expected.json');
  const tiny = join(FIXTURES, 'tiny.mjs');
  const missing = await runMain(['matrix', '--model', tiny]);
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing.stderr), /needs --expected FILE/);
  assert.equal((await runMain(['matrix', '--model', tiny, '--expected', file, '--update'])).code, 0);
  const same = await runMain(['matrix', '--model', tiny, '--expected', file]);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /SAME as .*tiny\.expected\.json: 1 variant × 2 properties/);
});

test('matrix --update on an existing file says UPDATED and how much changed; --jobs 0 is exit 2 (it would check no variant)', () => {
  const dir = tempDir();
  const file = join(dir, 'counter.expected.json');
  assert.equal(cli(['matrix', '--model', 'counter', '--expected', file, '--update', '--no-timing']).code, 0);
  const again = cli(['matrix', '--model', 'counter', '--expected', file, '--update', '--no-timing']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /UPDATED .*counter\.expected\.json \(2 variants, no change\)\n$/);
  const zero = cli(['matrix', '--model', 'counter', '--expected', file, '--jobs', '0']);
  assert.equal(zero.code, 2);
  assert.match(oneErrorLine(zero.stderr), /'0' is not a number of jobs \(a whole number from 1 to 256\)/);
});
