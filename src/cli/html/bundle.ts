/**
 * The page scripts: the functions of client/ are written in TypeScript against the DOM, compiled
 * with the rest, and inlined into a page as their own source text (Function.prototype.toString),
 * so the HTML needs no file, bundler or network. Client functions therefore refer only to each
 * other (same names at top level of the inlined script) and to browser globals.
 */
import * as explorer from './client/explorer.js';
import * as report from './client/report.js';
import * as view from './client/trace-view.js';

type Entry = 'initReport' | 'initExplorer';

const MODULES: Readonly<Record<Entry, readonly object[]>> = {
  initReport: [view, report],
  initExplorer: [view, explorer],
};

function sources(modules: readonly object[]): string[] {
  const out: string[] = [];
  for (const m of modules) for (const f of Object.values(m)) if (typeof f === 'function') out.push(String(f));
  return out;
}

/** The script of a page: its functions, then the call of its entry point, in a strict-mode closure. */
export function clientScript(entry: Entry): string {
  const body = sources(MODULES[entry]).join('\n\n');
  // a `</script` inside the code would end the element early
  return `(function () {\n'use strict';\n${body}\n\n${entry}();\n})();`.replace(/<\/script/gi, '<\\/script');
}
