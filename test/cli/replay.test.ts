/** replay and explain on saved traces: reproduce → 0, tampered → 1, unreadable → 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliAsync, FIXTURES, oneErrorLine, readJson, tempDir } from './helpers.js';

const dir = tempDir();
const saved = {
  xen: join(dir, 'xen.json'),
  counter: join(dir, 'counter.json'),
  phil: join(dir, 'phil.json'),
  tiny: join(dir, 'tiny.json'),
  pass: join(dir, 'pass.json'),
};
const made = Promise.all([
  cliAsync(['check', 'xen-timer', '--variant', 'baseline', '--all-violations', '--format', 'json', '--output', saved.xen, '-q']),
  cliAsync(['check', 'counter', '--output', saved.counter, '-q']),
  cliAsync(['check', 'philosophers', '--output', saved.phil, '-q']),
  cliAsync(['check', join(FIXTURES, 'tiny.mjs'), '-p', 'limit=5', '--output', saved.tiny, '-q']),
  cliAsync(['check', 'peterson', '--output', saved.pass, '-q']),
]);

function tamper(from: string, to: string, f: (d: any) => void): string {
  const d = JSON.parse(readFileSync(from, 'utf8'));
  f(d);
  writeFileSync(to, JSON.stringify(d));
  return to;
}

test('replay reproduces saved traces (always, assert, terminal, deadlock; registry and module models)', async () => {
  const codes = (await made).map((r) => r.code);
  assert.deepEqual(codes, [1, 1, 1, 1, 0]);
  const runs = await Promise.all([saved.xen, saved.counter, saved.phil, saved.tiny].map((f) => cliAsync(['replay', f])));
  for (const r of runs) {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /does not reproduce/);
    assert.match(r.stdout, /✓ reproduces: /);
  }
  const xen = readJson(saved.xen) as { violations: { property: string }[] };
  assert.equal((runs[0]!.stdout.match(/✓ reproduces/g) ?? []).length, xen.violations.length);
  assert.match(runs[1]!.stdout, /✓ reproduces: final-count is false in the terminal state after step 4/);
  assert.match(runs[2]!.stdout, /✓ reproduces: deadlock after step 3/);
  assert.match(runs[3]!.stdout, /^tiny limit=5 safe=false: replaying 1 trace/);
  // each step printed with the C line and the changed fields
  assert.match(runs[1]!.stdout, /\n {4}1 {2}P0 {2}P0\.read\n {7}counter\.c:worker: tmp = x;\n {7}P0\.pc=write\n/);
});

test('replay --states prints full states; --property picks one; a report without violations replays nothing', async () => {
  await made;
  const [full, one, none, missing] = await Promise.all([
    cliAsync(['replay', saved.counter, '--states']),
    cliAsync(['replay', saved.xen, '--property', (readJson(saved.xen) as { violations: { property: string }[] }).violations[0]!.property]),
    cliAsync(['replay', saved.pass]),
    cliAsync(['replay', saved.counter, '--property', 'nope']),
  ]);
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
  const runs = await Promise.all(files.map((f) => cliAsync(['replay', f])));
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
  const runs = await Promise.all(files.map((f) => cliAsync(['replay', f])));
  const patterns = [/has 4 steps but 4 states/, /missing "model"/, /model 'no-such-model', which is not registered/, /parameter procs must be in/];
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(oneErrorLine(r.stderr), patterns[i]!);
  });
});

test('explain: a race diagram per violation; --format mermaid: a sequence diagram', async () => {
  await made;
  const [text, mer, merAll, pass] = await Promise.all([
    cliAsync(['explain', saved.counter]),
    cliAsync(['explain', saved.counter, '--format', 'mermaid']),
    cliAsync(['explain', saved.xen, '--format', 'mermaid']),
    cliAsync(['explain', saved.pass]),
  ]);
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
  assert.match(text.stdout, /✗ final-count: when every process is done/);

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

test('explain --width bounds the diagram', () => {
  const r = cli(['explain', saved.xen, '--width', '80']);
  assert.equal(r.code, 0, r.stderr);
  // ≤ 80 columns except unbreakable words and the final verdict line
  const long = r.stdout.split('\n').filter((l) => l.length > 90 && !l.includes('✗'));
  assert.deepEqual(long, []);
});
