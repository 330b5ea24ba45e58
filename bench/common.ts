/**
 * What the benchmark scripts share: the checkout's root, the vendored BEEM instances
 * (test/fixtures/beem, a copy of shared/beem) with their published counts, and the command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout (the scripts run from dist/bench). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const beemDir = join(root, 'test', 'fixtures', 'beem');

const argv = process.argv.slice(2);
/** The value after `--name` on the command line, or undefined. */
export function argValue(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
/** Whether `--name` is on the command line. */
export function argFlag(name: string): boolean {
  return argv.includes(name);
}

/** The large BEEM instances (large.csv: instance and published state count), in the file's order; none without the file. */
export function largeInstances(): { instance: string; states: number }[] {
  const csv = join(beemDir, 'large.csv');
  if (!existsSync(csv)) return [];
  return readFileSync(csv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .map(([instance, states]) => ({ instance: instance!, states: Number(states) }));
}

/** The DVE file of a BEEM instance. */
export function dvePath(instance: string): string {
  return join(beemDir, 'models', `${instance}.dve`);
}
