/**
 * Browser code (inlined by bundle.ts): the report page. Each violation section steps through its
 * trace with its buttons, a click on a diagram row, or ←/→ (Home/End) for the section last used.
 */
import { showPosition } from './trace-view.js';
import type { ReportData } from './types.js';

export function initReport(): void {
  const el = document.getElementById('trace-data');
  if (!el || !el.textContent) return;
  const data = JSON.parse(el.textContent) as ReportData;
  const sections = Array.from(document.querySelectorAll<HTMLElement>('section.violation[data-v]'));
  let active: HTMLElement | undefined = sections[0];
  const move = (sec: HTMLElement, k: number): void => {
    const trace = data.traces[Number(sec.dataset['v'])];
    if (!trace) return;
    const to = Math.max(0, Math.min(trace.steps.length, k));
    sec.dataset['k'] = String(to);
    showPosition(sec, trace, to);
  };
  const at = (sec: HTMLElement): number => Number(sec.dataset['k'] ?? '0');
  for (const sec of sections) {
    sec.addEventListener('click', (e) => {
      active = sec;
      const t = e.target as Element;
      const act = t.closest('[data-act]')?.getAttribute('data-act');
      if (act === 'prev') move(sec, at(sec) - 1);
      else if (act === 'next') move(sec, at(sec) + 1);
      const row = t.closest('g.row');
      if (row) move(sec, Number(row.getAttribute('data-k')));
    });
    sec.addEventListener('focusin', () => (active = sec));
    const trace = data.traces[Number(sec.dataset['v'])];
    move(sec, trace ? trace.steps.length : 0);
  }
  document.addEventListener('keydown', (e) => {
    if (!active || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = at(active);
    const keys: Record<string, number> = { ArrowLeft: k - 1, ArrowRight: k + 1, Home: 0, End: Number.MAX_SAFE_INTEGER };
    const to = keys[e.key];
    if (to === undefined) return;
    e.preventDefault();
    move(active, to);
  });
}
