/**
 * The reduction's cost per state, apart from the search around it (`npm run bench:por`):
 * one search of the Xen model (proposed-fix; default bounds, or --ops / --invalidations) records
 * what StubbornSets.choose is given in every state — the state, its enabled steps, their successors
 * and assertions — and then the recorded states are given again, --reps times, to a fresh
 * StubbornSets (the choice as a whole), to the memo alone (ChoiceKeys + KeyedChoiceCache, the
 * states with more than one edge), and to the visibility test alone (PorAnalysis.visible on the
 * edges of the sets the choice took, in the states where it took fewer than all). Best and median
 * nanoseconds per recorded state, and `net` of the replay's own cost (loading a recorded state and
 * its edges: `harness`); the choice's cut count shows it chose what the search did. One JSON
 * object on stdout. Timing never decides a test.
 *
 *   npm run bench:por                                     default bounds, 5 repetitions
 *   npm run bench:por -- --ops 6 --invalidations 2 --limit 1000000 --reps 3
 */
import { buildRegistered } from '../models/index.js';
import { explore } from '../src/engine/explore.js';
import { ChoiceKeys } from '../src/engine/reduce/choice-key.js';
import { KeyedChoiceCache } from '../src/engine/reduce/choice-cache.js';
import { PorAnalysis, SourceMemo } from '../src/engine/reduce/por.js';
import { StubbornSets } from '../src/engine/reduce/stubborn.js';
import { argValue } from './common.js';

interface Recorded {
  src: Uint8Array;
  steps: Int32Array;
  succ: Uint8Array[];
  failed: Uint8Array;
}

const reps = Math.max(1, Number(argValue('--reps') ?? '5'));
const limit = Number(argValue('--limit') ?? '1000000');
const params: Record<string, string | number> = { variant: 'proposed-fix' };
for (const name of ['ops', 'invalidations']) if (argValue(`--${name}`) !== undefined) params[name] = Number(argValue(`--${name}`));
const model = buildRegistered({ name: 'xen-timer', params });

/** The search, with choose() recording its input (the first `limit` states). */
function record(): Recorded[] {
  const rec: Recorded[] = [];
  const choose = StubbornSets.prototype.choose;
  StubbornSets.prototype.choose = function (this: StubbornSets, src, steps, n, succ, failed, out) {
    if (rec.length < limit) rec.push({ src: src.slice(), steps: steps.slice(0, n), succ: Array.from({ length: n }, (_, k) => succ[k]!.slice()), failed: failed.slice(0, n) });
    return choose.call(this, src, steps, n, succ, failed, out);
  };
  try {
    explore(model, { por: true, allViolations: true });
  } finally {
    StubbornSets.prototype.choose = choose;
  }
  return rec;
}

const rec = record();
const build = PorAnalysis.build(model);
if (!build.ok) throw new Error(`no reduction: ${build.reason}`);
const a = build.analysis;
const procs = new Map(model.processes.map((p, k) => [p, k]));
const procOf = Int32Array.from(model.steps, (st) => procs.get(st.process) ?? -1);
const invariants = model.properties.filter((p) => p.kind === 'always').length;
const src = new Uint8Array(rec[0]!.src.length);
const out = new Int32Array(model.steps.length);
/** Per recorded state: the set the choice took (null: every edge). */
const chosen: (Int32Array | null)[] = [];

/** The choice as a whole on a fresh StubbornSets; the number of states it cut. */
function chooseAll(): number {
  const por = new StubbornSets(a, procOf, model.steps.length, new Uint8Array(invariants));
  const keep = chosen.length === 0;
  for (const r of rec) {
    src.set(r.src);
    const m = por.choose(src, r.steps, r.steps.length, r.succ, r.failed, out);
    if (keep) chosen.push(m < r.steps.length ? out.slice(0, m) : null);
  }
  return por.reduced;
}

/** The memo alone (a fresh one), in the states with more than one edge; the number of hits. */
function memoOnly(): number {
  const keys = ChoiceKeys.of(a);
  if (keys === null) return -1;
  const cache = new KeyedChoiceCache();
  for (const r of rec) {
    const n = r.steps.length;
    if (n < 2) continue;
    src.set(r.src);
    const key = keys.key(src, r.steps, n);
    if (key >= 0 && cache.get(key, n, out) < 0) cache.put(key, n, out, n);
  }
  return cache.hits;
}

/** The visibility test alone on the edges of the sets the choice took; the number of visible edges. */
function visibilityOnly(): number {
  const memo = new SourceMemo(a.componentInvariant, new Uint8Array(invariants));
  let visible = 0;
  for (let s = 0; s < rec.length; s++) {
    const set = chosen[s];
    if (!set) continue;
    const r = rec[s]!;
    src.set(r.src);
    memo.next();
    for (let j = 0; j < set.length; j++) {
      const e = set[j]!;
      if (a.visible(r.steps[e]!, src, r.succ[e]!, r.failed[e] === 1, memo)) visible++;
    }
  }
  return visible;
}

/** The replay's own cost: loading each recorded state and its edges (subtracted from the others: `net`). */
function harness(): number {
  let sum = 0;
  for (let s = 0; s < rec.length; s++) {
    const r = rec[s]!;
    src.set(r.src);
    const set = chosen[s];
    sum += r.steps.length + r.failed.length + r.succ.length + (set ? set.length : 0) + src[0]!;
  }
  return sum;
}

/** Best and median nanoseconds per recorded state of `f` over `reps` runs, and its last result. */
function time(f: () => number): { bestNs: number; medianNs: number; result: number } {
  const ns: number[] = [];
  let result = 0;
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    result = f();
    ns.push(((performance.now() - t0) * 1e6) / rec.length);
  }
  ns.sort((x, y) => x - y);
  return { bestNs: Number(ns[0]!.toFixed(1)), medianNs: Number(ns[ns.length >> 1]!.toFixed(1)), result };
}

const whole = time(chooseAll);
const memo = time(memoOnly);
const vis = time(visibilityOnly);
const base = time(harness);
const net = (t: { bestNs: number }): number => Number(Math.max(0, t.bestNs - base.bestNs).toFixed(1));
process.stdout.write(
  JSON.stringify(
    {
      model: 'xen-timer',
      params,
      reps,
      states: rec.length,
      harness: { bestNs: base.bestNs, medianNs: base.medianNs },
      choose: { bestNs: whole.bestNs, medianNs: whole.medianNs, netNs: net(whole), cut: whole.result },
      memo: { bestNs: memo.bestNs, medianNs: memo.medianNs, netNs: net(memo), hits: memo.result },
      visibility: { bestNs: vis.bestNs, medianNs: vis.medianNs, netNs: net(vis), visibleEdges: vis.result },
    },
    null,
    2,
  ) + '\n',
);
