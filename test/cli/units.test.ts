/** In-process tests of the CLI's pure pieces: option parsers, colour and timing switches, error classification, text helpers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommanderError, InvalidArgumentError } from 'commander';
import { colorEnabled, makeStyle } from '../../src/cli/color.js';
import { formatFor } from '../../src/cli/commands/check.js';
import { timingEnabled } from '../../src/cli/context.js';
import { CliError, classify, EXIT, exitForStatus } from '../../src/cli/exit.js';
import { chop, int, wrap } from '../../src/cli/format/common.js';
import { mermaidText } from '../../src/cli/format/mermaid.js';
import { shortStep } from '../../src/cli/format/text.js';
import { xmlEscape } from '../../src/cli/format/xml.js';
import { closest } from '../../src/cli/load.js';
import { camel, collectParam, parseBytes, parseCount, parseSeconds } from '../../src/cli/options.js';
import { ModelError } from '../../src/engine/model.js';
import { ReplayError } from '../../src/engine/trace.js';
import { ParamError } from '../../models/registry.js';

test('option parsers', () => {
  assert.equal(parseCount('1000'), 1000);
  assert.equal(parseCount('5M'), 5_000_000);
  assert.equal(parseCount('1_000k'), 1_000_000);
  assert.throws(() => parseCount('-1'), InvalidArgumentError);
  assert.throws(() => parseCount('1.5'), InvalidArgumentError);
  assert.equal(parseSeconds('90'), 90);
  assert.equal(parseSeconds('1.5'), 1.5);
  assert.equal(parseSeconds('2m'), 120);
  assert.equal(parseSeconds('1h'), 3600);
  assert.throws(() => parseSeconds('0'), InvalidArgumentError);
  assert.equal(parseBytes('512M'), 512 * 1024 ** 2);
  assert.equal(parseBytes('2G'), 2 * 1024 ** 3);
  assert.equal(parseBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseBytes('4096'), 4096);
  assert.throws(() => parseBytes('2 gigs'), InvalidArgumentError);
  assert.deepEqual(collectParam('a=1', collectParam('b =x')), { b: 'x', a: '1' });
  assert.throws(() => collectParam('=1'), InvalidArgumentError);
  assert.equal(camel('preempt-rt'), 'preemptRt');
});

test('colour: --no-color/--color > NO_COLOR (even empty) > FORCE_COLOR > TTY', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  assert.equal(colorEnabled({}, tty, undefined), true);
  assert.equal(colorEnabled({}, pipe, undefined), false);
  assert.equal(colorEnabled({ NO_COLOR: '' }, tty, undefined), false);
  assert.equal(colorEnabled({ NO_COLOR: '1' }, tty, true), true);
  assert.equal(colorEnabled({}, tty, false), false);
  assert.equal(colorEnabled({}, pipe, true), true);
  assert.equal(colorEnabled({ FORCE_COLOR: '1' }, pipe, undefined), true);
  assert.equal(colorEnabled({ FORCE_COLOR: '0' }, tty, undefined), true);
  assert.equal(colorEnabled({ FORCE_COLOR: '0' }, pipe, undefined), false);
  assert.equal(makeStyle(false).red('x'), 'x');
  assert.match(makeStyle(true).red('x'), /\u001b\[31mx\u001b\[39m/);
});

test('timing switch and format inference', () => {
  assert.equal(timingEnabled({}, undefined), true);
  assert.equal(timingEnabled({}, false), false);
  assert.equal(timingEnabled({ XENTIMER_NO_TIMING: '1' }, undefined), false);
  assert.equal(timingEnabled({ XENTIMER_NO_TIMING: '0' }, undefined), true);
  assert.equal(formatFor({ output: 'r.json' }), 'json');
  assert.equal(formatFor({ output: 'r.itf.json' }), 'itf');
  assert.equal(formatFor({ output: 'results.sarif' }), 'sarif');
  assert.equal(formatFor({ output: 'junit.xml' }), 'junit');
  assert.equal(formatFor({ output: 'r.txt' }), 'text');
  assert.equal(formatFor({ output: 'r.json', format: 'sarif' }), 'sarif');
});

test('error classification: input errors are 2, help is 0, anything else 4', () => {
  assert.equal(classify(new CliError('x', EXIT.violation)).code, 1);
  assert.equal(classify(new ParamError('bad')).code, 2);
  assert.equal(classify(new ModelError('bad')).code, 2);
  assert.equal(classify(new ReplayError('bad', 0)).code, 2);
  class DveError extends Error {}
  assert.equal(classify(new DveError('m.dve:3:4: unexpected }')).code, 2);
  assert.equal(classify(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).code, 0);
  assert.equal(classify(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'\n(Did you mean --y?)")).message, "unknown option '--x' (Did you mean --y?)");
  const internal = classify(new TypeError('undefined is not a function'));
  assert.equal(internal.code, 4);
  assert.equal(internal.message, 'internal error: TypeError: undefined is not a function');
  assert.deepEqual([exitForStatus('pass'), exitForStatus('violation'), exitForStatus('incomplete')], [0, 1, 3]);
});

test('text helpers', () => {
  assert.equal(int(1234567), '1,234,567');
  assert.equal(int(12), '12');
  assert.deepEqual(wrap(['aaa', 'bbb', 'ccc'], 8), ['aaa  bbb', 'ccc']);
  assert.deepEqual(chop('one two three', 8), ['one two', 'three']);
  assert.equal(shortStep('vcpu0:hcall.x', 'vcpu0'), 'hcall.x');
  assert.equal(shortStep('P0.read', 'P0'), 'P0.read');
  assert.equal(mermaidText('a->b; c < d # e'), 'a-#62;b#59; c #60; d #35; e');
  assert.equal(xmlEscape(`<a href="x">&'\u0001</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  assert.equal(closest('lsit', ['check', 'list', 'matrix']), 'list');
  assert.equal(closest('zzzzzz', ['check', 'list']), undefined);
});
