/** The report page's summary: the verdict, every property, the run's settings and statistics, step coverage. */
import type { Report, ReportProperty } from '../report.js';
import { bytes, int, params, plural, rate, seconds, value } from '../format/common.js';
import { plain } from '../format/style.js';
import { INCOMPLETE, modeLines, verdictText } from '../format/text.js';
import { esc } from './escape.js';

const MARK: Readonly<Record<ReportProperty['verdict'], string>> = { holds: '✓', violated: '✗', reached: '●', unreachable: '○', unknown: '?' };

/** `anchors`: property id -> id of the section that shows its trace (linked from the table). */
export function summaryHtml(r: Report, anchors: ReadonlyMap<string, string> = new Map()): string {
  return [
    `<p class="status"><b class="${r.status === 'pass' ? 'verdict-holds' : 'bad'}">${r.status.toUpperCase()}</b> ${esc(statusLine(r))}</p>`,
    '<div class="summary">',
    `<div class="wide"><h2>Properties</h2>${propertyTable(r, anchors)}</div>`,
    `<div><h2>Run</h2>${keyValues(runRows(r))}</div>`,
    `<div><h2>Coverage</h2>${coverage(r)}</div>`,
    '</div>',
  ].join('\n');
}

function statusLine(r: Report): string {
  const parts = [`${int(r.stats.states)} states`, `${int(r.stats.transitions)} transitions`, `depth ${int(r.stats.depth)}`];
  if (r.timing) parts.push(seconds(r.timing.seconds), rate(r.timing.statesPerSecond), `${bytes(r.timing.peakRssBytes)} peak RSS`);
  const why = r.incompleteReason ? ` · incomplete: ${INCOMPLETE[r.incompleteReason] ?? r.incompleteReason}` : '';
  return `${r.violations.length > 0 ? `${plural(r.violations.length, 'violation')} · ` : ''}${parts.join(' · ')}${why}`;
}

function propertyTable(r: Report, anchors: ReadonlyMap<string, string>): string {
  const rows = r.properties.map((p) => {
    const verdict = p.verdict === 'unknown' ? 'undecided' : verdictText(p);
    const anchor = anchors.get(p.id);
    const id = anchor ? `<a href="#${esc(anchor)}"><code>${esc(p.id)}</code></a>` : `<code>${esc(p.id)}</code>`;
    return `<tr><td aria-hidden="true">${MARK[p.verdict]}</td><td>${id}<div class="desc">${esc(p.description)}</div></td><td>${esc(p.kind)}</td><td class="verdict-${p.verdict}">${esc(verdict)}</td></tr>`;
  });
  return `<table class="props"><thead><tr><th></th><th scope="col">property</th><th scope="col">kind</th><th scope="col">verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function runRows(r: Report): [string, string][] {
  const s = r.settings;
  const rows: [string, string][] = [
    ['model', `${r.model.name}${r.model.path ? ` (${r.model.path})` : ''}`],
    ['parameters', params(r.model.params) || '—'],
    ['tool', `${r.tool.name} ${r.tool.version}`],
    ['max states', s.maxStates === null ? 'none' : int(s.maxStates)],
    ['max depth', s.maxDepth === null ? 'none' : int(s.maxDepth)],
    ['time limit', s.timeLimit === null ? 'none' : `${s.timeLimit} s`],
    ['all violations', s.allViolations ? 'yes' : 'no (stops at the first)'],
    ['deadlock check', s.deadlock ? 'yes' : 'no'],
    ['states', int(r.stats.states)],
    ['transitions', int(r.stats.transitions)],
    ['BFS levels', int(r.stats.levels)],
    ['state vector', `${r.stats.stateBytes} bytes${r.stats.storedStateBytes !== undefined && r.stats.storedStateBytes !== r.stats.stateBytes ? `, stored in ${r.stats.storedStateBytes}` : ''}`],
  ];
  for (const [k, v] of Object.entries(r.model.info ?? {})) rows.push([`info: ${k}`, value(v)]);
  for (const l of modeLines(r, plain)) rows.push(['mode', l]);
  if (r.timing) rows.push(['time', seconds(r.timing.seconds)], ['rate', rate(r.timing.statesPerSecond)], ['peak RSS', bytes(r.timing.peakRssBytes)]);
  return rows;
}

function keyValues(rows: readonly [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function coverage(r: Report): string {
  const c = r.coverage;
  const head = `<p>${int(c.fired)} of ${int(c.steps)} steps fired${r.complete ? '' : ' (the search did not complete: steps not fired may still be reachable)'}.</p>`;
  if (c.neverFired.length === 0) return head;
  return `${head}<p>Never fired:</p><ul>${c.neverFired.map((s) => `<li><code>${esc(s)}</code></li>`).join('')}</ul>`;
}
