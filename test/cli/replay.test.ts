/**
 * replay and explain on saved traces: reproduce → 0, tampered → 1, unreadable → 2. In-process
 * (runMain) but for one spawned replay per exit code, which checks the binary's own exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliAsync, FIXTURES, oneErrorLine, readJson, tempDir } from './helpers.js';
import { runMain } from './in-process.js';

const dir = tempDir();
const saved = {
  xen: join(dir, 'xen.json'),
  counter: join(dir, 'counter.json'),
  phil: join(dir, 'phil.json'),
  tiny: join(dir, 'tiny.json'),
  pass: join(dir, 'pass.json'),
};
// the Xen baseline with K = 2 operations: four violations (always and assert), 28 k states
const made = (async () => [
  await runMain(['check', 'xen-timer', '--variant', 'baseline', '--ops', '2', '--all-violations', '--format', 'json', '--output', saved.xen, '-q']),
  await runMain(['check', 'counter', '--output', saved.counter, '-q']),
  await runMain(['check', 'philosophers', '--output', saved.phil, '-q']),
  await runMain(['check', join(FIXTURES, 'tiny.mjs'), '-p', 'limit=5', '--output', saved.tiny, '-q']),
  await runMain(['check', 'peterson', '--output', saved.pass, '-q']),
])();

function tamper(from: string, to: string, f: (d: any) => void): string {
  const d = JSON.parse(readFileSync(from, 'utf8'));
  f(d);
  writeFileSync(to, JSON.stringify(d));
  return to;
}

test('replay reproduces saved traces (always, assert, terminal, deadlock; registry and module models)', async () => {
  const codes = (await made).map((r) => r.code);
  assert.deepEqual(codes, [1, 1, 1, 1, 0]);
  const runs = await Promise.all([cliAsync(['replay', saved.xen]), ...[saved.counter, saved.phil, saved.tiny].map((f) => runMain(['replay', f]))]);
  for (const r of runs) {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /does not reproduce/);
    assert.match(r.stdout, /✓ reproduces: /);
  }
  const xen = readJson(saved.xen) as { violations: { property: string }[] };
  assert.ok(xen.violations.length >= 2, 'several traces');
  assert.equal((runs[0]!.stdout.match(/✓ reproduces/g) ?? []).length, xen.violations.length);
  // by hand: the racy counter's lost update takes 2N = 4 steps; 3 philosophers deadlock once each
  // has taken its left fork, 3 steps (both derived in test/models/classic.test.ts)
  assert.match(runs[1]!.stdout, /✓ reproduces: final-count is false in the terminal state after step 4/);
  assert.match(runs[2]!.stdout, /✓ reproduces: deadlock after step 3/);
  assert.match(runs[3]!.stdout, /^tiny limit=5 safe=false: replaying 1 trace/);
  // each step printed with the C line and the changed fields
  assert.match(runs[1]!.stdout, /\n {4}1 {2}P0 {2}P0\.read\n {7}counter\.c:worker: tmp = x;\n {7}P0\.pc=write\n/);
});

test('replay --states prints full states; --property picks one; a report without violations replays nothing', async () => {
  await made;
  const [full, one, none, missing] = [
    await runMain(['replay', saved.counter, '--states']),
    await runMain(['replay', saved.xen, '--property', (readJson(saved.xen) as { violations: { property: string }[] }).violations[0]!.property]),
    await runMain(['replay', saved.pass]),
    await runMain(['replay', saved.counter, '--property', 'nope']),
  ];
  assert.equal(full.code, 0);
  assert.match(full.stdout, /\n {4}4 {2}P1 {2}P1\.write\n {7}counter\.c:worker: x = tmp \+ 1;\n {7}x=1 {2}P0\.pc=done {2}P1\.pc=done/);
  assert.equal(one.code, 0);
  assert.equal((one.stdout.match(/✓ reproduces/g) ?? []).length, 1);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /nothing to replay/);
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing.stderr), /has no violation of 'nope' \(hint: its violations: final-count\)/);
});

test('replay of a tampered trace: exit 1 "does not reproduce"', async () => {
  await made;
  const files = [
    tamper(saved.counter, join(dir, 't-state.json'), (d) => (d.violations[0].trace.states[3].x = 0)),
    tamper(saved.counter, join(dir, 't-step.json'), (d) => (d.violations[0].trace.steps[1].step = 'P1.teleport')),
    tamper(saved.counter, join(dir, 't-order.json'), (d) => d.violations[0].trace.steps.reverse()),
    tamper(saved.counter, join(dir, 't-short.json'), (d) => {
      d.violations[0].trace.steps.pop();
      d.violations[0].trace.states.pop();
    }),
    tamper(saved.counter, join(dir, 't-init.json'), (d) => (d.violations[0].trace.initial = 7)),
    tamper(saved.counter, join(dir, 't-param.json'), (d) => {
      d.model.params.variant = 'atomic';
    }),
    tamper(saved.phil, join(dir, 't-prop.json'), (d) => (d.violations[0].property = 'neighbours-not-both-eating')),
  ];
  const runs = await Promise.all(files.map((f, i) => (i === 0 ? cliAsync(['replay', f]) : runMain(['replay', f]))));
  const reasons = [
    /state 3: field 'x' is 1, the trace says 0/,
    /step 2 'P1\.teleport' is not a step of model counter/,
    /step 1 'P1\.write' is not enabled/,
    /the final state is not terminal/,
    /initial state 7 does not exist/,
    /not a step of model counter|not enabled|the trace says/,
    /neighbours-not-both-eating holds in the final state/,
  ];
  runs.forEach((r, i) => {
    assert.equal(r.code, 1, `${files[i]}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /✗ does not reproduce: /);
    assert.match(r.stdout, reasons[i]!);
  });
});

test('replay of a structurally broken trace is exit 2', async () => {
  await made;
  const files = [
    tamper(saved.counter, join(dir, 'b-states.json'), (d) => d.violations[0].trace.states.pop()),
    tamper(saved.counter, join(dir, 'b-model.json'), (d) => delete d.model),
    tamper(saved.counter, join(dir, 'b-origin.json'), (d) => (d.model.name = 'no-such-model')),
    tamper(saved.counter, join(dir, 'b-param.json'), (d) => (d.model.params.procs = 99)),
  ];
  const runs = await Promise.all(files.map((f, i) => (i === 0 ? cliAsync(['replay', f]) : runMain(['replay', f]))));
  const patterns = [/has 4 steps but 4 states/, /missing "model"/, /model 'no-such-model', which is not registered/, /parameter procs must be in/];
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(oneErrorLine(r.stderr), patterns[i]!);
  });
});

test('explain: a race diagram per violation; --format mermaid: a sequence diagram', async () => {
  await made;
  const [text, mer, merAll, pass] = [
    await runMain(['explain', saved.counter]),
    await runMain(['explain', saved.counter, '--format', 'mermaid']),
    await runMain(['explain', saved.xen, '--format', 'mermaid']),
    await runMain(['explain', saved.pass]),
  ];
  assert.equal(text.code, 0);
  assert.equal(
    text.stdout,
    [
      'final-count (terminal): race over 4 steps',
      '',
      '   P0               P1',
      '   --               --',
      '   worker():',
      ' 1   tmp = x;',
      '                    worker():',
      ' 2                    tmp = x;',
      ' 3   x = tmp + 1;',
      ' 4                    x = tmp + 1;',
      '',
      '   ✗ final-count: when every process is done, x == 2 (no increment is lost)',
      '',
    ].join('\n'),
  );

  assert.equal(mer.code, 0);
  assert.match(mer.stdout, /^sequenceDiagram\n {2}title final-count: 4 steps\n {2}participant P0 as P0\n {2}participant P1 as P1\n {2}Note over P0: worker\(\)\n {2}P0->>P0: 1\. tmp = x#59;\n/);
  // `;` ends a Mermaid statement and `<`/`>` read as arrows: only entity codes may remain
  for (const l of merAll.stdout.split('\n').filter((x) => !x.startsWith('```') && !x.startsWith('###'))) {
    assert.doesNotMatch(l.replace(/#\d+;/g, '').replace(/->>/g, ''), /[;<>]/, l);
  }
  // several violations: one fenced block each
  const blocks = merAll.stdout.match(/```mermaid\nsequenceDiagram\n/g) ?? [];
  assert.equal(blocks.length, (readJson(saved.xen) as { violations: unknown[] }).violations.length);
  assert.equal(pass.code, 0);
  assert.match(pass.stdout, /no violation to explain/);
});

test('explain --width bounds the diagram', async () => {
  await made;
  const [wide, narrow] = [await runMain(['explain', saved.xen]), await runMain(['explain', saved.xen, '--width', '80'])];
  assert.equal(narrow.code, 0, narrow.stderr);
  const lines = narrow.stdout.split('\n');
  // one diagram per violation, each with its step rows
  assert.equal(lines.filter((l) => /: race over \d+ steps$/.test(l)).length, (readJson(saved.xen) as { violations: unknown[] }).violations.length);
  assert.ok(lines.some((l) => /^ {0,2}\d+ {3}\S/.test(l)), 'step rows');
  // the width matters here: without it some line is longer than 80 columns
  assert.ok(wide.stdout.split('\n').some((l) => l.length > 80 && !l.includes('✗')));
  // ≤ 80 columns (words longer than a column are cut), except the verdict line under each diagram
  const long = lines.filter((l) => l.length > 80 && !/^ +✗ /.test(l));
  assert.deepEqual(long, []);
});
