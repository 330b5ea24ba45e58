/**
 * The BEEM models (test/fixtures/beem, a copy of the workplace's shared/beem): every published (states,
 * transitions, BFS levels) triple of expected.csv reproduced exactly; deadlocks reported; the
 * compiled expand equal to the guard/apply steps; traces that replay; the CLI on a .dve file.
 * The whole folder is skipped (with a message) when the models are not there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explore, DEADLOCK_ID } from '../../src/engine/explore.js';
import type { Model } from '../../src/engine/model.js';
import { replay } from '../../src/engine/trace.js';
import { loadDve } from '../../src/dve/index.js';

/** The repository root (dist/test/dve/beem.test.js → ../../..). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// the vendored copy of shared/beem (test/fixtures/beem/README.md), so a clean clone runs the oracle
const BEEM = resolve(ROOT, 'test', 'fixtures', 'beem');
const MODELS = join(BEEM, 'models');
const present = existsSync(join(BEEM, 'expected.csv')) && existsSync(MODELS);
const skip = present ? false : `BEEM models not found at ${BEEM}`;

interface Row {
  readonly instance: string;
  readonly states: number;
  readonly transitions: number;
  readonly levels: number;
}

function expectedRows(): Row[] {
  const lines = readFileSync(join(BEEM, 'expected.csv'), 'utf8').trim().split(/\r?\n/);
  const head = lines[0]!.split(',');
  const col = (name: string): number => {
    const i = head.indexOf(name);
    assert.ok(i >= 0, `expected.csv has no column ${name}`);
    return i;
  };
  const [ci, cs, ct, cl] = [col('instance'), col('states'), col('transitions'), col('bfs_levels')];
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    return { instance: f[ci]!, states: Number(f[cs]), transitions: Number(f[ct]), levels: Number(f[cl]) };
  });
}

const model = (instance: string): Model => loadDve(join(MODELS, `${instance}.dve`));

test('expected.csv: every published instance has exactly its states, transitions and BFS levels', { skip }, async (t) => {
  const rows = expectedRows();
  assert.ok(rows.length >= 20, `only ${rows.length} rows in expected.csv`);
  for (const row of rows) {
    await t.test(row.instance, () => {
      const m = model(row.instance);
      const r = explore(m, { deadlock: false });
      assert.equal(r.complete, true);
      assert.deepEqual(
        { states: r.stats.states, transitions: r.stats.transitions, levels: r.stats.levels },
        { states: row.states, transitions: row.transitions, levels: row.levels },
      );
    });
  }
});

test('evaluation errors: with short-circuit evaluation no published instance ever meets one', { skip }, () => {
  for (const row of expectedRows()) {
    const m0 = model(row.instance);
    const counts = new Int32Array(4 * m0.steps.length);
    const m = loadDve(join(MODELS, `${row.instance}.dve`), { errorCounts: counts });
    explore(m, { deadlock: false });
    assert.equal(counts.reduce((a, b) => a + b, 0), 0, `${row.instance} meets evaluation errors`);
  }
});

test('evaluation errors: strict (non-short-circuit) evaluation does not reproduce the published counts', { skip }, () => {
  const rows = new Map(expectedRows().map((r) => [r.instance, r]));
  for (const inst of ['leader_filters.1', 'szymanski.1']) {
    const row = rows.get(inst)!;
    const m = loadDve(join(MODELS, `${inst}.dve`), { semantics: { lazy: false } });
    const r = explore(m, { deadlock: false });
    assert.ok(r.stats.states < row.states, `${inst}: strict evaluation gave ${r.stats.states} states`);
  }
  // ... and an error state as the successor of an erroneous transition adds one state
  const pet = rows.get('peterson.1')!;
  const m = loadDve(join(MODELS, 'peterson.1.dve'), { semantics: { lazy: false, guard: 'error-state' } });
  const r = explore(m, { deadlock: false });
  assert.equal(r.stats.states, pet.states + 1);
});

test('layout and steps follow the source: fields, groups, ids, sources', { skip }, () => {
  const file = join(MODELS, 'peterson.1.dve');
  const m = loadDve(file);
  assert.equal(m.name, 'peterson.1');
  assert.deepEqual(m.processes, ['P_0', 'P_1', 'P_2']);
  const names = m.schema.fields.map((f) => f.name);
  assert.deepEqual(names.slice(0, 8), ['pos[0]', 'pos[1]', 'pos[2]', 'step[0]', 'step[1]', 'step[2]', 'P_0.state', 'P_0.j']);
  const st = m.schema.field('P_1.state');
  assert.deepEqual(st.values, ['NCS', 'CS', 'wait', 'q2', 'q3']);
  assert.equal(st.group, 'P_1');
  assert.equal(m.schema.field('P_1.k').group, 'P_1');
  assert.equal(m.schema.field('pos[0]').group, undefined);
  assert.equal(m.steps.length, 21);
  assert.equal(m.steps[3]!.id, 'P_0: q3 -> q3');
  assert.equal(m.steps[3]!.process, 'P_0');
  assert.deepEqual(m.steps[3]!.source, { file, func: 'P_0', line: 'q3 -> q3 { guard k < 3 && (k == 0 || pos[k] < j); effect k = k+1;}' });
  assert.deepEqual(m.schema.decode(m.init()[0]!), Object.fromEntries(names.map((n) => [n, n.endsWith('.state') ? 'NCS' : 0])));
  // repeated endpoints get #2
  const anderson = model('anderson.2');
  assert.deepEqual(anderson.steps.slice(1, 3).map((s) => s.id), ['P_0: p1 -> p2', 'P_0: p1 -> p2 #2']);
  assert.equal(new Set(anderson.steps.map((s) => s.id)).size, anderson.steps.length);
  // anderson's Slot[3] = {1, 0, 0, 0}: the extra initial value is ignored, with a warning
  assert.match(String(anderson.info?.['warnings']), /anderson\.2\.dve:4:26: array Slot\[3\] has 4 initial values/);
  // int variables are 16-bit fields
  const adding = model('adding.1');
  const c = adding.schema.field('c');
  assert.deepEqual([c.width, c.min, c.max], [2, -32768, 32767]);
  assert.equal(adding.schema.get(adding.init()[0]!, c), 1);
});

/**
 * BFS over the first `limit` states using only guard/apply; in each state the successors that
 * expand emits (step index + bytes of dst at emit time) must equal the guard/apply ones.
 */
function compareExpand(m: Model, limit: number): number {
  const words = m.schema.words;
  const srcW = new Int32Array(words);
  const dstW = new Int32Array(words);
  const src = new Uint8Array(srcW.buffer);
  const dst = new Uint8Array(dstW.buffer);
  const ctx = { fail: (): void => assert.fail('DVE steps raise no assertion') };
  const seen = new Map<string, Uint8Array>();
  const queue: Uint8Array[] = [];
  const key = (s: Uint8Array): string => Buffer.from(s).toString('hex');
  for (const s of m.init()) {
    seen.set(key(s), s);
    queue.push(s);
  }
  let edges = 0;
  for (let qi = 0; qi < queue.length && qi < limit; qi++) {
    const s = queue[qi]!;
    const viaSteps: string[] = [];
    m.steps.forEach((st, i) => {
      if (!st.guard(s)) return;
      const next = s.slice();
      if (st.apply(next, ctx) === false) return;
      viaSteps.push(`${i}:${key(next)}`);
      if (!seen.has(key(next))) {
        seen.set(key(next), next);
        queue.push(next);
      }
    });
    const viaExpand: string[] = [];
    src.set(s);
    dst.fill(0xee);
    m.expand!(src, dst, ctx, (i) => {
      viaExpand.push(`${i}:${key(dst)}`);
      return true;
    });
    assert.deepEqual(viaExpand, viaSteps, `state ${qi} ${JSON.stringify(m.schema.decode(s))}`);
    assert.deepEqual(src, s, 'expand must not modify its source');
    edges += viaSteps.length;
    // emit returning false stops the expansion at once
    if (viaSteps.length > 1) {
      let calls = 0;
      m.expand!(src, dst, ctx, () => ++calls < 1);
      assert.equal(calls, 1);
    }
  }
  return edges;
}

test('compiled expand equals looping over guard/apply (same steps, same bytes, same order)', { skip }, async (t) => {
  for (const inst of ['peterson.1', 'telephony.1', 'elevator2.1', 'adding.1', 'leader_filters.1', 'hanoi.1', 'blocks.2', 'szymanski.1', 'msmie.1']) {
    await t.test(inst, () => {
      const edges = compareExpand(model(inst), 3000);
      assert.ok(edges > 0);
    });
  }
});

test('exploring with the guard/apply steps alone gives the same counts as with expand', { skip }, () => {
  for (const inst of ['telephony.1', 'elevator2.1', 'bakery.1']) {
    const m = model(inst);
    const plain: Model = { ...m, expand: undefined };
    const a = explore(m, { deadlock: false });
    const b = explore(plain, { deadlock: false });
    assert.deepEqual([b.stats.states, b.stats.transitions, b.stats.levels], [a.stats.states, a.stats.transitions, a.stats.levels]);
  }
});

test('deadlocks: phils.1 deadlocks after every philosopher took the left fork; the trace replays', { skip }, () => {
  const m = model('phils.1');
  const r = explore(m);
  assert.equal(r.status, 'violation');
  const v = r.violations[0]!;
  assert.equal(v.property, DEADLOCK_ID);
  const trace = v.trace!;
  assert.equal(trace.steps.length, 4);
  assert.deepEqual(new Set(trace.steps.map((s) => s.step.replace(/^phil_\d+: /, ''))), new Set(['think -> one']));
  const last = trace.states[trace.states.length - 1]!;
  for (let i = 0; i < 4; i++) {
    assert.equal(last[`phil_${i}.state`], 'one');
    assert.equal(last[`fork[${i}]`], 1);
  }
  const again = replay(m, trace.steps.map((s) => s.step), trace.initial, trace.states);
  assert.deepEqual(again.trace.states, trace.states);
  // mutual exclusion protocols do not deadlock
  for (const inst of ['peterson.1', 'anderson.2']) assert.equal(explore(model(inst)).status, 'pass', inst);
});

test('an always property on a DVE model: its counterexample is a shortest trace that replays', { skip }, () => {
  const m = model('peterson.1');
  const S = m.schema;
  const states = ['P_0', 'P_1', 'P_2'].map((p) => S.field(`${p}.state`));
  const cs = states[0]!.values!.indexOf('CS');
  // not a real violation (mutual exclusion holds): "nobody ever reaches CS" fails
  const withProp: Model = {
    ...m,
    properties: [{ kind: 'always', id: 'no-cs', description: 'no process in CS', check: (s) => states.every((f) => s[f.offset] !== cs) }],
  };
  const r = explore(withProp, { deadlock: false });
  const v = r.violations.find((x) => x.property === 'no-cs')!;
  assert.ok(v, 'the property must fail');
  const ids = v.trace!.steps.map((s) => s.step);
  assert.ok(ids.length > 5);
  const again = replay(withProp, ids, v.trace!.initial, v.trace!.states);
  const end = again.trace.states[again.trace.states.length - 1]!;
  assert.ok(['P_0', 'P_1', 'P_2'].some((p) => end[`${p}.state`] === 'CS'));
  // shortest: no state in CS within one step less
  assert.equal(explore(withProp, { deadlock: false, maxDepth: ids.length - 1 }).violations.length, 0);
  // and mutual exclusion itself holds
  const mutex: Model = {
    ...m,
    properties: [{ kind: 'always', id: 'mutex', description: 'at most one process in CS', check: (s) => states.filter((f) => s[f.offset] === cs).length <= 1 }],
  };
  assert.equal(explore(mutex, { deadlock: false }).status, 'pass');
});

test('CLI: check <file.dve> --format json --no-deadlock prints the counts', { skip }, () => {
  const bin = join(ROOT, 'bin', 'xentimer-check.js');
  // the published counts are those of the full search (partial-order reduction is on by default for .dve files)
  const r = spawnSync(process.execPath, [bin, 'check', join(MODELS, 'peterson.1.dve'), '--format', 'json', '--no-deadlock', '--no-por'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { status: string; stats: { states: number; transitions: number; levels: number }; model: { name: string; origin: string } };
  assert.equal(out.status, 'pass');
  assert.deepEqual([out.model.origin, out.model.name], ['dve', 'peterson.1']);
  const row = expectedRows().find((x) => x.instance === 'peterson.1')!;
  assert.deepEqual([out.stats.states, out.stats.transitions, out.stats.levels], [row.states, row.transitions, row.levels]);
});
