/**
 * SARIF 2.1.0: one rule per property, one result per violation. A result is located at the C
 * file of the step that violated the property, with a logical location naming its function and
 * the C line as the location message (the kernel sources are not part of this repository, so
 * there is no line number to point at); the whole shortest trace is a code flow.
 */
import type { SourceRef } from '../../engine/model.js';
import { findings, violatingStep, type Report, type ReportCover, type ReportStep, type ReportViolation } from '../report.js';
import { params } from './common.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function location(src: SourceRef, text?: string): Record<string, unknown> {
  return {
    physicalLocation: { artifactLocation: { uri: src.file } },
    logicalLocations: [{ name: src.func, fullyQualifiedName: `${src.file}:${src.func}`, kind: 'function' }],
    message: { text: text ?? src.line },
  };
}

function stepText(s: ReportStep): string {
  return `${s.index}. [${s.process}] ${s.step}: ${s.source.line}`;
}

function resultMessage(v: ReportViolation): string {
  const lines = [`${v.property}: ${v.message}`];
  if (v.message !== v.description) lines.push(v.description);
  if (v.trace) {
    lines.push('', `Shortest trace (${v.trace.steps.length} steps):`);
    for (const s of v.trace.steps) lines.push(`${stepText(s)}  (${s.source.file}:${s.source.func})`);
  }
  return lines.join('\n');
}

/** An unreached branch cover that does not fail the run: a warning at the branch's C line. */
function coverResult(r: Report, c: ReportCover, ruleIndex: number | undefined): Record<string, unknown> {
  return {
    ruleId: c.property,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level: 'warning',
    kind: 'fail',
    message: { text: `${c.property}: never reached: ${c.description}\nNo reachable state takes this branch within the bounds checked (dead code here); a finding, not a violation.` },
    locations: c.source[0] ? [location(c.source[0])] : [],
    partialFingerprints: { 'xentimerCheck/v1': `${r.model.name}|${params(r.model.params)}|${c.property}` },
    properties: { kind: 'sometimes', verdict: 'unreachable', traceLength: null },
  };
}

export function toSarif(r: Report): Record<string, unknown> {
  const rules = r.properties.map((p) => ({
    id: p.id,
    shortDescription: { text: p.description },
    fullDescription: { text: `${p.description} (${p.kind} property of model ${r.model.name})` },
    defaultConfiguration: { level: p.kind === 'sometimes' && !r.settings.failOnUnreachedCover ? 'warning' : 'error' },
    properties: { kind: p.kind, tags: ['concurrency', p.kind] },
  }));
  const index = new Map(r.properties.map((p, i) => [p.id, i]));
  const results: Record<string, unknown>[] = r.violations.map((v) => {
    const last = violatingStep(v);
    const where = last ? location(last.source, `${stepText(last)}`) : v.source[0] ? location(v.source[0]) : undefined;
    const out: Record<string, unknown> = {
      ruleId: v.property,
      ...(index.has(v.property) ? { ruleIndex: index.get(v.property) } : {}),
      level: 'error',
      kind: 'fail',
      message: { text: resultMessage(v) },
      locations: where ? [where] : [],
      partialFingerprints: { 'xentimerCheck/v1': `${r.model.name}|${params(r.model.params)}|${v.property}` },
      properties: { kind: v.kind, traceLength: v.trace ? v.trace.steps.length : null },
    };
    if (v.trace && v.trace.steps.length > 0) {
      out['codeFlows'] = [
        {
          message: { text: `shortest trace to ${v.property}` },
          threadFlows: [
            {
              locations: v.trace.steps.map((s, i) => ({
                location: location(s.source, stepText(s)),
                executionOrder: i + 1,
                properties: { process: s.process, step: s.step, changes: s.changes },
              })),
            },
          ],
        },
      ];
    }
    return out;
  });
  for (const c of findings(r)) results.push(coverResult(r, c, index.get(c.property)));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: r.tool.name, version: r.tool.version, semanticVersion: r.tool.version, rules } },
        automationDetails: { id: `xentimer-check/${r.model.name}/${params(r.model.params).replace(/ /g, ',')}/` },
        invocations: [{ executionSuccessful: true, exitCode: r.exitCode }],
        results,
        properties: {
          model: r.model.name,
          params: r.model.params,
          status: r.status,
          complete: r.complete,
          unreachedCovers: findings(r).map((c) => c.property),
          states: r.stats.states,
          transitions: r.stats.transitions,
        },
      },
    ],
  };
}
