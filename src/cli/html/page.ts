/** The shell of every page: one self-contained HTML document (inline style, script and data; no network). */
import { clientScript } from './bundle.js';
import { esc, scriptJson } from './escape.js';
import { PAGE_CSS } from './page-css.js';
import { SVG_DEFS } from './race-svg.js';

export interface PageParts {
  readonly title: string;
  /** HTML of the body (already escaped). */
  readonly body: string;
  /** JSON for the script, as `<script type="application/json" id="trace-data">`. */
  readonly data?: unknown;
  readonly entry: 'initReport' | 'initExplorer';
  /** The explorer talks to its server ('self'); a report file talks to nobody. */
  readonly connect: 'none' | 'self';
}

export function htmlPage(p: PageParts): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src '${p.connect}'; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="data:,">',
    `<title>${esc(p.title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    SVG_DEFS,
    p.body,
    p.data !== undefined ? `<script type="application/json" id="trace-data">${scriptJson(p.data)}</script>` : '',
    `<script>${clientScript(p.entry)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
