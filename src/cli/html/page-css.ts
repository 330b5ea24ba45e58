/**
 * The pages' style sheet. Meaning is never carried by colour alone (markers, letters, hatching
 * and text say the same); laptop widths get the diagram and the state side by side, narrower
 * screens one above the other; print shows every section without the controls.
 */
export const PAGE_CSS = `
:root { --fg:#1b1b1b; --muted:#5a5a5a; --line:#c8c8c8; --bg:#fff; --lane:#f6f6f6; --sel:#ffe08a; --bad:#a40000; --ok:#1d6b1d; --changed:#fff3c4; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 12px 20px 40px; max-width: 1600px; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.35em; margin: .3em 0; } h2 { font-size: 1.15em; margin: .2em 0; }
code, pre, .race text { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
.muted, .desc { color: var(--muted); }
.verdict-violated, .verdict-unreachable, .bad { color: var(--bad); font-weight: 600; }
.verdict-holds, .verdict-reached { color: var(--ok); }
section.violation { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 16px 0; }
section.violation:focus-within, section.violation:focus { outline: 2px solid #3a6ea5; }
.controls { display: flex; gap: 10px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
.controls button, .enabled button, .toolbar button { font: inherit; padding: 3px 10px; cursor: pointer; }
.trace-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(300px, 380px); gap: 12px; align-items: start; }
.diagram { overflow: auto; max-height: 78vh; border: 1px solid var(--line); }
.panel { position: sticky; top: 6px; max-height: 96vh; overflow: auto; border: 1px solid var(--line); padding: 6px 8px; }
.panel table { width: 100%; font-size: 12.5px; table-layout: fixed; }
.panel table th:first-child { width: 1.6em; } .panel table th:nth-child(2) { width: 58%; }
.panel th[scope=row], .panel td { font-weight: normal; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
tr.changed { background: var(--changed); font-weight: 700; }
td.mark { width: 1.2em; }
.was { font-weight: normal; color: var(--muted); }
pre.cline { white-space: pre-wrap; word-break: break-word; background: var(--lane); padding: 4px 6px; margin: 4px 0; }
.step-detail p { margin: 2px 0; overflow-wrap: anywhere; }
.race { display: block; }
.race .lane-bg { fill: var(--bg); } .race .lane-bg.odd { fill: var(--lane); }
.race .lane-name { font-size: 11.5px; font-weight: 700; }
.race .lane-line { stroke: var(--line); stroke-width: 1; }
.race .band { fill: transparent; }
.race .row { cursor: pointer; }
.race .row:hover .band { fill: #eef3fa; }
.race .row.sel .band { fill: var(--sel); stroke: #000; stroke-width: 1; }
.race .cursor { visibility: hidden; font-size: 12px; }
.race .row.sel .cursor { visibility: visible; }
.race .num { font-size: 11px; fill: var(--muted); }
.race .node { fill: #fff; stroke: #222; stroke-width: 1.2; }
.race .node-label { font-size: 11px; font-weight: 700; }
.race .violating .node { stroke: var(--bad); stroke-width: 3; }
.race .violating .node-label, .race .fail-text { fill: var(--bad); font-weight: 700; }
.race .code { font-size: 12px; white-space: pre; }
.race .code.init { fill: var(--muted); font-style: italic; }
.race .func { font-weight: 700; }
.race .lock line, .legend-lock { stroke: #333; stroke-width: 3; }
.race .lock-letter { font-size: 8.5px; font-weight: 700; }
.race .irqoff rect { stroke: #444; stroke-width: .8; }
.hatch-line { stroke: #555; stroke-width: 1.6; }
.legend-hatch { stroke: #444; stroke-width: .8; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 12.5px; margin: 6px 0; }
ul.legend li { display: flex; align-items: center; gap: 4px; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 10px 24px; }
.summary > div { min-width: 0; } .summary > .wide { grid-column: 1 / -1; } .summary code, .summary td { overflow-wrap: anywhere; }
.props { width: 100%; } .props td:nth-child(3), .props td:nth-child(4) { white-space: nowrap; }
.error { border: 2px solid var(--bad); padding: 8px 12px; margin: 10px 0; }
.error::before { content: '✗ '; font-weight: 700; color: var(--bad); }
.findings { border: 2px solid var(--bad); padding: 6px 10px; margin: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 12.5px; }
.enabled ul { list-style: none; padding: 0; margin: 4px 0; }
.enabled li { margin: 3px 0; }
.enabled button { text-align: left; width: 100%; }
.enabled .proc { font-weight: 700; }
.enabled .cl { display: block; font-family: ui-monospace, monospace; font-size: 12px; color: var(--muted); white-space: pre-wrap; }
.toolbar { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
@media (max-width: 1000px) { .trace-grid { grid-template-columns: minmax(0, 1fr); } .panel { position: static; max-height: none; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .controls, .toolbar, .enabled button, .noprint { display: none !important; }
  .trace-grid { grid-template-columns: minmax(0, 1fr); }
  .diagram, .panel { max-height: none; overflow: visible; border: 0; position: static; }
  section.violation { break-inside: auto; border: 0; border-top: 2px solid #000; border-radius: 0; }
  .race .row.sel .band { fill: none; stroke: #000; }
  tr.changed { background: none; }
}
`;
