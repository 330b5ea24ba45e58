/**
 * An unreached branch cover is a finding, not a violation (issue 13 part 7): its own section and
 * headline in text, listed in JSON, SARIF, JUnit and ITF; exit 0 when every safety property holds;
 * --fail-on-unreached-cover or the property's failIfUnreached make it fail (exit 1).
 * Model: test/cli/fixtures/cover.mjs (x counts to 2; `x-is-3` can never hold, derived by hand).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cliAsync, FIXTURES, readJson, ROOT, tempDir, validate, validateSarif } from './helpers.js';

const MODEL = join(FIXTURES, 'cover.mjs');

test('an unreached cover alone: PASS, exit 0, with its own section and a note in the headline', async () => {
  const r = await cliAsync(['check', MODEL, '--no-timing']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\n1 branch cover never reached \(a finding, not a violation/);
  assert.match(r.stdout, /\n○ x-is-3 x reaches 3\n {2}cover\.c:inc: if \(x == 3\) return;\n/);
  assert.match(r.stdout, /\nPASS, 1 cover never reached \(x-is-3\) {2}3 states/);
  assert.doesNotMatch(r.stdout, /VIOLATION|✗/);
});

test('--fail-on-unreached-cover and failIfUnreached: the cover is a violation, exit 1', async () => {
  const [opt, flag] = await Promise.all([cliAsync(['check', MODEL, '--fail-on-unreached-cover', '-q']), cliAsync(['check', MODEL, '-p', 'strict=true', '-q'])]);
  for (const r of [opt, flag]) {
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✗ x-is-3 \(sometimes\) x reaches 3\n {2}never reached: x reaches 3\n/);
    assert.match(r.stdout, /\nVIOLATION x-is-3 /);
    assert.doesNotMatch(r.stdout, /branch cover never reached/);
  }
});

test('every machine format names the unreached cover; JSON validates and exits 0', async () => {
  const dir = tempDir();
  const files = { json: join(dir, 'r.json'), sarif: join(dir, 'r.sarif'), junit: join(dir, 'r.xml'), itf: join(dir, 'r.itf.json') };
  const runs = await Promise.all(Object.values(files).map((f) => cliAsync(['check', MODEL, '--no-timing', '-q', '--output', f])));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const json = readJson(files.json) as { status: string; exitCode: number; unreachedCovers: unknown[]; violations: unknown[] };
  assert.equal(json.status, 'pass');
  assert.equal(json.exitCode, 0);
  assert.deepEqual(json.violations, []);
  assert.deepEqual(json.unreachedCovers, [{ property: 'x-is-3', description: 'x reaches 3', source: [{ file: 'cover.c', func: 'inc', line: 'if (x == 3) return;' }], fails: false }]);
  assert.deepEqual(validate(readJson(join(ROOT, 'schema', 'result.schema.json')) as never, json), []);
  const sarif = readJson(files.sarif) as { runs: { results: { ruleId: string; level: string }[]; properties: { unreachedCovers: string[] } }[] };
  assert.deepEqual(validateSarif(sarif), []);
  assert.deepEqual(sarif.runs[0]!.results.map((x) => [x.ruleId, x.level]), [['x-is-3', 'warning']]);
  assert.deepEqual(sarif.runs[0]!.properties.unreachedCovers, ['x-is-3']);
  const { readFileSync } = await import('node:fs');
  const junit = readFileSync(files.junit, 'utf8');
  assert.match(junit, /failures="0"/);
  assert.match(junit, /<property name="unreachedCovers" value="x-is-3"\/>/);
  assert.match(junit, /<testcase classname="cover" name="x-is-3" time="0">\n {6}<system-out>never reached: x reaches 3 \(a finding/);
  assert.deepEqual((readJson(files.itf) as { '#meta': { unreachedCovers: string[] } })['#meta'].unreachedCovers, ['x-is-3']);
});

test('xen-timer proposed-fix: no broken invariant, the one dead defensive branch is a finding, exit 0', async () => {
  // --no-por: the full search decides an unreached cover (under reduction it is "not decided")
  const r = await cliAsync(['check', '--variant', 'proposed-fix', '--no-por', '-q', '--no-timing']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // models/xen-timer/expected.json: proposed-fix has cover.callback.already_pending unreachable and no violated property
  assert.match(r.stdout, /○ cover\.callback\.already_pending /);
  assert.match(r.stdout, /\nPASS, 1 cover never reached \(cover\.callback\.already_pending\) /);
});

test('--fail-on-unreached-cover turns the reduction off (a cover not reached under it is undecided), says so, and decides: xen-timer proposed-fix exits 1 on its dead branch', async () => {
  const r = await cliAsync(['check', '--variant', 'proposed-fix', '--fail-on-unreached-cover', '--format', 'json', '--no-timing']);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { status: string; stats: { states: number; por: { used: boolean; offBy?: string } }; violations: { property: string }[] };
  assert.deepEqual(validate(readJson(join(ROOT, 'schema', 'result.schema.json')) as never, j), []);
  assert.equal(j.status, 'violation');
  assert.equal(j.stats.por.used, false);
  assert.equal(j.stats.por.offBy, 'unreached-cover');
  // the unreduced count (models/xen-timer: proposed-fix, default bounds, --no-por: 417,768)
  assert.equal(j.stats.states, 417768);
  assert.deepEqual(j.violations.map((v) => v.property), ['cover.callback.already_pending']);
  const text = await cliAsync(['check', '--variant', 'proposed-fix', '--fail-on-unreached-cover', '-q']);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /partial-order reduction: off where an unreached cover fails the run \(--fail-on-unreached-cover or failIfUnreached\)/);
});
