/**
 * Terminal and argument hygiene (issue 13 part 5): control characters from data are printed
 * escaped; TERM=dumb gets no colour or cursor codes; --color / --no-color win over the
 * environment; one strict number parser (the error quotes the input); one parameter given twice
 * is exit 2; `help TOPIC` with an unknown topic is exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { colorEnabled } from '../../src/cli/color.js';
import { safeData, safeText } from '../../src/cli/format/safe.js';
import { makeProgress } from '../../src/cli/progress.js';
import { ANSI, cli, cliAsync, oneErrorLine, tempDir } from './helpers.js';

test('safeText makes control characters visible and keeps tabs, newlines and ordinary Unicode', () => {
  assert.equal(safeText('a\u001b[2Jb\u0007\u009b\u202e\tc\nd ✓'), 'a\\x1b[2Jb\\x07\\x9b\\u202e\tc\nd ✓');
  assert.deepEqual(safeData({ 'k\u001b': ['\u0000', 1, true, null] }), { 'k\\x1b': ['\\x00', 1, true, null] });
});

test('a crafted report: explain and the error line print its control characters escaped', async () => {
  const dir = tempDir();
  const file = join(dir, 'r.json');
  const made = cli(['check', 'counter', '--no-timing', '--output', file, '-q']);
  assert.equal(made.code, 1, made.stderr);
  const evil = '\u001b[2J\u001b[31m';
  const r = JSON.parse(readFileSync(file, 'utf8')) as { violations: { message: string; trace: { steps: { step: string; source: { line: string } }[] } }[] };
  r.violations[0]!.message += evil;
  r.violations[0]!.trace.steps[0]!.source.line += evil;
  writeFileSync(file, JSON.stringify(r));
  const [explain, missing] = await Promise.all([cliAsync(['explain', file, '--color']), cliAsync(['check', join(dir, `x${evil}.dve`), '--color'])]);
  assert.equal(explain.code, 0, explain.stderr);
  assert.ok(explain.stdout.includes('\\x1b[2J\\x1b[31m'), explain.stdout);
  assert.doesNotMatch(explain.stdout.replace(/\u001b\[[0-9;]*m/g, ''), /\u001b/, 'only the tool\'s own SGR colour codes');
  assert.ok(!explain.stdout.includes('\u001b[2J'));
  assert.equal(missing.code, 2);
  assert.doesNotMatch(missing.stderr, /\u001b/);
  assert.match(missing.stderr, /x\\x1b\[2J\\x1b\[31m\.dve/);
});

test('colour: --color and --no-color win over NO_COLOR / FORCE_COLOR; TERM=dumb gets none by default', async () => {
  const tty = { isTTY: true };
  assert.equal(colorEnabled({ NO_COLOR: '' }, tty, true), true);
  assert.equal(colorEnabled({ FORCE_COLOR: '1' }, tty, false), false);
  assert.equal(colorEnabled({ TERM: 'dumb' }, tty, undefined), false);
  assert.equal(colorEnabled({ TERM: 'xterm' }, tty, undefined), true);
  assert.equal(makeProgress(tty as never, true, { TERM: 'dumb' }).onProgress, undefined, 'no progress line (cursor codes) on a dumb terminal');
  const [forced, off] = await Promise.all([cliAsync(['check', 'peterson', '--color', '-q'], { env: { NO_COLOR: '1' } }), cliAsync(['check', 'peterson', '--no-color', '-q'], { env: { FORCE_COLOR: '1' } })]);
  assert.match(forced.stdout, ANSI);
  assert.doesNotMatch(off.stdout, ANSI);
});

test('numbers: one strict parser for options and -p parameters; the error quotes the input', async () => {
  const cases: [string[], string][] = [
    [['-p', 'ops='], "''"],
    [['-p', 'ops=0x3'], "'0x3'"],
    [['-p', 'ops= 2'], "' 2'"],
    [['--ops', '0x2'], "'0x2'"],
    [['--ops', ' 2'], "' 2'"],
    [['--max-states', '1e3'], "'1e3'"],
    [['--time-limit', ' 5'], "' 5'"],
    [['--workers', '2.0'], "'2.0'"],
    [['--shard', ' 0/2'], "' 0/2'"],
  ];
  const runs = await Promise.all(cases.map(([args]) => cliAsync(['check', ...args, '-q'])));
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, `${cases[i]![0].join(' ')}: ${r.stdout}${r.stderr}`);
    assert.ok(oneErrorLine(r.stderr).includes(cases[i]![1]), `${cases[i]![0].join(' ')}: ${r.stderr}`);
  });
  // serve's --port too (it used to trim: ' 0' started a server); refused before anything listens
  // (cli(): a regression is then a 60 s timeout, not a test that never ends)
  const port = cli(['serve', 'peterson', '--port', ' 0']);
  assert.equal(port.code, 2, port.stdout + port.stderr);
  assert.match(oneErrorLine(port.stderr), /' 0' is not a TCP port/);
});

test('one parameter given twice (two spellings, or two values) is exit 2; help with an unknown topic is exit 2', async () => {
  const runs = await Promise.all([
    cliAsync(['check', '--vcpus', '2', '-p', 'vcpus=1', '-q']),
    cliAsync(['check', '-p', 'preempt-rt=true', '--preempt-rt', '-q']),
    cliAsync(['check', '-p', 'ops=1', '-p', 'ops=2', '-q']),
    cliAsync(['help', 'bogus']),
    // a named option twice with two values (README: "a parameter given twice, in any spelling, is exit 2"), not the last one silently
    cliAsync(['check', '--ops', '1', '--ops', '2', '-q']),
    cliAsync(['simulate', '--variant', 'seed-v2', '--variant', 'mainline', '-q']),
  ]);
  for (const r of runs) assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(oneErrorLine(runs[0]!.stderr), /parameter vcpus is given twice \(-p vcpus=1 and --vcpus\)/);
  assert.match(oneErrorLine(runs[3]!.stderr), /unknown help topic 'bogus'/);
  assert.match(oneErrorLine(runs[4]!.stderr), /'--ops <k>' argument '2' is invalid\. '2': the parameter is already given as '1'/);
  assert.match(oneErrorLine(runs[5]!.stderr), /'--variant <name>' argument 'mainline' is invalid\. 'mainline': the parameter is already given as 'seed-v2'/);
  // the same value twice names one parameter: accepted, as -p ops=1 -p ops=1 is (the budget keeps the run short: exit 3)
  const same = cli(['check', '--variant', 'proposed-fix', '--ops', '1', '--ops', '1', '--max-states', '50', '-q', '--no-timing']);
  assert.equal(same.code, 3, same.stdout + same.stderr);
  assert.match(same.stdout, /variant=proposed-fix vcpus=1 ops=1 /);
  const help = cli(['help', 'check']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: xentimer-check check/);
});
