/**
 * Malformed DVE input: every error is a DveError (name 'DveError') whose message is one line
 * `FILE:LINE:COL: what is wrong`, never a crash or a TypeError. Exact messages for the common
 * mistakes, the CLI's exit code 2, and a mutation test (truncations and deleted/inserted
 * characters of a valid model yield a Model or a DveError, nothing else).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDve, DveError, loadDve, parseDve } from '../../src/dve/index.js';
import { explore } from '../../src/engine/explore.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'dve', 'fixtures');

function errorOf(text: string): DveError {
  try {
    compileDve(parseDve(text, 'bad.dve'), 'bad');
  } catch (e) {
    assert.ok(e instanceof DveError, `not a DveError: ${String(e)}`);
    assert.equal(e.name, 'DveError');
    assert.doesNotMatch(e.message, /\n/);
    return e;
  }
  assert.fail('no error raised');
}

const msg = (text: string): string => errorOf(text).message;
const proc = (trans: string, decls = 'byte x; byte a[2];'): string => `${decls}\nprocess P {\nstate s, t;\ninit s;\ntrans ${trans};\n}\nsystem async;\n`;

test('syntax errors: position of the offending token and what was expected', () => {
  assert.equal(msg(proc('s -> t { guard x == 0; effect x = 1 }')), "bad.dve:5:43: expected ';' after effect, found '}'");
  assert.equal(msg(proc('s -> t { guard x == 0 effect x = 1; }')), "bad.dve:5:29: expected ';' after guard, found 'effect'");
  assert.equal(msg(proc('s t { }')), "bad.dve:5:9: expected '->' after source state s, found 't'");
  assert.equal(msg(proc('s -> t { guard x == ; }')), "bad.dve:5:27: expected an expression, found ';'");
  assert.equal(msg(proc('s -> t { guard (x == 1; }')), "bad.dve:5:29: expected ')' closing a parenthesis, found ';'");
  assert.equal(msg(proc('s -> t { effect x == 1; }')), "bad.dve:5:25: expected '=' in an assignment to x, found '=='");
  assert.equal(msg(proc('s -> t { effect x = 1; guard x == 0; }')), 'bad.dve:5:30: the guard must come before the effect');
  assert.equal(msg('byte x\nsystem async;'), "bad.dve:2:1: expected ';' after a variable declaration, found 'system'");
  assert.equal(msg('byte guard;\nsystem async;'), "bad.dve:1:6: expected a variable name, found keyword 'guard'");
  assert.equal(msg('bool b;\nsystem async;'), "bad.dve:1:1: unknown type 'bool' (DVE has byte and int)");
  assert.equal(msg('byte x;\nprocess P { state s; init s; }\n'), "bad.dve:3:1: expected 'system async;' at the end of the model, found end of file");
  assert.equal(msg('byte x;\nprocess P { state s; init s; }\nsystem async;\nbyte y;'), "bad.dve:4:1: unexpected 'byte' after the system declaration");
  assert.equal(msg('byte x = @;\nsystem async;'), "bad.dve:1:10: unexpected character '@'");
  assert.equal(msg('byte x;\n/* never closed\nsystem async;'), 'bad.dve:2:1: unterminated comment');
  assert.equal(msg('byte x = 12ab;\nsystem async;'), "bad.dve:1:10: malformed number '12a'");
  assert.equal(msg('process P {\nstate s;\ninit s;\n'), "bad.dve:4:1: expected '}' closing process P, found end of file");
  assert.equal(msg('process P {\ninit s;\n}\nsystem async;'), "bad.dve:3:1: process P declares no states ('state s1, s2, ...;')");
  assert.equal(msg('process P {\nstate s;\n}\nsystem async;'), "bad.dve:3:1: process P has no 'init' clause");
  assert.equal(msg('process P {\nstate s;\ninit s;\nbyte late;\n}\nsystem async;'), 'bad.dve:4:1: local variables of P must be declared before its states');
});

test('unsupported DVE: channels, sync, synchronous systems, property processes', () => {
  assert.equal(msg('channel c;\nsystem async;'), 'bad.dve:1:1: channels are not supported (only shared-variable models)');
  assert.equal(msg(proc('s -> t { sync c!1; }')), 'bad.dve:5:16: synchronisation over channels (sync) is not supported');
  assert.equal(msg('process P { state s; init s; }\nsystem sync;'), "bad.dve:2:1: only 'system async;' is supported (synchronous systems are not)");
  assert.equal(msg('process P { state s; init s; }\nsystem async property P;'), 'bad.dve:2:14: property processes (system ... property P) are not supported');
});

test('names: unknown variables, states and processes; duplicates', () => {
  assert.equal(msg(proc('s -> t { guard y == 0; }')), 'bad.dve:5:22: unknown variable y');
  assert.equal(msg(proc('s -> t { effect y = 0; }')), 'bad.dve:5:23: unknown variable y');
  assert.equal(msg(proc('s -> u { }')), 'bad.dve:5:12: unknown state u in process P');
  assert.equal(msg(proc('q -> t { }')), 'bad.dve:5:7: unknown state q in process P');
  assert.equal(msg('process P {\nstate s;\ninit q;\n}\nsystem async;'), 'bad.dve:3:6: unknown state q in the init clause of process P');
  assert.equal(msg('process P {\nstate s;\ninit s;\ncommit r;\n}\nsystem async;'), 'bad.dve:4:8: unknown state r in the commit clause of process P');
  assert.equal(msg(proc('s -> t { guard Q.s; }')), 'bad.dve:5:22: unknown process Q (in Q.s)');
  assert.equal(msg(proc('s -> t { guard P.zz; }')), 'bad.dve:5:24: process P has no state or local variable zz');
  assert.equal(msg(proc('s -> t { guard P == 1; }')), 'bad.dve:5:22: P is a process; write P.<state> to test its control state');
  assert.equal(msg('byte x;\nint x;\nsystem async;'), 'bad.dve:2:5: duplicate declaration of x (first declared at 1:6)');
  assert.equal(msg('process P {\nbyte v, v;\nstate s;\ninit s;\n}\nsystem async;'), 'bad.dve:2:9: duplicate declaration of v in process P (first declared at 2:6)');
  assert.equal(msg('process P {\nstate s, s;\ninit s;\n}\nsystem async;'), 'bad.dve:2:10: duplicate state s in process P');
  assert.equal(msg('process P { state s; init s; }\nprocess P { state s; init s; }\nsystem async;'), 'bad.dve:2:9: duplicate process P (first declared at 1:9)');
  assert.equal(msg('process P {\nbyte s;\nstate s;\ninit s;\n}\nsystem async;'), 'bad.dve:2:6: local variable s of process P has the name of one of its states');
  assert.equal(msg('byte x;\nsystem async;'), 'bad.dve:2:1: the model declares no process');
});

test('types and arrays: constant sizes, index use, initialisers, constants', () => {
  assert.equal(msg('byte n;\nbyte a[n];\nsystem async;'), 'bad.dve:2:8: the size of array a must be a constant expression, but n is a variable');
  assert.equal(msg('byte a[0];\nsystem async;'), 'bad.dve:1:8: array a has size 0; the size must be at least 1');
  assert.equal(msg('const byte N = 2;\nbyte a[N - 3];\nsystem async;'), 'bad.dve:2:8: array a has size -1; the size must be at least 1');
  assert.equal(msg('byte a[];\nsystem async;'), 'bad.dve:1:8: array a needs a size');
  assert.equal(msg('byte x = {1, 2};\nsystem async;'), 'bad.dve:1:10: x is not an array; it takes a single initial value, not a list');
  assert.equal(msg('byte a[2] = 5;\nsystem async;'), 'bad.dve:1:13: array a needs an initialiser list in braces, e.g. {0, 1}');
  assert.equal(msg('byte x = 256;\nsystem async;'), 'bad.dve:1:10: initial value 256 of x is outside the byte range 0..255');
  assert.equal(msg('int a[2] = {1, -40000};\nsystem async;'), 'bad.dve:1:16: initial value -40000 of a[1] is outside the int range -32768..32767');
  assert.equal(msg('byte y;\nbyte x = y + 1;\nsystem async;'), 'bad.dve:2:10: the initial value of x must be a constant expression, but y is a variable');
  assert.equal(msg('const byte N = 1 / 0;\nsystem async;'), 'bad.dve:1:18: division by zero in the initial value of N');
  assert.equal(msg('const byte N;\nsystem async;'), 'bad.dve:1:12: constant N needs a value');
  assert.equal(msg(proc('s -> t { guard a == 0; }')), 'bad.dve:5:22: array a needs an index');
  assert.equal(msg(proc('s -> t { effect a = 0; }')), 'bad.dve:5:23: array a needs an index');
  assert.equal(msg(proc('s -> t { guard x[1] == 0; }')), 'bad.dve:5:24: x is not an array');
  assert.equal(msg(proc('s -> t { effect x[0] = 1; }')), 'bad.dve:5:25: x is not an array');
  assert.equal(msg(proc('s -> t { effect N = 1; }', 'const byte N = 3;')), 'bad.dve:5:23: cannot assign to constant N');
  assert.equal(msg(proc('s -> t { effect P = 1; }')), 'bad.dve:5:23: cannot assign to process P');
  assert.equal(msg(proc('s -> t { guard P.s[0]; }')), 'bad.dve:5:26: P.s is a state, not an array');
});

test('loadDve: the path as given in the message; unreadable files are DveErrors too', () => {
  const file = join(FIXTURES, 'bad-effect.dve');
  assert.throws(() => loadDve(file), (e: unknown) => e instanceof DveError && e.message === `${file}:5:43: expected ';' after effect, found '}'`);
  const missing = join(FIXTURES, 'no-such-file.dve');
  assert.throws(() => loadDve(missing), (e: unknown) => e instanceof DveError && e.message === `${missing}:1:1: cannot read the file (ENOENT)`);
});

test('CLI: a malformed .dve file is bad input (exit 2) and the message names line and column', () => {
  const bin = join(ROOT, 'bin', 'xentimer-check.js');
  const r = spawnSync(process.execPath, [bin, 'check', join('test', 'dve', 'fixtures', 'bad-effect.dve')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /bad-effect\.dve:5:43: expected ';' after effect, found '\}'/);
});

test('mutations of a valid model give a Model or a DveError, never another exception', () => {
  const file = join(FIXTURES, 'features.dve');
  const text = readFileSync(file, 'utf8');
  const m = loadDve(file);
  // by hand: 3 + 3 + 4 transitions in the source = 10 steps. The workers take turns (turn 0, 1;
  // the Referee resets 2 to 0), so they are never both busy and the commit path is dead. Round 1:
  // the start, W0 enters, W0 leaves, W1 enters, then W1 finishes (stuck: turn stays 1) or leaves,
  // and the Referee resets turn = 7 states; round 2 the same from there (n = 2) = 6 more; round 3
  // W0 enters (n = 3) and finishes (acc = -2 + 0 + 2) = 2 more; 7 + 6 + 2 = 15 states
  assert.deepEqual([explore(m, { deadlock: false }).stats.states, m.steps.length], [15, 10]);
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const variants: string[] = [];
  for (let cut = 0; cut < text.length; cut += 7) variants.push(text.slice(0, cut));
  const junk = ['', ';', '}', '{', '[', ']', '(', ')', ',', '->', '=', '==', 'x', '0', '-', 'guard', 'effect', 'state', '.', '/', '*'];
  for (let k = 0; k < 600; k++) {
    const at = rand(text.length);
    const len = rand(4);
    variants.push(text.slice(0, at) + junk[rand(junk.length)]! + text.slice(at + len));
  }
  let errors = 0;
  for (const v of variants) {
    try {
      const model = compileDve(parseDve(v, 'm.dve'), 'm');
      explore(model, { deadlock: false, maxStates: 2000 });
    } catch (e) {
      if (!(e instanceof DveError)) assert.fail(`${String(e)}\n--- input ---\n${v}`);
      assert.match(e.message, /^m\.dve:\d+:\d+: \S/);
      errors++;
    }
  }
  assert.ok(errors > variants.length / 2);
});
