/** The README's "which kernels are affected by what" table is the stored verdict matrix, not typed by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { affectedTable, BEGIN, END, README, readExpected, spliceTable } from '../../models/xen-timer/affected.js';

test('README.md: the affected-kernels table equals the one generated from models/xen-timer/expected.json (regenerate: npm run readme-table)', () => {
  const text = readFileSync(README, 'utf8');
  assert.ok(text.includes(BEGIN) && text.includes(END), 'markers present');
  assert.equal(spliceTable(text, affectedTable(readExpected())), text);
});

test('affected table: a row per kernel, a column per finding, cells from the verdicts', () => {
  const m = readExpected();
  const table = affectedTable(m);
  const row = (label: RegExp): string[] => table.split('\n').find((l) => label.test(l))!.split('|').slice(2, -1).map((c) => c.trim());
  // the first column is F1, the recursive xen_lock (kernel.recursive-lock)
  assert.equal(row(/`seed-v2`/)[0], `✗ ${m.variants['seed-v2']!.verdicts['kernel.recursive-lock']!.split(':')[1]}`);
  assert.equal(row(/`mainline`/)[0], '–');
  assert.equal(spliceTable(`a\n${BEGIN}\nold\n${END}\nb`, 'new\n'), `a\n${BEGIN}\nnew\n${END}\nb`);
});
