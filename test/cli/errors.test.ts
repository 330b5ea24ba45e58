/**
 * Bad input → exit 2 with exactly one line on stderr (naming the problem, with a hint) and no stack
 * trace; --help everywhere. In-process (runMain): these only inspect main()'s output; that the
 * binary turns it into the process exit code and stderr is tested in exit-codes.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, oneErrorLine, tempDir } from './helpers.js';
import { runMain } from './in-process.js';

const dir = tempDir();
writeFileSync(join(dir, 'broken.json'), '{"format": "xentimer-check/result", ');
writeFileSync(join(dir, 'other.json'), JSON.stringify({ hello: 'world' }));
writeFileSync(join(dir, 'array.json'), '[]');
writeFileSync(join(dir, 'v2.json'), JSON.stringify({ format: 'xentimer-check/result', version: 2 }));
writeFileSync(join(dir, 'garbage.dve'), 'this is not DVE {');
mkdirSync(join(dir, 'folder.json'));

const cases: [string, string[], RegExp][] = [
  ['unknown model', ['check', 'nosuch'], /unknown model or command 'nosuch'/],
  ['misspelt command', ['lsit'], /did you mean 'list'\?/],
  ['unknown variant', ['check', '--variant', 'v9'], /parameter variant must be one of .*seed-v2.*got 'v9'/],
  ['unknown option', ['check', 'peterson', '--frobnicate'], /unknown option '--frobnicate'/],
  ['unknown option suggestion', ['check', 'peterson', '--max-state', '4'], /unknown option '--max-state' \(Did you mean --max-states\?\)/],
  ['unknown parameter', ['check', 'counter', '--param', 'speed=3'], /model counter has no parameter 'speed'/],
  ['parameter for another model', ['check', 'peterson', '--vcpus', '2'], /model peterson has no parameter 'vcpus'/],
  ['bad number', ['check', 'peterson', '--max-states', 'lots'], /'--max-states <n>' argument 'lots' is invalid/],
  ['bad integer', ['check', '--vcpus', '1.5'], /'--vcpus <n>' argument '1\.5' is invalid/],
  ['out of range', ['check', '--vcpus', '7'], /parameter vcpus must be in 1\.\.3, got '7'/],
  ['bad bool', ['check', 'test/cli/fixtures/tiny.mjs', '-p', 'safe=maybe'], /parameter safe must be true or false/],
  ['bad time', ['check', 'peterson', '--time-limit', 'soon'], /'--time-limit <seconds>' argument 'soon' is invalid/],
  ['bad memory', ['check', 'peterson', '--memory-limit', '2X'], /'--memory-limit <size>' argument '2X' is invalid/],
  ['bad param syntax', ['check', 'peterson', '--param', 'variant'], /'variant' is not name=value/],
  ['bad format', ['check', 'peterson', '--format', 'pdf'], /argument 'pdf' is invalid\. Allowed choices are text, json, itf, junit, sarif/],
  ['too many arguments', ['check', 'peterson', 'counter'], /too many arguments/],
  ['missing model file', ['check', './missing-model.js'], /cannot read \.\/missing-model\.js: no such file/],
  ['missing dve file', ['check', 'missing.dve'], /cannot read missing\.dve: no such file/],
  ['module without a model', ['check', join(FIXTURES, 'no-model.mjs')], /exports no model \(hint: export a Model or a ModelFactory/],
  ['module that does not parse', ['check', join(FIXTURES, 'syntax-error.mjs')], /cannot load model module/],
  ['unwritable output', ['check', 'peterson', '--output', join(dir, 'no', 'such', 'dir', 'r.json')], /cannot write .*r\.json: the folder .* does not exist/],
  ['replay: missing argument', ['replay'], /missing required argument 'trace'/],
  ['replay: missing file', ['replay', join(dir, 'nope.json')], /cannot read .*nope\.json: no such file/],
  ['replay: a folder', ['replay', join(dir, 'folder.json')], /cannot read .*folder\.json: is a directory/],
  ['replay: malformed JSON', ['replay', join(dir, 'broken.json')], /broken\.json is not valid JSON/],
  ['replay: not a report', ['replay', join(dir, 'other.json')], /other\.json is not a xentimer-check trace: "format" must be/],
  ['replay: an array', ['replay', join(dir, 'array.json')], /not a xentimer-check trace: expected a JSON object/],
  ['replay: future version', ['replay', join(dir, 'v2.json')], /unsupported version 2/],
  ['explain: malformed JSON', ['explain', join(dir, 'broken.json')], /is not valid JSON/],
  ['explain: bad format', ['explain', join(dir, 'broken.json'), '--format', 'svg'], /Allowed choices are text, mermaid/],
  ['matrix: unknown model', ['matrix', '--model', 'nosuch'], /unknown model 'nosuch'/],
  ['matrix: no expected matrix', ['matrix', '--model', 'peterson'], /no expected matrix for peterson .*--update/],
  ['matrix: unknown variant', ['matrix', '--variants', 'seed-v2,v7'], /model xen-timer has no variant 'v7'/],
  ['matrix: variants of a model without them', ['matrix', '--model', 'philosophers', '--variants', 'a', '--update', '--expected', join(dir, 'p.json')], /has no variants/],
  ['list: unknown model', ['list', 'nosuch'], /unknown model 'nosuch'/],
];

for (const [name, args, pattern] of cases) {
  test(`exit 2: ${name}`, async () => {
    const r = await runMain(args);
    assert.equal(r.code, 2, `${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const line = oneErrorLine(r.stderr);
    assert.match(line, /^xentimer-check: error: /);
    assert.match(line, pattern);
    assert.match(line, /\(hint: .+\)$/, 'every error carries a hint');
  });
}

test('exit 2: a .dve file that is not valid DVE — one line naming the file, line and column', async () => {
  const r = await runMain(['check', join(dir, 'garbage.dve')]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(oneErrorLine(r.stderr), /^xentimer-check: error: .*garbage\.dve:1:1: unknown type 'this' \(DVE has byte and int\) \(hint: /);
});

for (const cmd of ['', 'check', 'matrix', 'list', 'replay', 'explain']) {
  test(`--help${cmd ? ` on ${cmd}` : ''}: usage on stdout, exit 0`, async () => {
    const r = await runMain(cmd ? [cmd, '--help'] : ['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^Usage: xentimer-check${cmd ? ` ${cmd}` : ''} `));
    assert.match(r.stdout, /--no-color/);
    if (cmd === '') {
      assert.match(r.stdout, /Exit codes:\n {2}0 {2}.*\n {2}1 {2}.*\n {2}2 {2}.*\n {2}3 {2}.*\n {2}4 {2}/);
      for (const c of ['check', 'matrix', 'list', 'replay', 'explain']) assert.match(r.stdout, new RegExp(`\\n {2}${c} `));
    }
  });
}

test('help COMMAND and --version', async () => {
  const [h, v] = [await runMain(['help', 'replay']), await runMain(['--version'])];
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: xentimer-check replay /);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
});
