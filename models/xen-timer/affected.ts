/**
 * The README table "which kernels are affected by what", generated from the stored verdict matrix
 * (models/xen-timer/expected.json, which `matrix` — the CI gate — keeps equal to what the checker
 * finds). `node dist/models/xen-timer/affected.js` (npm run readme-table) rewrites the table
 * between the markers in README.md; a test fails when the README and the matrix disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExpectedMatrix } from '../matrix.js';
import { markdownMatrix } from '../matrix-markdown.js';

export const BEGIN = '<!-- affected-table:begin (generated from models/xen-timer/expected.json by `npm run readme-table`; do not edit) -->';
export const END = '<!-- affected-table:end -->';

/** The kernels, oldest first (the ablations of seed-v2 are left out: they are experiments, not kernels). */
const KERNELS = [
  { variant: 'baseline', label: '6.5/6.6, before the fast path (`baseline`)' },
  { variant: 'fastpath-2022', label: '2022 fast path, dropped (`fastpath-2022`)' },
  { variant: 'seed-v2', label: 'the seed patch v2 (`seed-v2`)' },
  { variant: 'upstream-v3', label: '6.7–6.8 (`upstream-v3`)' },
  { variant: 'upstream-v6.9', label: '6.9 (`upstream-v6.9`)' },
  { variant: 'mainline', label: 'newest mainline (`mainline`)' },
  { variant: 'trylock-branch', label: 'trylock branch, not merged (`trylock-branch`)' },
  { variant: 'proposed-fix', label: 'our `proposed-fix`' },
];

/** The findings (FINDINGS.md), keyed by the property that detects them, in column order. */
const FINDINGS: Readonly<Record<string, string>> = {
  'kernel.recursive-lock': 'F1 recursive `xen_lock`',
  deadlock: 'deadlock',
  'kernel.raw-lock-nesting': 'F2 rwlock in hard irq',
  'xen.no-lost-event': 'lost event',
  'xen.event-wakeup': 'F12 unseen upcall',
  'xen.no-stale-event': 'F3 stale event',
  'xen.expires-truthful': '`timer_expires` untruthful',
  'xen.snapshot-complete': 'snapshot loses a timer',
  'xen.snapshot-not-lurking': 'F6 snapshot lurking',
  'xen.warn-running-vcpu': 'F7 WARN',
};

export function affectedTable(m: ExpectedMatrix): string {
  const p = m.params;
  const bounds = `${String(p['vcpus'])} vCPU, K = ${String(p['ops'])} operations, M = ${String(p['invalidations'])} shared_info and M' = ${String(p['vcpuInfoInvalidations'])} vcpu_info invalidations, ${p['preemptRt'] ? 'PREEMPT_RT' : 'non-RT'} host`;
  const table = markdownMatrix(m, { rows: KERNELS, columns: Object.entries(FINDINGS).map(([id, label]) => ({ id, label })), corner: 'kernel' });
  return `${table}\n✗ N: affected, shortest trace N steps; –: not found. Bounds: ${bounds} (the matrix).\n`;
}

/** `text` with the part between the markers replaced by `table`. */
export function spliceTable(text: string, table: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error('README.md has no affected-table markers');
  return `${text.slice(0, a + BEGIN.length)}\n${table}${text.slice(b)}`;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function readExpected(): ExpectedMatrix {
  return JSON.parse(readFileSync(join(root, 'models', 'xen-timer', 'expected.json'), 'utf8')) as ExpectedMatrix;
}

export const README = join(root, 'README.md');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = readFileSync(README, 'utf8');
  const next = spliceTable(text, affectedTable(readExpected()));
  if (next !== text) writeFileSync(README, next);
  process.stdout.write(next === text ? 'README.md: table unchanged\n' : 'README.md: table rewritten\n');
}
