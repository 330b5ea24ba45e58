/**
 * Browser code (inlined by bundle.ts): the `serve` explorer. The URL is the whole state of the
 * page (`?init=I&path=ID,ID,...`, step ids percent-encoded): every change pushes a URL and the
 * page asks the server for the state at its end, so a copied URL (a permalink) shows the same.
 */
import { showPosition } from './trace-view.js';
import type { ExplorerState, SearchStatus } from './types.js';

export function initExplorer(): void {
  let current: ExplorerState | null = null;
  /** Steps undone with back / ←, redone with forward / →. */
  let redo: string[] = [];
  const $ = (id: string): HTMLElement => document.getElementById(id)!;
  const go = (init: number, path: readonly string[]): void => {
    history.pushState(null, '', pathUrl(init, path));
    void load();
  };
  const load = async (): Promise<void> => {
    const res = await fetch(`/api/state${location.search}`);
    const body = (await res.json()) as ExplorerState & { error?: string };
    if (!res.ok) {
      current = null;
      showError(body.error ?? `the server answered ${res.status}`);
      return;
    }
    current = body;
    renderExplorer(body);
  };
  const back = (): void => {
    if (!current || current.path.length === 0) return;
    redo = [current.path.at(-1)!, ...redo];
    go(current.init, current.path.slice(0, -1));
  };
  const forward = (): void => {
    if (!current || redo.length === 0) return;
    const [next, ...rest] = redo;
    redo = rest;
    go(current.init, [...current.path, next!]);
  };
  const take = (id: string): void => {
    if (!current) return;
    redo = redo[0] === id ? redo.slice(1) : [];
    go(current.init, [...current.path, id]);
  };
  document.addEventListener('click', (e) => {
    const t = e.target as Element;
    const step = t.closest('[data-take]');
    if (step) return take(step.getAttribute('data-take')!);
    const row = t.closest('g.row');
    if (row && current) {
      const k = Number(row.getAttribute('data-k'));
      if (k >= current.path.length) return;
      redo = [...current.path.slice(k), ...redo];
      return go(current.init, current.path.slice(0, k));
    }
    const link = t.closest('a[data-nav]');
    if (link) {
      e.preventDefault();
      redo = [];
      history.pushState(null, '', link.getAttribute('href')!);
      void load();
    }
  });
  $('back').addEventListener('click', back);
  $('fwd').addEventListener('click', forward);
  $('search').addEventListener('click', () => void startSearch());
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowLeft') back();
    else if (e.key === 'ArrowRight') forward();
    else return;
    e.preventDefault();
  });
  window.addEventListener('popstate', () => void load());
  void load();
  void pollSearch();
}

export function pathUrl(init: number, path: readonly string[]): string {
  return `?init=${init}&path=${path.map(encodeURIComponent).join(',')}`;
}

export function showError(message: string): void {
  const box = document.getElementById('error')!;
  box.replaceChildren();
  const p = document.createElement('p');
  p.textContent = message;
  const a = document.createElement('a');
  a.href = '/';
  a.textContent = 'start again from the initial state';
  box.append(p, a);
  box.hidden = false;
  document.getElementById('view')!.hidden = true;
}

export function renderExplorer(st: ExplorerState): void {
  document.getElementById('error')!.hidden = true;
  const view = document.getElementById('view')!;
  view.hidden = false;
  // server-rendered from the model's own text, every string escaped (race-svg.ts)
  document.getElementById('diagram')!.innerHTML = st.svg;
  document.getElementById('legend')!.innerHTML = st.legend;
  (document.getElementById('permalink') as HTMLAnchorElement).href = pathUrl(st.init, st.path);
  (document.getElementById('back') as HTMLButtonElement).disabled = st.path.length === 0;
  renderEnabled(st);
  const here = document.getElementById('here')!;
  here.textContent = st.here.map((h) => `✗ ${h.property}: ${h.message}`).join('\n');
  here.hidden = st.here.length === 0;
  showPosition(view, st, st.steps.length);
}

export function renderEnabled(st: ExplorerState): void {
  const list = document.getElementById('enabled')!;
  list.replaceChildren();
  document.getElementById('enabled-count')!.textContent = String(st.enabled.length);
  if (st.enabled.length === 0) {
    const li = document.createElement('li');
    li.textContent = 'No step is enabled here.';
    list.appendChild(li);
  }
  for (const s of st.enabled) {
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('data-take', s.id);
    const proc = document.createElement('span');
    proc.className = 'proc';
    proc.textContent = s.process;
    const cl = document.createElement('span');
    cl.className = 'cl';
    cl.textContent = `${s.source.func}(): ${s.source.line}`;
    b.append(proc, ` ${s.id}`, cl);
    const li = document.createElement('li');
    li.appendChild(b);
    list.appendChild(li);
  }
}

export async function startSearch(): Promise<void> {
  (document.getElementById('search') as HTMLButtonElement).disabled = true;
  await fetch('/api/search', { method: 'POST' });
  await pollSearch();
}

/** Show the search's state; while one runs, its progress until it ends. */
export async function pollSearch(): Promise<void> {
  const status = document.getElementById('search-status')!;
  for (;;) {
    const s = (await (await fetch('/api/search')).json()) as SearchStatus;
    const counts = s.states !== undefined ? `${s.states.toLocaleString('en')} states · depth ${s.depth ?? 0} · ${(s.seconds ?? 0).toFixed(1)} s` : '';
    if (s.status === 'running') {
      status.textContent = `searching… ${counts}`;
      (document.getElementById('search') as HTMLButtonElement).disabled = true;
      await new Promise((r) => setTimeout(r, 300));
      continue;
    }
    (document.getElementById('search') as HTMLButtonElement).disabled = s.status === 'done';
    if (s.status === 'failed') status.textContent = `search failed: ${s.error ?? ''}`;
    if (s.status === 'done') {
      status.textContent = `search ${s.result ?? 'done'}: ${counts}`;
      renderFound(s);
    }
    return;
  }
}

export function renderFound(s: SearchStatus): void {
  const box = document.getElementById('found')!;
  box.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = s.violations && s.violations.length > 0 ? 'Violations found (shortest traces)' : 'No violation found';
  box.appendChild(h);
  const ul = document.createElement('ul');
  for (const v of s.violations ?? []) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = pathUrl(v.init, v.path);
    a.setAttribute('data-nav', '');
    a.textContent = `✗ ${v.property}`;
    li.append(a, ` (${v.path.length} steps): ${v.message}`);
    ul.appendChild(li);
  }
  box.appendChild(ul);
}
