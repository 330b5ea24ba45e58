/**
 * JUnit XML: one <testcase> per property. A violated property is a <failure> whose body is the
 * shortest trace; a property left undecided by an incomplete search is <skipped>. An unreached
 * branch cover passes with a <system-out> that says so (a finding), and is a <failure> only with
 * --fail-on-unreached-cover (or the property's failIfUnreached); the suite's properties list them.
 */
import { findings, type Report } from '../report.js';
import { params } from './common.js';
import { plain } from './style.js';
import { traceLines } from './text.js';
import { attrs, xmlEscape } from './xml.js';

export function formatJunit(r: Report): string {
  const suite = `${r.model.name}${Object.keys(r.model.params).length ? ` ${params(r.model.params)}` : ''}`;
  const failing = new Set(r.violations.map((v) => v.property));
  const unreached = findings(r);
  const failures = r.properties.filter((p) => failing.has(p.id)).length;
  const skipped = r.properties.filter((p) => p.verdict === 'unknown').length;
  const time = r.timing ? r.timing.seconds.toFixed(3) : '0';
  const counts = { tests: r.properties.length, failures, errors: 0, skipped };
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs({ name: 'xentimer-check', ...counts, time })}>`);
  out.push(`  <testsuite${attrs({ name: suite, ...counts, time })}>`);
  out.push('    <properties>');
  out.push(`      <property${attrs({ name: 'model', value: r.model.name })}/>`);
  for (const [k, v] of Object.entries(r.model.params)) out.push(`      <property${attrs({ name: `param.${k}`, value: String(v) })}/>`);
  out.push(`      <property${attrs({ name: 'status', value: r.status })}/>`);
  out.push(`      <property${attrs({ name: 'states', value: r.stats.states })}/>`);
  out.push(`      <property${attrs({ name: 'transitions', value: r.stats.transitions })}/>`);
  if (unreached.length > 0) out.push(`      <property${attrs({ name: 'unreachedCovers', value: unreached.map((c) => c.property).join(' ') })}/>`);
  out.push('    </properties>');
  for (const p of r.properties) {
    const open = `    <testcase${attrs({ classname: r.model.name, name: p.id, time: '0' })}`;
    if (p.verdict === 'holds' || p.verdict === 'reached') {
      out.push(`${open}/>`);
      continue;
    }
    out.push(`${open}>`);
    if (p.verdict === 'unreachable' && !failing.has(p.id)) {
      out.push(`      <system-out>${xmlEscape(`never reached: ${p.description} (a finding, not a violation: no reachable state takes this branch within these bounds)`)}</system-out>`);
    } else if (p.verdict === 'unknown') {
      out.push(`      <skipped${attrs({ message: r.status === 'violation' && !r.settings.allViolations ? 'undecided: the search stopped at the first violation (use --all-violations)' : `undecided: the search did not complete (${r.incompleteReason ?? 'incomplete'})` })}/>`);
    } else {
      const v = r.violations.find((x) => x.property === p.id);
      const message = v ? v.message : p.description;
      const body = v ? [`${p.description}`, ...(v.message !== p.description ? [v.message] : []), ...traceLines(v, plain, 100)].join('\n') : p.description;
      out.push(`      <failure${attrs({ message, type: p.kind })}>${xmlEscape(body)}</failure>`);
    }
    out.push('    </testcase>');
  }
  out.push('  </testsuite>');
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
