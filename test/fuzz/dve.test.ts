/**
 * Fuzzing the DVE reader (issue 13 part 6): mutated BEEM models and random token streams give a
 * model (explored under a small budget) or a located DveError — never another exception, never a
 * hang. fast-check drives the inputs; the seeds are fixed, so a failure is repeatable
 * (FC_SEED / FC_RUNS override them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compileDve, DveError, parseDve } from '../../src/dve/index.js';
import { explore } from '../../src/engine/explore.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BEEM = join(ROOT, 'test', 'fixtures', 'beem', 'models');
const MODELS = readdirSync(BEEM)
  .filter((f) => f.endsWith('.dve'))
  .sort()
  .map((f) => readFileSync(join(BEEM, f), 'utf8'));
const RUNS = Number(process.env['FC_RUNS'] ?? 150);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;

/** Read, compile and explore a little: true for a model, false for a located DveError; anything else fails. */
function reads(text: string): boolean {
  try {
    const m = compileDve(parseDve(text, 'm.dve'), 'm');
    explore(m, { maxStates: 300, timeLimit: 1 });
    return true;
  } catch (e) {
    if (!(e instanceof DveError)) assert.fail(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n--- input ---\n${text.slice(0, 2000)}`);
    assert.match(e.message, /^m\.dve:\d+:\d+: \S/, 'located');
    assert.ok(!e.message.includes('\n'), 'one line');
    return false;
  }
}

const TOKENS = ['byte', 'int', 'const', 'process', 'state', 'init', 'trans', 'guard', 'effect', 'system', 'async', 'accept', 'commit', 'imply', 'and', 'or', 'not',
  '{', '}', '[', ']', '(', ')', ';', ',', '.', '->', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '&&', '||', '!', '~', '<<', '>>', '&', '|', '^',
  'x', 'a', 'P', 's', 't', '0', '1', '255', '32768', '-1', '99999999999', '\ufeff', '\u0000', '"', '//', '/*', '*/', '\n'];

/** A BEEM model with a few edits: a span deleted, a token inserted, a span duplicated. */
const mutated = fc
  .tuple(fc.nat(MODELS.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.constantFrom(...TOKENS), fc.nat(2)), { minLength: 1, maxLength: 4 }))
  .map(([k, edits]) => {
    let text = MODELS[k]!;
    for (const [at0, len, tok, op] of edits) {
      const at = at0 % (text.length + 1);
      if (op === 0) text = text.slice(0, at) + text.slice(at + len);
      else if (op === 1) text = text.slice(0, at) + ` ${tok} ` + text.slice(at + len);
      else text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
    }
    return text;
  });

test('fuzz: mutated BEEM models give a model or a located DveError', () => {
  fc.assert(fc.property(mutated, (text) => void reads(text)), { numRuns: RUNS, seed: SEED ?? 1302 });
});

test('fuzz: random token streams give a model or a located DveError', () => {
  const stream = fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }).map((ts) => ts.join(' '));
  fc.assert(fc.property(stream, (text) => void reads(text)), { numRuns: RUNS * 2, seed: SEED ?? 1303 });
});

test('fuzz: deep and long expressions of random shape are read or refused with a located error', () => {
  const expr = fc.tuple(fc.nat(3000), fc.nat(3000), fc.constantFrom('(', '-', '!', 'not ')).map(([depth, chain, open]) => {
    const inner = open === '(' ? `${'('.repeat(depth)}x${')'.repeat(depth)}` : `${open.repeat(depth)}x`;
    return `byte x;\nprocess P {\nstate s;\ninit s;\ntrans s -> s { guard ${inner} + ${Array(chain + 1).fill('1').join(' + ')} > 0; };\n}\nsystem async;\n`;
  });
  fc.assert(fc.property(expr, (text) => void reads(text)), { numRuns: 30, seed: SEED ?? 1304 });
});
