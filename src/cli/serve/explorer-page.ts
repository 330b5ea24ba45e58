/** The explorer's one page; the script (html/client/explorer.ts) fills it from /api/state. */
import { esc } from '../html/escape.js';
import { htmlPage } from '../html/page.js';

export function explorerPage(model: string, params: string): string {
  const body = [
    `<header><h1>Explorer: ${esc(model)}</h1><p class="muted">${esc(params)} · start from the initial state, take a step by clicking it; ← → go back and forward; the URL is a permalink to the path.</p></header>`,
    '<div class="toolbar">',
    '<button type="button" id="back" aria-label="back one step (←)">◀ back</button>',
    '<button type="button" id="fwd" aria-label="forward one step (→)">forward ▶</button>',
    '<a href="/" data-nav="">start over</a>',
    '<a id="permalink" href="/">permalink</a>',
    '<button type="button" id="search">search for violations</button>',
    '<span id="search-status" aria-live="polite"></span>',
    '</div>',
    '<div id="found"></div>',
    '<div id="error" class="error" role="alert" hidden></div>',
    '<div class="trace-grid" id="view">',
    '<div>',
    '<pre id="here" class="findings" role="status" hidden></pre>',
    '<div class="enabled"><h2>Enabled steps (<span id="enabled-count">0</span>)</h2><ul id="enabled"></ul></div>',
    '<h2>Path</h2><div class="diagram" id="diagram"></div><div id="legend"></div>',
    '</div>',
    '<aside class="panel"><p class="pos"></p><div class="step-detail"></div><table class="state"></table></aside>',
    '</div>',
  ].join('\n');
  return htmlPage({ title: `Explorer: ${model}`, body, entry: 'initExplorer', connect: 'self' });
}
