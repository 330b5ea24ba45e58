/**
 * Informal Trace Format (ITF), the JSON trace format of Apalache and Quint
 * (https://apalache-mc.org/docs/adr/015adr-trace.html): `vars` lists the state variables, each
 * state is an object with every variable plus `#meta`. Integers are written as
 * `{"#bigint": "n"}`, booleans and enum names as JSON booleans and strings. Each state's `#meta`
 * also names the step that produced it.
 */
import type { Value } from '../../engine/schema.js';
import { findings, type Report, type ReportViolation } from '../report.js';
import { params, sourceLine } from './common.js';

export type ItfValue = boolean | string | { '#bigint': string };

export interface ItfTrace {
  readonly '#meta': Readonly<Record<string, unknown>>;
  readonly vars: readonly string[];
  readonly states: readonly Readonly<Record<string, unknown>>[];
}

export function itfValue(v: Value): ItfValue {
  return typeof v === 'number' ? { '#bigint': String(v) } : v;
}

/** The ITF trace of violation `v` (by default the first violation that has a trace). */
export function toItf(r: Report, v: ReportViolation | undefined = r.violations.find((x) => x.trace)): ItfTrace {
  const meta: Record<string, unknown> = {
    format: 'ITF',
    'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
    source: r.model.path ?? r.model.name,
    description: v ? `${r.model.name} ${params(r.model.params)}: ${v.property} violated: ${v.message}` : `${r.model.name} ${params(r.model.params)}: no violation (status ${r.status})`,
    tool: `${r.tool.name} ${r.tool.version}`,
    model: r.model.name,
    params: r.model.params,
    ...(findings(r).length > 0 ? { unreachedCovers: findings(r).map((c) => c.property) } : {}),
  };
  if (v) {
    meta['property'] = v.property;
    meta['kind'] = v.kind;
  }
  if (!v || !v.trace) return { '#meta': meta, vars: [], states: [] };
  const trace = v.trace;
  meta['initial'] = trace.initial;
  const vars = Object.keys(trace.states[0] ?? {});
  const states = trace.states.map((s, i) => {
    const step = i > 0 ? trace.steps[i - 1] : undefined;
    const m: Record<string, unknown> = { index: i };
    if (step) {
      m['step'] = step.step;
      m['process'] = step.process;
      m['source'] = sourceLine(step.source);
    }
    const out: Record<string, unknown> = { '#meta': m };
    for (const name of vars) out[name] = itfValue(s[name]!);
    return out;
  });
  return { '#meta': meta, vars, states };
}
