/**
 * Browser code (inlined into the pages by bundle.ts: self-contained functions, DOM only).
 * Showing one position of a trace: the selected diagram row, the step's detail and the state panel.
 */
import type { PageState, PageTrace } from './types.js';

/** Select state k of a trace inside `root`: row highlight, step detail, state table. */
export function showPosition(root: Element, trace: PageTrace, k: number): void {
  root.querySelectorAll('g.row.sel').forEach((r) => {
    r.classList.remove('sel');
    r.removeAttribute('aria-current');
  });
  const row = root.querySelector(`g.row[data-k="${k}"]`);
  if (row) {
    row.classList.add('sel');
    row.setAttribute('aria-current', 'step');
    (row as Element).scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  const n = trace.steps.length;
  const pos = root.querySelector('.pos');
  if (pos) pos.textContent = k === 0 ? `initial state (step 0 of ${n})` : `step ${k} of ${n}`;
  const detail = root.querySelector('.step-detail');
  if (detail) renderDetail(detail, trace, k);
  const table = root.querySelector('table.state');
  if (table) renderState(table as HTMLTableElement, trace.states[k]!, k > 0 ? trace.states[k - 1]! : null);
}

/** Who acts at step k, the step id, where in the C source, and the C line in full. */
export function renderDetail(el: Element, trace: PageTrace, k: number): void {
  el.replaceChildren();
  const add = (tag: string, cls: string, text: string): void => {
    const e = document.createElement(tag);
    e.className = cls;
    e.textContent = text;
    el.appendChild(e);
  };
  if (k === 0) {
    add('p', 'who', 'Initial state: no step taken yet.');
    return;
  }
  const s = trace.steps[k - 1]!;
  add('p', 'who', `Step ${k}: ${s.process} takes ${s.step}`);
  add('p', 'where', `${s.source.file} · ${s.source.func}()`);
  add('pre', 'cline', s.source.line);
}

/** The full state after the selected step; fields the step changed are marked (text + style) with their old value. */
export function renderState(table: HTMLTableElement, state: PageState, prev: PageState | null): void {
  const body = document.createElement('tbody');
  for (const [field, value] of Object.entries(state)) {
    const changed = prev !== null && prev[field] !== value;
    const tr = document.createElement('tr');
    if (changed) tr.className = 'changed';
    const mark = document.createElement('td');
    mark.className = 'mark';
    mark.textContent = changed ? '●' : '';
    if (changed) mark.title = 'changed by this step';
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = field;
    const val = document.createElement('td');
    val.textContent = String(value);
    if (changed) {
      const was = document.createElement('span');
      was.className = 'was';
      was.textContent = ` (was ${String(prev![field])})`;
      val.appendChild(was);
    }
    tr.append(mark, name, val);
    body.appendChild(tr);
  }
  table.replaceChildren(headRow(), body);
}

export function headRow(): HTMLTableSectionElement {
  const head = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const [text, title] of [
    ['Δ', 'changed by the selected step'],
    ['field', ''],
    ['value', ''],
  ] as const) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    if (title) th.title = title;
    tr.appendChild(th);
  }
  head.appendChild(tr);
  return head;
}
