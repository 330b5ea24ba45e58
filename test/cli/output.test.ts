/**
 * Output: colour rules, determinism, and the machine formats — JSON validated against
 * schema/result.schema.json, ITF, JUnit XML and SARIF checked for shape and content.
 * Most runs are in-process (runMain: the same output without starting node); the spawned ones
 * check what the binary itself writes (colour on a pipe, output identical across processes).
 * The Xen baseline (all violations, K = 2) is explored once per format: JSON (shared), JUnit, SARIF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSI, cliAsync, findAll, parseXml, readJson, ROOT, tempDir, validate, validateSarif } from './helpers.js';
import { runMain, type InProcessRun } from './in-process.js';

const schema = readJson(join(ROOT, 'schema', 'result.schema.json')) as Record<string, unknown>;
// K = 2 operations: the formats see the same kinds of violation as with the default K = 4 (four
// properties: always and assert), at 28 k instead of 415 k states
const XEN = ['check', 'xen-timer', '--variant', 'baseline', '--ops', '2', '--all-violations'];
let xenJsonRun: Promise<InProcessRun> | undefined;
/** The Xen baseline's JSON report, explored once for the tests that read it. */
const xenJson = (): Promise<InProcessRun> => (xenJsonRun ??= runMain([...XEN, '--format', 'json']));

test('colour: none when stdout is not a terminal, none with NO_COLOR (any value) or --no-color; --color (even with NO_COLOR) / FORCE_COLOR force it', async () => {
  const args = ['check', 'counter'];
  const [pipe, noColor, noColorEmpty, flag, forced, forceEnv, both] = await Promise.all([
    cliAsync(args),
    runMain(args, { env: { NO_COLOR: '1' } }),
    runMain(args, { env: { NO_COLOR: '' } }),
    runMain([...args, '--no-color']),
    cliAsync([...args, '--color']),
    runMain(args, { env: { FORCE_COLOR: '1' } }),
    runMain([...args, '--color'], { env: { NO_COLOR: '1' } }),
  ]);
  for (const r of [pipe, noColor, noColorEmpty, flag]) {
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout + r.stderr, ANSI);
  }
  // the positive control: colour does exist when asked for
  assert.match(forced.stdout, ANSI);
  assert.match(forceEnv.stdout, ANSI);
  assert.match(both.stdout, ANSI, '--color wins over NO_COLOR (issue 13)');
  // and only the paint differs
  const strip = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
  assert.equal(strip(forced.stdout).replace(/ · [^·]* s · .*\n$/, ''), pipe.stdout.replace(/ · [^·]* s · .*\n$/, ''));
});

test('deterministic: identical output for identical input with --no-timing or XENTIMER_NO_TIMING=1', async () => {
  // each pair: one run of the binary, one in-process (a fresh process against a warm one)
  const runs = await Promise.all([
    cliAsync(['check', 'counter', '--no-timing']),
    runMain(['check', 'counter'], { env: { XENTIMER_NO_TIMING: '1' } }),
    cliAsync(['check', 'peterson', '--variant', 'turn-first', '--format', 'json', '--no-timing']),
    runMain(['check', 'peterson', '--variant', 'turn-first', '--format', 'json', '--no-timing']),
    cliAsync(['check', 'philosophers', '--format', 'sarif', '--no-timing']),
    runMain(['check', 'philosophers', '--format', 'sarif', '--no-timing']),
  ]);
  assert.equal(runs[0]!.stdout, runs[1]!.stdout);
  assert.doesNotMatch(runs[0]!.stdout, /states\/s|peak RSS| s ·/);
  // racy counter, 2 processes: 12 states, 14 transitions (hand-derived in test/models/classic.test.ts)
  assert.match(runs[0]!.stdout, /\nVIOLATION final-count {2}12 states · 14 transitions · depth 4\n$/);
  assert.equal(runs[2]!.stdout, runs[3]!.stdout);
  assert.equal((JSON.parse(runs[2]!.stdout) as Record<string, unknown>)['timing'], undefined);
  assert.equal(runs[4]!.stdout, runs[5]!.stdout);
});

test('golden: the text report of the racy counter', async () => {
  // the trace and the counts are derived by hand in test/models/classic.test.ts (2N = 4 steps,
  // 12 states, 14 transitions); the layout is this tool's, checked by eye
  const r = await runMain(['check', 'counter', '--no-timing']);
  assert.equal(
    r.stdout,
    [
      'counter procs=2 variant=racy',
      '',
      '✗ final-count (terminal) when every process is done, x == 2 (no increment is lost)',
      '  shortest trace: 4 steps',
      '    1  P0  P0.read',
      '       counter.c:worker: tmp = x;',
      '       P0.pc=write',
      '    2  P1  P1.read',
      '       counter.c:worker: tmp = x;',
      '       P1.pc=write',
      '    3  P0  P0.write',
      '       counter.c:worker: x = tmp + 1;',
      '       x=1  P0.pc=done',
      '    4  P1  P1.write',
      '       counter.c:worker: x = tmp + 1;',
      '       P1.pc=done',
      '',
      'properties',
      '  ✗ final-count  violated (4 steps)',
      '  ? 1 property undecided (the search stopped at the first violation; use --all-violations)',
      '',
      'VIOLATION final-count  12 states · 14 transitions · depth 4',
      '',
    ].join('\n'),
  );
});

test('JSON validates against schema/result.schema.json (pass, violation, incomplete, xen-timer with all violations)', async () => {
  const runs = [
    await runMain(['check', 'peterson', '--format', 'json']),
    await runMain(['check', 'counter', '--format', 'json', '--no-timing']),
    await runMain(['check', 'peterson', '--format', 'json', '--max-states', '4']),
    await runMain(['check', 'philosophers', '--format', 'json', '--all-violations']),
    await xenJson(),
  ];
  const codes = runs.map((r) => r.code);
  assert.deepEqual(codes, [0, 1, 3, 1, 1]);
  for (const r of runs) {
    const doc = JSON.parse(r.stdout) as { status: string; exitCode: number; violations: unknown[] };
    assert.deepEqual(validate(schema, doc), [], r.stdout.slice(0, 400));
    assert.equal(doc.exitCode, r.code);
  }
  const xen = JSON.parse(runs[4]!.stdout) as { model: { processes: string[] }; violations: { property: string; trace: { steps: unknown[]; states: unknown[] } }[]; properties: { id: string; verdict: string; depth?: number }[] };
  assert.ok(xen.violations.length >= 2, 'several violations');
  for (const v of xen.violations) {
    assert.equal(v.trace.states.length, v.trace.steps.length + 1);
    const p = xen.properties.find((q) => q.id === v.property)!;
    assert.equal(p.verdict, 'violated');
    assert.equal(p.depth, v.trace.steps.length);
  }
  assert.ok(xen.model.processes.includes('vcpu0'));
});

test('the schema validator is not vacuous: it rejects broken reports', async () => {
  const r = await runMain(['check', 'counter', '--format', 'json']);
  const good = JSON.parse(r.stdout) as Record<string, unknown>;
  const broken = (f: (d: Record<string, any>) => void): string[] => {
    const d = JSON.parse(r.stdout) as Record<string, any>;
    f(d);
    return validate(schema, d);
  };
  assert.deepEqual(validate(schema, good), []);
  assert.notDeepEqual(broken((d) => delete d['stats']), []);
  assert.notDeepEqual(broken((d) => (d['status'] = 'maybe')), []);
  assert.notDeepEqual(broken((d) => (d['extra'] = 1)), []);
  assert.notDeepEqual(broken((d) => (d['violations'][0].trace.steps[0].index = 'one')), []);
  assert.notDeepEqual(broken((d) => (d['violations'][0].trace.states[0]['x'] = { nested: true })), []);
  assert.notDeepEqual(broken((d) => (d['violations'][0].trace = 5)), []);
});

test('ITF: vars, one object per state with #meta.index, integers as #bigint', async () => {
  const r = await runMain(['check', 'peterson', '--variant', 'turn-first', '--format', 'itf']);
  assert.equal(r.code, 1);
  const itf = JSON.parse(r.stdout) as { '#meta': Record<string, unknown>; vars: string[]; states: Record<string, unknown>[] };
  assert.equal(itf['#meta']['format'], 'ITF');
  assert.equal(itf['#meta']['property'], 'mutex');
  assert.deepEqual(itf.vars, ['P0.pc', 'P1.pc', 'flag[0]', 'flag[1]', 'turn']);
  // turn-first breaks mutex in 6 steps (test/models/classic.test.ts): 7 states
  assert.equal(itf.states.length, 7, 'a 6-step trace has 7 states');
  itf.states.forEach((s, i) => {
    assert.deepEqual(Object.keys(s).sort(), ['#meta', ...itf.vars].sort());
    assert.equal((s['#meta'] as { index: number }).index, i);
    assert.deepEqual(Object.keys(s['turn'] as object), ['#bigint']);
    assert.match((s['turn'] as { '#bigint': string })['#bigint'], /^-?\d+$/);
    assert.equal(typeof s['flag[0]'], 'boolean');
    assert.equal(typeof s['P0.pc'], 'string');
    if (i > 0) assert.equal(typeof (s['#meta'] as { step: string }).step, 'string');
  });
  // a passing model: an ITF document with no states
  const ok = JSON.parse((await runMain(['check', 'peterson', '--format', 'itf'])).stdout) as { states: unknown[] };
  assert.deepEqual(ok.states, []);
});

test('JUnit: well-formed XML, one testcase per property, failures carry the trace', async () => {
  const [one, all, pass] = [await runMain(['check', 'counter', '--format', 'junit']), await runMain([...XEN, '--format', 'junit']), await runMain(['check', 'peterson', '--format', 'junit'])];
  for (const r of [one, all, pass]) {
    assert.match(r.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    const root = parseXml(r.stdout);
    assert.equal(root.name, 'testsuites');
    const suites = findAll(root, 'testsuite');
    assert.equal(suites.length, 1);
    const cases = findAll(root, 'testcase');
    assert.equal(String(cases.length), suites[0]!.attrs['tests']);
    assert.equal(String(findAll(root, 'failure').length), suites[0]!.attrs['failures']);
    assert.equal(String(findAll(root, 'skipped').length), suites[0]!.attrs['skipped']);
  }
  const c = parseXml(one.stdout);
  const failure = findAll(c, 'failure')[0]!;
  assert.equal(failure.attrs['type'], 'terminal');
  assert.match(failure.text, /shortest trace: 4 steps/);
  const x = parseXml(all.stdout);
  // one failure per violation of the same search's JSON report
  assert.equal(findAll(x, 'failure').length, (JSON.parse((await xenJson()).stdout) as { violations: unknown[] }).violations.length);
  assert.equal(findAll(x, 'skipped').length, 0, 'all violations, complete search: nothing undecided');
  // C code with < > & survives the round trip
  assert.ok(findAll(x, 'failure').some((f) => f.text.includes('vcpu->arch.xen')));
  assert.equal(findAll(parseXml(pass.stdout), 'failure').length, 0);
});

test('SARIF 2.1.0: one result per violation, ruleId = property, located at the violating step', async () => {
  const r = await runMain([...XEN, '--format', 'sarif', '--no-timing']);
  const sarif = JSON.parse(r.stdout) as any;
  assert.equal(sarif.version, '2.1.0');
  assert.deepEqual(validateSarif(sarif), [], 'valid against the official SARIF 2.1.0 schema');
  assert.match(sarif.$schema, /sarif-2\.1\.0/);
  assert.equal(sarif.runs.length, 1);
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'xentimer-check');
  const ruleIds: string[] = run.tool.driver.rules.map((x: { id: string }) => x.id);
  const json = JSON.parse((await xenJson()).stdout) as any;
  assert.ok(json.violations.length >= 2, 'several violations to tell apart');
  assert.equal(run.results.length, json.violations.length);
  run.results.forEach((res: any, i: number) => {
    const v = json.violations[i];
    assert.equal(res.ruleId, v.property);
    assert.equal(ruleIds[res.ruleIndex], res.ruleId);
    assert.equal(res.level, 'error');
    const last = v.trace.steps.at(-1);
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, last.source.file);
    assert.equal(res.locations[0].logicalLocations[0].name, last.source.func);
    assert.equal(res.locations[0].logicalLocations[0].kind, 'function');
    assert.match(res.message.text, new RegExp(`^${v.property.replace(/\./g, '\\.')}: `));
    assert.equal(res.codeFlows[0].threadFlows[0].locations.length, v.trace.steps.length);
  });
  assert.equal(run.invocations[0].exitCode, 1);
});

test('--output FILE: the report in the chosen (or inferred) format, text still on the terminal', async () => {
  const dir = tempDir();
  const [json, sarif, xml, text] = [
    await runMain(['check', 'counter', '--output', join(dir, 'r.json')]),
    await runMain(['check', 'counter', '-o', join(dir, 'r.sarif')]),
    await runMain(['check', 'counter', '-o', join(dir, 'r.xml'), '-q']),
    await runMain(['check', 'counter', '-o', join(dir, 'r.txt'), '--format', 'text']),
  ];
  for (const r of [json, sarif, xml, text]) {
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^counter procs=2 variant=racy\n/);
  }
  assert.match(json.stderr, /json report written to .*r\.json/);
  assert.equal(xml.stderr, '', '--quiet: no note');
  assert.deepEqual(validate(schema, readJson(join(dir, 'r.json'))), []);
  assert.equal((readJson(join(dir, 'r.sarif')) as { version: string }).version, '2.1.0');
  assert.equal(parseXml(readFileSync(join(dir, 'r.xml'), 'utf8')).name, 'testsuites');
  assert.doesNotMatch(readFileSync(join(dir, 'r.txt'), 'utf8'), ANSI);
  assert.match(readFileSync(join(dir, 'r.txt'), 'utf8'), /✗ final-count/);
});

test('--quiet: headlines and summary, no traces', async () => {
  const r = await runMain(['check', 'counter', '--quiet', '--no-timing']);
  assert.equal(r.stdout, 'counter procs=2 variant=racy\n\n✗ final-count (terminal) when every process is done, x == 2 (no increment is lost)\n  shortest trace: 4 steps\n\nVIOLATION final-count  12 states · 14 transitions · depth 4\n');
});

test('--explain: a race diagram after the trace, one column per acting process', async () => {
  const r = await runMain(['check', 'counter', '--explain', '--no-timing']);
  assert.ok(
    r.stdout.includes(
      [
        '  final-count (terminal): race over 4 steps',
        '',
        '     P0               P1',
        '     --               --',
        '     worker():',
        '   1   tmp = x;',
        '                      worker():',
        '   2                    tmp = x;',
        '   3   x = tmp + 1;',
        '   4                    x = tmp + 1;',
        '',
        '     ✗ final-count: when every process is done, x == 2 (no increment is lost)',
        '',
      ].join('\n'),
    ),
    r.stdout,
  );
});
