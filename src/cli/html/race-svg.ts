/**
 * The race diagram as SVG: one lane per process, one row per step (row 0 is the initial state),
 * a numbered box in the lane of the process that acts, the C line to the right (the function name
 * when the process enters another function, as in the text diagram of format/race.ts), lock holds
 * as patterned bars lettered in the legend, interrupts-off spans hatched, the violating step
 * marked ✗. Everything is told by shape, letter or text too, never by colour alone. The page's
 * script selects a row by toggling the `sel` class of `g.row[data-k]`.
 */
import type { ReportStep } from '../report.js';
import { esc } from './escape.js';
import { IRQS_OFF, lockKeys, spans, type Span, type State } from './spans.js';

export interface RaceInput {
  /** Processes drawn as lanes, left to right. */
  readonly lanes: readonly string[];
  /** Every process of the model, in model order (lock fields hold indices into it). */
  readonly processes: readonly string[];
  readonly steps: readonly Pick<ReportStep, 'index' | 'step' | 'process' | 'source'>[];
  /** states[0] initial, states[k] after step k. */
  readonly states: readonly State[];
  /** The last step violates this (drawn ✗ with the message under the diagram). */
  readonly failure?: { readonly property: string; readonly message: string };
}

export const GEOMETRY = { num: 44, lane: 136, head: 40, row: 22, textChars: 96, charW: 7.3 } as const;
const DASHES = ['', '7 3', '2 3', '9 3 2 3', '1 4', '4 4'];

export const lockLetter = (j: number): string => String.fromCharCode(65 + (j % 26));
export const lockDash = (j: number): string => DASHES[j % DASHES.length]!;

const rowTop = (k: number): number => GEOMETRY.head + k * GEOMETRY.row;
const laneX = (i: number): number => GEOMETRY.num + i * GEOMETRY.lane;
const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export function raceSvg(input: RaceInput): string {
  const { lanes, steps } = input;
  const g = GEOMETRY;
  const textX = laneX(lanes.length) + 14;
  const width = Math.ceil(textX + g.textChars * g.charW + 10);
  const rows = steps.length + 1 + (input.failure ? 1 : 0);
  const height = rowTop(rows) + 6;
  const all = spans(input.states, input.processes).filter((s) => lanes.includes(s.process));
  const keys = lockKeys(all);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="race" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`race diagram: ${steps.length} steps over ${lanes.join(', ')}`)}">`,
    ...laneBackground(lanes, height),
    initialRow(width),
    ...steps.map((s, i) => stepRow(input, i, width, textX)),
    ...all.map((s) => spanMark(s, lanes.indexOf(s.process), keys)),
  ];
  if (input.failure) parts.push(failureRow(input.failure, steps.length + 1, textX));
  parts.push('</svg>');
  return parts.join('\n');
}

function laneBackground(lanes: readonly string[], height: number): string[] {
  const g = GEOMETRY;
  return lanes.map((p, i) => {
    const x = laneX(i);
    return (
      `<g class="lane"><rect class="lane-bg${i % 2 ? ' odd' : ''}" x="${x}" y="0" width="${g.lane}" height="${height}"/>` +
      `<text class="lane-name" x="${x + g.lane / 2}" y="24" text-anchor="middle"><title>${esc(p)}</title>${esc(clip(p, 19))}</text>` +
      `<line class="lane-line" x1="${x + g.lane / 2 + 8}" y1="${g.head - 4}" x2="${x + g.lane / 2 + 8}" y2="${height}"/></g>`
    );
  });
}

function band(k: number, width: number): string {
  const y = rowTop(k);
  return `<rect class="band" x="0" y="${y}" width="${width}" height="${GEOMETRY.row}"/><text class="cursor" x="3" y="${y + 15}">▶</text>`;
}

function initialRow(width: number): string {
  const x = laneX(0);
  return `<g class="row" data-k="0">${band(0, width)}<text class="num" x="${GEOMETRY.num - 6}" y="${rowTop(0) + 15}" text-anchor="end">0</text><text class="code init" x="${x + 8}" y="${rowTop(0) + 15}">initial state</text></g>`;
}

function stepRow(input: RaceInput, i: number, width: number, textX: number): string {
  const s = input.steps[i]!;
  const k = i + 1;
  const y = rowTop(k);
  const lane = input.lanes.indexOf(s.process);
  const last = k === input.steps.length && input.failure !== undefined;
  const enters = lastFunc(input.steps, i) !== s.source.func;
  const cx = laneX(Math.max(0, lane)) + GEOMETRY.lane / 2 + 8;
  const label = last ? `✗ ${s.index}` : String(s.index);
  const func = enters ? `<tspan class="func">${esc(s.source.func)}()</tspan> ` : '';
  const code = clip(s.source.line, GEOMETRY.textChars - (enters ? s.source.func.length + 3 : 0));
  return (
    `<g class="row step${last ? ' violating' : ''}" data-k="${k}">${band(k, width)}` +
    `<title>${esc(`${s.index}. ${s.process}: ${s.step}\n${s.source.file}:${s.source.func}\n${s.source.line}`)}</title>` +
    `<text class="num" x="${GEOMETRY.num - 6}" y="${y + 15}" text-anchor="end">${s.index}</text>` +
    `<rect class="node" x="${cx - 24}" y="${y + 3}" width="48" height="${GEOMETRY.row - 6}" rx="4"/>` +
    `<text class="node-label" x="${cx}" y="${y + 15}" text-anchor="middle">${esc(label)}</text>` +
    `<text class="code" x="${textX}" y="${y + 15}">${func}${esc(code)}</text></g>`
  );
}

/** The function the process was last in before step i (undefined if it has not acted). */
function lastFunc(steps: RaceInput['steps'], i: number): string | undefined {
  const p = steps[i]!.process;
  for (let j = i - 1; j >= 0; j--) if (steps[j]!.process === p) return steps[j]!.source.func;
  return undefined;
}

function spanMark(s: Span, lane: number, keys: readonly string[]): string {
  const y1 = rowTop(s.from) + 2;
  const y2 = rowTop(s.to + 1) - 2;
  const x0 = laneX(lane);
  const tip = `<title>${esc(`${s.process} holds ${s.what} in states ${s.from}–${s.to}`)}</title>`;
  if (s.what === IRQS_OFF) {
    const x = x0 + GEOMETRY.lane - 18;
    return `<g class="irqoff"><rect x="${x}" y="${y1}" width="12" height="${y2 - y1}" fill="url(#hatch)"/>${tip.replace('holds', 'has')}</g>`;
  }
  const j = keys.indexOf(s.what);
  const x = x0 + 8 + (j % 6) * 6;
  const dash = lockDash(j);
  return (
    `<g class="lock"><line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>` +
    `<text class="lock-letter" x="${x + 3}" y="${y1 + 8}">${lockLetter(j)}</text>${tip}</g>`
  );
}

function failureRow(f: NonNullable<RaceInput['failure']>, k: number, textX: number): string {
  const y = rowTop(k) + 15;
  return `<g class="failure"><text class="fail-text" x="${GEOMETRY.num}" y="${y}">✗ ${esc(f.property)}: ${esc(clip(f.message, Math.floor((textX - GEOMETRY.num) / GEOMETRY.charW) + GEOMETRY.textChars - f.property.length - 4))}<title>${esc(f.message)}</title></text></g>`;
}

/** Shared by every diagram of a page (once per page: ids are global): the hatching of interrupts-off spans. */
export const SVG_DEFS =
  '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" class="hatch-line"/></pattern></defs></svg>';

/** The legend: what the lettered bars and the hatching mean (HTML). */
export function raceLegend(input: Pick<RaceInput, 'lanes' | 'processes' | 'states'>): string {
  const all = spans(input.states, input.processes).filter((s) => input.lanes.includes(s.process));
  const keys = lockKeys(all);
  const items = keys.map((k, j) => {
    const dash = lockDash(j);
    const sample = `<svg width="14" height="18" aria-hidden="true"><line class="legend-lock" x1="7" y1="1" x2="7" y2="17"${dash ? ` stroke-dasharray="${dash}"` : ''}/></svg>`;
    return `<li>${sample}<b>${lockLetter(j)}</b> held: <code>${esc(k)}</code></li>`;
  });
  if (all.some((s) => s.what === IRQS_OFF)) {
    items.push('<li><svg width="14" height="18" aria-hidden="true"><rect x="1" y="1" width="12" height="16" fill="url(#hatch)" class="legend-hatch"/></svg>hatched: interrupts disabled (an irqsave lock, or running in hard-irq context)</li>');
  }
  items.push('<li><b>▶</b> the selected step · <b>✗</b> the violating step · <b>fn()</b> the process enters a function</li>');
  return `<ul class="legend">${items.join('')}</ul>`;
}
