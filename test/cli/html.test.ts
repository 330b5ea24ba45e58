/**
 * The HTML report and the explorer's pieces without a browser: escaping, lock / irq spans,
 * URL parsing, the explorer state, and the files `check --output x.html` and `explain --format
 * html` write (self-contained: no external reference of any kind).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { esc, scriptJson } from '../../src/cli/html/escape.js';
import { raceSvg } from '../../src/cli/html/race-svg.js';
import { IRQS_OFF, spans } from '../../src/cli/html/spans.js';
import { loadModel } from '../../src/cli/load.js';
import { explorerState } from '../../src/cli/serve/explorer-state.js';
import { BadLocation, parseLocation } from '../../src/cli/serve/location.js';
import { cli, FIXTURES, ROOT, tempDir } from './helpers.js';

const TINY = join(FIXTURES, 'tiny.mjs');

/** No way for the page to load anything: no src/href to another resource, no CSS import or url(). */
function assertSelfContained(html: string): void {
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none';[^"]*connect-src 'none'/);
  assert.doesNotMatch(html, /\ssrc=/i);
  assert.doesNotMatch(html, /<link(?![^>]*href="data:)[^>]*>/i);
  assert.doesNotMatch(html, /@import|url\((?!#)/i);
  // the only absolute URL is the SVG namespace, an identifier that is never fetched
  assert.deepEqual([...new Set(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [])], ['http://www.w3.org/2000/svg']);
}

describe('html: escaping', () => {
  test('markup and script-ending text are neutralised, the data survives', () => {
    assert.equal(esc(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const tricky = { line: '</script><!-- x < y \u2028' };
    const out = scriptJson(tricky);
    assert.doesNotMatch(out, /</);
    assert.deepEqual(JSON.parse(out), tricky);
  });
});

describe('html: lock and interrupt spans', () => {
  test('owner, rwlock reader mask and irqs_off fields become spans per process (derived by hand)', () => {
    const processes = ['A', 'B'];
    const states = [
      { 'L.owner': 0, 'R.readers': 0, 'A.irqs_off': 0 },
      { 'L.owner': 1, 'R.readers': 0, 'A.irqs_off': 1 },
      { 'L.owner': 1, 'R.readers': 3, 'A.irqs_off': 0 },
      { 'L.owner': 2, 'R.readers': 2, 'A.irqs_off': 0 },
    ];
    assert.deepEqual(spans(states, processes), [
      { process: 'A', what: IRQS_OFF, from: 1, to: 1 },
      { process: 'A', what: 'L', from: 1, to: 2 },
      { process: 'A', what: 'R (read)', from: 2, to: 2 },
      { process: 'B', what: 'R (read)', from: 2, to: 3 },
      { process: 'B', what: 'L', from: 3, to: 3 },
    ]);
  });

  test('an interrupt handler (a process with a cpu field) has interrupts off while not idle', () => {
    const states = [{ 'H.cpu': 0, 'H.pc': 'idle' }, { 'H.cpu': 0, 'H.pc': 'callback.run' }];
    assert.deepEqual(spans(states, ['H']), [{ process: 'H', what: IRQS_OFF, from: 1, to: 1 }]);
  });

  test('the diagram escapes the C text and draws one row per step plus the initial state', () => {
    const step = { index: 1, step: 's<1>', process: 'A', source: { file: 'f.c', func: 'f', line: 'if (a < b && c > d) x = "</svg>";' } };
    const svg = raceSvg({ lanes: ['A'], processes: ['A'], steps: [step], states: [{}, {}], failure: { property: 'p', message: 'm<' } });
    assert.doesNotMatch(svg.replace(/<\/?(svg|g|rect|text|tspan|title|line)\b[^>]*>/g, ''), /[<>]/);
    assert.equal(svg.match(/class="row[^"]*" data-k=/g)?.length, 2);
    assert.match(svg, /class="row step violating" data-k="1"/);
  });
});

describe('html: explorer URLs and state', () => {
  test('init and percent-encoded ids separated by literal commas', () => {
    assert.deepEqual(parseLocation(''), { init: 0, path: [] });
    assert.deepEqual(parseLocation('init=2&path=a%2Cb,c%3Ad'), { init: 2, path: ['a,b', 'c:d'] });
    for (const bad of ['init=-1', 'init=1e3', 'path=%zz', 'x=1', 'path=a,,b']) assert.throws(() => parseLocation(bad), BadLocation, bad);
  });

  test('the state at the end of a path: enabled steps, findings, a path the model cannot take', async () => {
    const { model } = await loadModel(TINY, {}, ROOT);
    const two = explorerState(model, { init: 0, path: ['inc', 'inc'] });
    // tiny (limit 3): `below` says x < 2, false once inc ran twice
    assert.deepEqual(two.here.map((h) => h.property), ['below']);
    assert.deepEqual(two.enabled.map((e) => e.id), ['inc']);
    assert.deepEqual(two.states.map((s) => s['x']), [0, 1, 2]);
    const end = explorerState(model, { init: 0, path: ['inc', 'inc', 'inc'] });
    assert.deepEqual(end.enabled, []);
    assert.ok(!end.here.some((h) => h.property === 'deadlock'), 'tiny declares every end state valid');
    assert.throws(() => explorerState(model, { init: 0, path: ['inc', 'inc', 'inc', 'inc'] }), /step 4 'inc' is not enabled/);
  });
});

describe('html: the report files', () => {
  test('check --output x.html infers the format and writes one self-contained page', () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.html');
    const r = cli(['check', TINY, '--no-timing', '--output', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /html report written to/);
    const html = readFileSync(file, 'utf8');
    assertSelfContained(html);
    // tiny (limit 3) breaks `below` after 2 steps: rows 0, 1, 2
    assert.equal(html.match(/class="row[^"]*" data-k=/g)?.length, 3);
    assert.match(html, /<td class="verdict-violated">violated \(2 steps\)<\/td>/);
  });

  test('explain --format html: the saved violations; a report missing its summary is bad input', () => {
    const dir = tempDir();
    const json = join(dir, 'tiny.json');
    assert.equal(cli(['check', TINY, '--no-timing', '--quiet', '--output', json]).code, 1);
    const r = cli(['explain', json, '--format', 'html', '--property', 'below']);
    assert.equal(r.code, 0, r.stderr);
    assertSelfContained(r.stdout);
    assert.match(r.stdout, /<section class="violation" id="trace-0" data-v="0"/);
    assert.match(r.stdout, /<a href="#trace-0"><code>below<\/code><\/a>/, 'the summary links the property to its trace');
    const stripped = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    delete stripped['stats'];
    writeFileSync(json, JSON.stringify(stripped));
    const bad = cli(['explain', json, '--format', 'html']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /lacks fields the HTML report needs/);
  });
});
