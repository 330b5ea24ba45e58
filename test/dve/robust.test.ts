/**
 * Hostile DVE input (issue 13 part 4): no input reaches a stack overflow (deep nesting and long
 * chains are located errors), a BOM is accepted, an initialiser that would lose values and a
 * constant out-of-range index are located errors, and transitions taken away by evaluation
 * errors are counted and reported (which transition, its line, how often).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDve, DveError, parseDve } from '../../src/dve/index.js';
import { MAX_HEIGHT, MAX_NESTING } from '../../src/dve/parser.js';
import { explore } from '../../src/engine/explore.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const model = (guard: string, decls = 'byte x; byte a[2];', effect = 'x = x + 1'): string =>
  `${decls}\nprocess P {\nstate s;\ninit s;\ntrans s -> s { guard ${guard}; effect ${effect}; };\n}\nsystem async;\n`;
const compile = (text: string) => compileDve(parseDve(text, 'm.dve'), 'm');
const error = (text: string): string => {
  try {
    compile(text);
  } catch (e) {
    assert.ok(e instanceof DveError, String(e));
    return e.message;
  }
  return assert.fail('no error');
};

test('nesting beyond the limit and chains beyond the height limit are located errors, just below them fine', () => {
  const nest = (n: number): string => `${'('.repeat(n)}x${')'.repeat(n)} < 3`;
  assert.match(error(model(nest(MAX_NESTING + 300))), /^m\.dve:5:\d+: expression nested too deeply/);
  assert.match(error(model('x < 3 && ' + '-'.repeat(5000) + 'x < 1')), /^m\.dve:5:\d+: expression nested too deeply/);
  assert.match(error(model(`x + ${Array(5000).fill('1').join(' + ')} > 0`)), /^m\.dve:5:\d+: expression too long or too deep/);
  assert.match(error(model('x < 3', 'byte x; byte a[2];', `x = ${Array(3000).fill('1').join(' * ')}`)), /^m\.dve:5:\d+: expression too long or too deep/);
  // just within both limits: compiles and runs (x counts 0..3: 4 states, derived by hand)
  const ok = compile(model(`${nest(MAX_NESTING - 5)} && x + ${Array(MAX_HEIGHT - 10).fill('0').join(' + ')} < 3`));
  assert.equal(explore(ok, { deadlock: false }).stats.states, 4);
});

test('a UTF-8 byte-order mark is accepted: same model as without', () => {
  const text = model('x < 3');
  assert.equal(explore(compile('\ufeff' + text), { deadlock: false }).stats.states, explore(compile(text), { deadlock: false }).stats.states);
});

test('an initialiser that would lose a value and a constant out-of-range index are located errors', () => {
  assert.match(error(model('x < 3', 'byte x; byte a[2] = {1, 2, 3};')), /^m\.dve:1:\d+: array a\[2\] has 3 initial values; the extra non-zero value would be lost/);
  assert.match(error(model('a[2] == 0')), /^m\.dve:5:\d+: index 2 is out of bounds for an array of 2/);
  assert.match(error(model('x < 3', 'byte x; byte a[2];', 'a[-1] = 0')), /^m\.dve:5:\d+: index -1 is out of bounds/);
  // BEEM's anderson declares one extra zero: accepted, with a warning in the model info
  const m = compile(model('x < 3', 'byte x; byte a[2] = {1, 0, 0};'));
  assert.match(String(m.info?.['warnings']), /the extra zeros are ignored/);
});

test('dropped transitions are counted per step and kind, and reported by check (text and JSON)', () => {
  const text = `byte x; byte z; byte a[2];
process P {
state s, t;
init s;
trans
  s -> t { effect x = 10 / z; },
  s -> t { guard a[x + 2] == 0; },
  s -> s { guard x < 3; effect x = x + 1; };
}
system async;
`;
  // x = 0..3 are reached; in each, the division and the index x + 2 >= 2 fail: 4 times each (by hand)
  const r = explore(compile(text), { deadlock: false });
  assert.deepEqual(
    r.dropped?.map((d) => [d.step, d.kind, d.count]),
    [
      ['P: s -> t', 'effect', 4],
      ['P: s -> t #2', 'guard', 4],
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'xentimer-dve-'));
  const file = join(dir, 'drop.dve');
  writeFileSync(file, text);
  const out = join(dir, 'r.json');
  const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'xentimer-check.js'), 'check', file, '--no-deadlock', '--no-timing', '--output', out], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /evaluation errors took away transitions 8 times \(the result depends on this rule/);
  assert.match(cli.stdout, /! P: s -> t {2}4× effect error \(index out of bounds or division by zero\): transition dropped\n {2}.*drop\.dve:P: s -> t \{ effect x = 10 \/ z; \}/);
  const j = JSON.parse(readFileSync(out, 'utf8')) as { droppedTransitions: { step: string; kind: string; count: number }[] };
  assert.deepEqual(j.droppedTransitions.map((d) => [d.step, d.kind, d.count]), [
    ['P: s -> t', 'effect', 4],
    ['P: s -> t #2', 'guard', 4],
  ]);
});

test('the CLI: a deeply nested guard is exit 2 with a located message, never exit 4', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xentimer-dve-'));
  const file = join(dir, 'deep.dve');
  writeFileSync(file, model(`${'('.repeat(2000)}x${')'.repeat(2000)} < 3`));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'xentimer-check.js'), 'check', file], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /deep\.dve:5:\d+: expression nested too deeply/);
});
