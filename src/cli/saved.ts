/**
 * Reading a saved trace: the JSON report written by `check --format json` (or `--output x.json`).
 * Only what `replay` and `explain` need is validated; anything else malformed is exit 2.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usage } from './exit.js';
import { REPORT_FORMAT, type Report, type ReportViolation } from './report.js';

const HINT = 'a trace file is the JSON written by `xentimer-check check --format json --output FILE`';

export function readReport(path: string, cwd: string): Report {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usage(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`, HINT);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw usage(`${path} is not valid JSON: ${(e as Error).message}`, HINT);
  }
  const bad = (what: string): never => {
    throw usage(`${path} is not a xentimer-check trace: ${what}`, HINT);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad('expected a JSON object');
  const r = data as Record<string, unknown>;
  if (r['format'] !== REPORT_FORMAT) bad(`"format" must be "${REPORT_FORMAT}"`);
  if (r['version'] !== 1) bad(`unsupported version ${JSON.stringify(r['version'])} (this tool reads version 1)`);
  const model = r['model'] as Record<string, unknown> | undefined;
  if (typeof model !== 'object' || model === null) bad('missing "model"');
  const m = model!;
  if (m['origin'] !== 'registry' && m['origin'] !== 'dve' && m['origin'] !== 'module') bad('"model.origin" must be registry, dve or module');
  if (typeof m['name'] !== 'string') bad('"model.name" must be a string');
  if (m['origin'] !== 'registry' && typeof m['path'] !== 'string') bad('"model.path" is required for dve and module models');
  if (typeof m['params'] !== 'object' || m['params'] === null || Array.isArray(m['params'])) bad('"model.params" must be an object');
  if (!Array.isArray(m['processes'])) bad('"model.processes" must be an array');
  if (typeof r['settings'] !== 'object' || r['settings'] === null) bad('missing "settings"');
  if (!Array.isArray(r['violations'])) bad('"violations" must be an array');
  (r['violations'] as unknown[]).forEach((v, i) => checkViolation(v, `violations[${i}]`, bad));
  return data as Report;
}

/**
 * A report for `merge`: what readReport checks, and the shape of every part merge reads (tool,
 * status, settings, stats, properties, coverage, timing), so that a damaged report is exit 2.
 */
export function readMergeable(path: string, cwd: string): Report {
  const r = readReport(path, cwd) as unknown as Record<string, unknown>;
  const bad = (what: string): never => {
    throw usage(`${path} is not a xentimer-check report: ${what}`, HINT);
  };
  const obj = (x: unknown, what: string): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : bad(`${what} must be an object`));
  const num = (o: Record<string, unknown>, k: string, what: string): void => void (typeof o[k] === 'number' && Number.isFinite(o[k]) ? 0 : bad(`${what}.${k} must be a number`));
  if (typeof obj(r['tool'], '"tool"')['version'] !== 'string') bad('"tool.version" must be a string');
  if (!['pass', 'violation', 'incomplete'].includes(r['status'] as string)) bad('"status" must be pass, violation or incomplete');
  if (typeof r['complete'] !== 'boolean') bad('"complete" must be true or false');
  if (r['incompleteReason'] !== null && typeof r['incompleteReason'] !== 'string') bad('"incompleteReason" must be a string or null');
  const settings = obj(r['settings'], '"settings"');
  if (settings['shard'] !== undefined) ['index', 'count'].forEach((k) => num(obj(settings['shard'], '"settings.shard"'), k, 'settings.shard'));
  const stats = obj(r['stats'], '"stats"');
  ['states', 'transitions', 'levels', 'depth', 'stateBytes', 'bytesPerState', 'storeBytes'].forEach((k) => num(stats, k, 'stats'));
  if (stats['storedStateBytes'] !== undefined) num(stats, 'storedStateBytes', 'stats');
  if (stats['shard'] !== undefined) {
    const sh = obj(stats['shard'], '"stats.shard"');
    ['index', 'count', 'roots', 'levelSize'].forEach((k) => num(sh, k, 'stats.shard'));
    if (sh['splitLevel'] !== null) num(sh, 'splitLevel', 'stats.shard');
  }
  if (r['timing'] !== undefined) ['seconds', 'statesPerSecond', 'peakRssBytes'].forEach((k) => num(obj(r['timing'], '"timing"'), k, 'timing'));
  if (!Array.isArray(r['properties'])) bad('"properties" must be an array');
  (r['properties'] as unknown[]).forEach((p, i) => {
    const o = obj(p, `properties[${i}]`);
    if (typeof o['id'] !== 'string' || typeof o['kind'] !== 'string' || typeof o['verdict'] !== 'string' || typeof o['description'] !== 'string') bad(`properties[${i}] needs id, kind, description and verdict strings`);
    if (!Array.isArray(o['source'])) bad(`properties[${i}].source must be an array`);
  });
  const cov = obj(r['coverage'], '"coverage"');
  ['steps', 'fired'].forEach((k) => num(cov, k, 'coverage'));
  if (!Array.isArray(cov['neverFired']) || !(cov['neverFired'] as unknown[]).every((x) => typeof x === 'string')) bad('"coverage.neverFired" must be a list of step ids');
  if (r['facts'] !== undefined) obj(r['facts'], '"facts"');
  return r as unknown as Report;
}

function checkViolation(v: unknown, at: string, bad: (what: string) => never): void {
  if (typeof v !== 'object' || v === null) bad(`${at} must be an object`);
  const o = v as Record<string, unknown>;
  if (typeof o['property'] !== 'string') bad(`${at}.property must be a string`);
  if (typeof o['message'] !== 'string') bad(`${at}.message must be a string`);
  const t = o['trace'];
  if (t === null) return;
  if (typeof t !== 'object' || t === undefined) bad(`${at}.trace must be an object or null`);
  const tr = t as Record<string, unknown>;
  if (!Number.isInteger(tr['initial'])) bad(`${at}.trace.initial must be an integer`);
  if (!Array.isArray(tr['steps'])) bad(`${at}.trace.steps must be an array`);
  if (!Array.isArray(tr['states'])) bad(`${at}.trace.states must be an array`);
  const steps = tr['steps'] as unknown[];
  const states = tr['states'] as unknown[];
  steps.forEach((s, k) => {
    const so = s as Record<string, unknown> | null;
    if (typeof so !== 'object' || so === null || typeof so['step'] !== 'string' || typeof so['process'] !== 'string') bad(`${at}.trace.steps[${k}] needs "step" and "process" strings`);
    const src = so!['source'] as Record<string, unknown> | undefined;
    if (typeof src !== 'object' || src === null || typeof src['file'] !== 'string' || typeof src['func'] !== 'string' || typeof src['line'] !== 'string') bad(`${at}.trace.steps[${k}].source needs file, func and line`);
    if (typeof so!['changes'] !== 'object' || so!['changes'] === null) bad(`${at}.trace.steps[${k}].changes must be an object`);
    if (typeof so!['index'] !== 'number') bad(`${at}.trace.steps[${k}].index must be a number`);
  });
  if (states.length !== steps.length + 1) bad(`${at}.trace has ${steps.length} steps but ${states.length} states (expected ${steps.length + 1})`);
  states.forEach((s, k) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) bad(`${at}.trace.states[${k}] must be an object`);
  });
}

/** The violations to work on: all, or those of one property (`--property`). */
export function selectViolations(r: Report, property: string | undefined, path: string): ReportViolation[] {
  if (property === undefined) return [...r.violations];
  const v = r.violations.filter((x) => x.property === property);
  if (v.length === 0) throw usage(`${path} has no violation of '${property}'`, `its violations: ${r.violations.map((x) => x.property).join(', ') || 'none'}`);
  return v;
}
