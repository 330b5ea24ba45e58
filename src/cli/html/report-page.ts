/**
 * `--format html`: a report as one self-contained page. A summary, then one section per violation
 * with its race diagram (race-svg.ts), a step detail and a state panel that the page's script
 * (client/report.ts) fills in as the reader steps through the trace.
 */
import { params } from '../format/common.js';
import { actingProcesses } from '../format/race.js';
import type { Report, ReportViolation } from '../report.js';
import type { PageTrace, ReportData } from './client/types.js';
import { esc } from './escape.js';
import { htmlPage } from './page.js';
import { raceLegend, raceSvg } from './race-svg.js';
import { summaryHtml } from './summary.js';

export function formatHtml(r: Report): string {
  const traced = r.violations.filter((v) => v.trace !== null);
  const data: ReportData = { traces: traced.map((v): PageTrace => ({ steps: v.trace!.steps, states: v.trace!.states })) };
  const p = params(r.model.params);
  const body = [
    `<header><h1>${esc(r.model.name)} — ${esc(r.status)}</h1><p class="muted">${esc(p)}</p></header>`,
    '<main>',
    summaryHtml(r, new Map(traced.map((v, i) => [v.property, `trace-${i}`]))),
    ...r.violations.filter((v) => v.trace === null).map(untraced),
    ...traced.map((v, i) => violationSection(v, i, r.model.processes)),
    '</main>',
  ].join('\n');
  return htmlPage({ title: `${r.model.name}: ${r.status}${r.violations.length ? ` (${r.violations.map((v) => v.property).join(', ')})` : ''}`, body, data, entry: 'initReport', connect: 'none' });
}

function untraced(v: ReportViolation): string {
  return `<section class="violation untraced"><h2>✗ ${esc(v.property)} <span class="muted">(${esc(v.kind)})</span></h2><p class="desc">${esc(v.description)}</p><p>${esc(v.message)}</p></section>`;
}

function violationSection(v: ReportViolation, i: number, processes: readonly string[]): string {
  const t = v.trace!;
  const lanes = actingProcesses(v, processes);
  const input = { lanes, processes, steps: t.steps, states: t.states, failure: { property: v.property, message: v.message } };
  const n = t.steps.length;
  return [
    `<section class="violation" id="trace-${i}" data-v="${i}" tabindex="0" aria-label="${esc(`violation of ${v.property}, ${n} steps`)}">`,
    `<h2>✗ ${esc(v.property)} <span class="muted">(${esc(v.kind)}) · ${n === 0 ? 'in the initial state' : `${n} step${n === 1 ? '' : 's'}`}${t.initial ? ` from initial state ${t.initial}` : ''}</span></h2>`,
    `<p class="desc">${esc(v.description)}</p>`,
    `<p class="message">${esc(v.message)}</p>`,
    '<div class="controls"><button type="button" data-act="prev" aria-label="previous step">◀ previous</button>',
    '<span class="pos" aria-live="polite"></span>',
    '<button type="button" data-act="next" aria-label="next step">next ▶</button>',
    '<span class="muted">keys ← → (Home, End) · click a row</span></div>',
    '<div class="trace-grid">',
    `<div><div class="diagram">${raceSvg(input)}</div>${raceLegend(input)}</div>`,
    '<aside class="panel"><div class="step-detail"></div><table class="state"></table></aside>',
    '</div>',
    '</section>',
  ].join('\n');
}
