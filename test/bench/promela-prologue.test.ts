/**
 * bench/promela-prologue.ts: the states SPIN stores while a BEEM translation's init sets the model
 * up. Expected values checked against SPIN's own counts (spin -a, -DNOREDUCE -DBFS -DSAFETY on
 * ../shared/beem/promela, 2026-12-02): loyd.2 362,883 against our 362,880, hanoi.2 531,448 against
 * 531,441, anderson.6 18,206,924 against 18,206,917.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initPrologue } from '../../bench/promela-prologue.js';

// the shapes of the translations' inits (loyd.2: one d_step, two runs; hanoi.2: one d_step, six)
const loydInit = `byte a[9];\ninit {\n d_step {\na[0] =0; a[1] =1; }\natomic {\nrun P();\nrun Check();\n} }\nproctype P() { q: if :: d_step {x>0; x = x-1;} goto q; fi; }\n`;
const hanoiInit = `init {\n d_step {\na[0] =100; b[0] =100; }\natomic {\nrun AtoB();\nrun AtoC();\nrun BtoA();\nrun BtoC();\nrun CtoA();\nrun CtoB();\n} }\n`;

test('an init of one d_step and two runs stores 3 states before the model (loyd.2: SPIN 362,883 = 362,880 + 3)', () => {
  assert.equal(initPrologue(loydInit), 3);
});

test('an init of one d_step and six runs stores 7 (hanoi.2 and anderson.6: SPIN +7)', () => {
  assert.equal(initPrologue(hanoiInit), 7);
});

test('active proctypes and no init: no prologue', () => {
  assert.equal(initPrologue('active proctype P_0() { skip }\nactive proctype P_1() { skip }\n'), 0);
});

test('an init with other statements is not counted (null), rather than miscounted', () => {
  assert.equal(initPrologue('init { x = 1; atomic { run P(); run Q(); } }'), null);
  assert.equal(initPrologue('init { do :: run P() od }'), null);
});

const PROMELA = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'beem', 'promela');
test('the translations next to the checkout: loyd.2 3, hanoi.2 7, anderson.6 7, peterson.4 and phils.5 0', { skip: existsSync(PROMELA) ? false : 'no ../shared/beem/promela' }, () => {
  const expected: Record<string, number> = { 'loyd.2': 3, 'hanoi.2': 7, 'anderson.6': 7, 'peterson.4': 0, 'phils.5': 0 };
  for (const [name, n] of Object.entries(expected)) {
    const file = join(PROMELA, `${name}.pm`);
    if (existsSync(file)) assert.equal(initPrologue(readFileSync(file, 'utf8')), n, name);
  }
});
