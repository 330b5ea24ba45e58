/**
 * The Xen model's regression matrix, models/xen-timer/expected.json: state and transition counts,
 * verdicts and shortest-trace lengths at the default bounds, produced by this tool (`matrix
 * --update`) and explained in FINDINGS.md. Tests read their Xen numbers from here rather than
 * copying them, so a deliberate change of the model updates one file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExpectedMatrix } from '../../models/matrix.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const XEN_EXPECTED = JSON.parse(readFileSync(join(ROOT, 'models', 'xen-timer', 'expected.json'), 'utf8')) as ExpectedMatrix;

/** The expected verdict of `property` in `variant` ("holds", "violated:N", "reached:N", ...). */
export function xenVerdict(variant: string, property: string): string {
  const v = XEN_EXPECTED.variants[variant]?.verdicts[property];
  if (v === undefined) throw new Error(`models/xen-timer/expected.json has no verdict for ${variant} × ${property}`);
  return v;
}

/** N of an expected "violated:N" or "reached:N": the shortest trace at the default bounds. */
export function xenDepth(variant: string, property: string): number {
  const m = /^(violated|reached):(\d+)$/.exec(xenVerdict(variant, property));
  if (!m) throw new Error(`${variant} × ${property} is ${xenVerdict(variant, property)}, not violated:N or reached:N`);
  return Number(m[2]);
}

/** The two-vCPU regression matrix, models/xen-timer/expected-2vcpu.json (`matrix --expected models/xen-timer/expected-2vcpu.json`: the parameters are the file's). */
export const XEN_EXPECTED_2VCPU = JSON.parse(readFileSync(join(ROOT, 'models', 'xen-timer', 'expected-2vcpu.json'), 'utf8')) as ExpectedMatrix;
