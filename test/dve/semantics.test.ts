/**
 * DVE semantics on small hand-written models whose reachable states are known by hand:
 * effect order, C arithmetic and precedence, 16-bit ints, Proc.state, committed states,
 * constants, and the evaluation-error rule (short-circuit; a guard error disables, an effect
 * error drops the transition). Every model is also checked expand == guard/apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import type { Model } from '../../src/engine/model.js';
import type { Value } from '../../src/engine/schema.js';
import { compileDve, parseDve, type CompileOptions } from '../../src/dve/index.js';

function dve(text: string, options: CompileOptions = {}, check = true): Model {
  const m = compileDve(parseDve(text, 't.dve'), 't', 't.dve', options);
  if (check) checkExpand(m);
  return m;
}

/** Every reachable state (decoded), in BFS order, using guard/apply. */
function reachable(m: Model): Record<string, Value>[] {
  const seen = new Set<string>();
  const queue: Uint8Array[] = [];
  const key = (s: Uint8Array): string => Buffer.from(s).toString('hex');
  for (const s of m.init()) if (!seen.has(key(s))) (seen.add(key(s)), queue.push(s));
  const ctx = { fail: (): void => undefined };
  for (let i = 0; i < queue.length; i++) {
    for (const st of m.steps) {
      if (!st.guard(queue[i]!)) continue;
      const n = queue[i]!.slice();
      if (st.apply(n, ctx) === false) continue;
      if (!seen.has(key(n))) (seen.add(key(n)), queue.push(n));
    }
  }
  return queue.map((s) => m.schema.decode(s));
}

/** expand emits exactly the guard/apply successors in every reachable state (aligned and misaligned buffers). */
function checkExpand(m: Model): void {
  const size = m.schema.size;
  const buffers = [
    [new Uint8Array(new Int32Array(m.schema.words).buffer), new Uint8Array(new Int32Array(m.schema.words).buffer)],
    [new Uint8Array(new ArrayBuffer(size + 3), 1, size), new Uint8Array(new ArrayBuffer(size + 3), 3, size)],
  ] as const;
  const key = (s: Uint8Array): string => Buffer.from(s).toString('hex');
  const seen = new Set<string>();
  const queue = m.init();
  queue.forEach((s) => seen.add(key(s)));
  const ctx = { fail: (): void => undefined };
  for (let i = 0; i < queue.length && i < 5000; i++) {
    const s = queue[i]!;
    const want: string[] = [];
    m.steps.forEach((st, k) => {
      if (!st.guard(s)) return;
      const n = s.slice();
      if (st.apply(n, ctx) === false) return;
      want.push(`${k}:${key(n)}`);
      if (!seen.has(key(n))) (seen.add(key(n)), queue.push(n));
    });
    for (const [src, dst] of buffers) {
      src.set(s);
      const got: string[] = [];
      m.expand!(src, dst, ctx, (k) => (got.push(`${k}:${key(dst)}`), true));
      assert.deepEqual(got, want);
    }
  }
}

function counts(m: Model): [number, number] {
  const r = explore(m, { deadlock: false });
  return [r.stats.states, r.stats.transitions];
}

const one = (body: string, decls = ''): string => `${decls}\nprocess P { state a, b; init a; trans a -> b { ${body} }; }\nsystem async;\n`;
const final = (m: Model): Record<string, Value> => {
  const all = reachable(m);
  return all[all.length - 1]!;
};

test('effects run left to right, each seeing the previous ones', () => {
  const m = dve(one('effect x = 1, y = x + 1, x = y * 10, a[x - 19] = x;', 'byte x, y; byte a[3];'));
  assert.deepEqual(final(m), { x: 20, y: 2, 'a[0]': 0, 'a[1]': 20, 'a[2]': 0, 'P.state': 'b' });
});

test('arithmetic: C division and modulo (truncation toward zero), constant and computed', () => {
  const m = dve(
    one('effect q = -7 / 2, r = -7 % 2, u = 7 / -2, v = 7 % -2, w = n / 2, z = n % 2, p = n / d, o = n % d;', 'int q, r, u, v, w, z, p, o; int n = -7; int d = -2;'),
  );
  assert.deepEqual(final(m), { q: -3, r: -1, u: -3, v: 1, w: -3, z: -1, p: 3, o: -1, n: -7, d: -2, 'P.state': 'b' });
});

test('precedence and operators: * before +, + before <<, == before &, words and/or/not/imply', () => {
  const m = dve(
    one(
      'effect a = 1 + 2 * 3, b = (1 + 2) * 3, c = 1 << 2 + 1, d = 6 & 3 == 3, e = 1 | 2 ^ 3, f = ~0 & 255, g = - 3 + 5, h = 2 < 3 == 1, i = 0 imply 0, j = 1 imply 0, k = not 1 or 1 and 0, l = !(2 > 3) && true, m = 17 >> 2, n = 5 - 3 - 1, o = 100 / 10 / 5;',
      'byte a, b, c, d, e, f, h, i, j, k, l, m, n, o; int g;',
    ),
  );
  assert.deepEqual(final(m), { a: 7, b: 9, c: 8, d: 0, e: 1, f: 255, h: 1, i: 1, j: 0, k: 0, l: 1, m: 4, n: 1, o: 2, g: 2, 'P.state': 'b' });
});

test('int is signed 16-bit: negative values, int arrays with computed indices', () => {
  const m = dve(`
int n = -5;
int a[3] = {-1, 300, -32768};
byte i;
process P {
  state s;
  init s;
  trans s -> s { guard i < 3; effect a[i] = a[i] + n * 100, i = i + 1; };
}
system async;
`);
  const all = reachable(m);
  assert.equal(all.length, 3);
  // a[2] - 500 leaves the int range: that transition is dropped, so i stops at 2
  assert.deepEqual(all[all.length - 1], { n: -5, 'a[0]': -501, 'a[1]': -200, 'a[2]': -32768, i: 2, 'P.state': 's' });
  assert.equal(m.schema.field('a[1]').width, 2);
  assert.equal(m.schema.field('i').width, 1);
});

test('Proc.state and Proc.var: other processes’ control states and locals in guards', () => {
  const m = dve(`
process P { byte x = 3; state a, b; init a; trans a -> b {}; }
process Q { byte y; state a, b; init a; trans a -> b { guard P.b && P.x == 3; effect y = P.x + 1; }; }
system async;
`);
  const all = reachable(m);
  assert.equal(all.length, 3);
  assert.deepEqual(all[2], { 'P.state': 'b', 'P.x': 3, 'Q.state': 'b', 'Q.y': 4 });
  assert.deepEqual(counts(m), [3, 2]);
});

test('committed states: while a process is in one, only committed processes move', () => {
  const base = (commit: string, guard = ''): string => `
byte x;
process P { state a, b, c; init a; ${commit} trans a -> b { effect x = 1; }, b -> c { ${guard} effect x = 2; }; }
process Q { state a, b; init a; trans a -> b {}; }
system async;
`;
  assert.deepEqual(counts(dve(base(''))), [6, 7]);
  // (b, a): Q may not move while P is in committed b
  const m = dve(base('commit b;'));
  assert.deepEqual(counts(m), [6, 6]);
  assert.equal(m.info?.['commit'], 'P.b');
  // a committed process that cannot move blocks everyone: a deadlock
  const stuck = dve(base('commit b;', 'guard x == 5;'));
  const r = explore(stuck);
  assert.equal(r.status, 'violation');
  assert.deepEqual(r.violations[0]!.trace!.states.at(-1), { x: 1, 'P.state': 'b', 'Q.state': 'a' });
  // two committed processes may interleave
  const two = dve(`
process P { state a, b, c; init a; commit b; trans a -> b {}, b -> c {}; }
process Q { state a, b, c; init a; commit b; trans a -> b {}, b -> c {}; }
system async;
`);
  // (a,a) (b,a) (a,b) ; from (b,a) only P: (c,a); (a,b) only Q: (a,c); (c,a)->(c,b)->(c,c); (a,c)->(b,c)->(c,c)
  assert.deepEqual(counts(two), [8, 8]);
  // accepting states are recorded only
  const acc = dve(`process P { state a, b; init a; accept b; trans a -> b {}; }\nsystem async;\n`);
  assert.equal(acc.info?.['accept'], 'P.b');
  assert.deepEqual(counts(acc), [2, 1]);
});

test('constants and constant arrays: folded, usable as sizes and (dynamically) indexed', () => {
  const m = dve(`
const byte N = 3;
const int K[N] = {5, -6, 7};
byte a[N + 1];
byte i;
int s;
process P {
  state q;
  init q;
  trans q -> q { guard i < N; effect s = s + K[i], a[i] = i + N, i = i + 1; },
        q -> q { guard i == N; effect s = s + K[i], i = 0; };
}
system async;
`);
  const all = reachable(m);
  // the second transition reads K[3]: an index error, so it never happens
  assert.deepEqual(all[all.length - 1], { 'a[0]': 3, 'a[1]': 4, 'a[2]': 5, 'a[3]': 0, i: 3, s: 6, 'P.state': 'q' });
  assert.equal(m.schema.fields.some((f) => f.name === 'N' || f.name.startsWith('K')), false);
});

test('evaluation errors: && || imply short-circuit, a guard error disables the transition', () => {
  const decls = 'byte a[2]; byte i = 2; byte z;';
  const errors = (body: string): [number, number, number] => {
    const probe = dve(one(body, decls));
    const c = new Int32Array(4 * probe.steps.length);
    const m = dve(one(body, decls), { errorCounts: c }, false);
    const [s, t] = counts(m);
    return [s, t, c.reduce((x, y) => x + y, 0)];
  };
  assert.deepEqual(errors('guard i < 2 && a[i] == 0;'), [1, 0, 0]);
  assert.deepEqual(errors('guard i >= 2 || a[i] == 0;'), [2, 1, 0]);
  assert.deepEqual(errors('guard i < 2 imply a[i] == 0;'), [2, 1, 0]);
  assert.deepEqual(errors('guard a[i] == 0;'), [1, 0, 1]);
  assert.deepEqual(errors('guard a[i] != 0;'), [1, 0, 1]);
  assert.deepEqual(errors('guard not (a[i] == 0);'), [1, 0, 1]);
  assert.deepEqual(errors('guard 1 / z == 0;'), [1, 0, 1]);
  assert.deepEqual(errors('guard 1 % z == 0;'), [1, 0, 1]);
  // a constant index out of bounds is always an error: refused when the model is read (issue 13)
  assert.throws(() => dve(one('guard a[5] == 0;', decls)), /index 5 is out of bounds for an array of 2/);
  assert.deepEqual(errors('guard a[i - 3] == 0;'), [1, 0, 1]);
  // strict evaluation (an experiment, not DiVinE): the right operand is evaluated and fails
  const strict = dve(one('guard i >= 2 || a[i] == 0;', decls), { semantics: { lazy: false } });
  assert.deepEqual(counts(strict), [1, 0]);
});

test('evaluation errors: an effect error (index, division, range) drops the transition', () => {
  const decls = 'byte a[2]; byte i = 2; byte z; byte x = 255; int n = 32767;';
  const run = (body: string): [number, number] => counts(dve(one(body, decls)));
  assert.deepEqual(run('effect a[i] = 1;'), [1, 0]);
  assert.deepEqual(run('effect z = a[i];'), [1, 0]);
  assert.deepEqual(run('effect z = 1 / z;'), [1, 0]);
  assert.deepEqual(run('effect x = x + 1;'), [1, 0]);
  assert.deepEqual(run('effect z = z - 1;'), [1, 0]);
  assert.deepEqual(run('effect z = 256;'), [1, 0]);
  assert.deepEqual(run('effect n = n + 1;'), [1, 0]);
  assert.deepEqual(run('effect n = -n - 2;'), [1, 0]);
  assert.deepEqual(run('effect n = -n - 1;'), [2, 1]);
  assert.deepEqual(run('effect x = x - 1, z = x;'), [2, 1]);
  // an error after earlier assignments still drops the whole transition
  assert.deepEqual(run('effect z = 1, a[i] = 1;'), [1, 0]);
  // guard/apply agree: apply returns false
  const m = dve(one('effect x = x + 1;', decls));
  const s = m.init()[0]!;
  assert.equal(m.steps[0]!.guard(s), true);
  assert.equal(m.steps[0]!.apply(s.slice(), { fail: () => undefined }), false);
  // the wrap alternative (an experiment): 255 + 1 stores 0
  const wrap = dve(one('effect x = x + 1, n = n + 1;', decls), { semantics: { range: 'wrap' } });
  assert.deepEqual(final(wrap), { 'a[0]': 0, 'a[1]': 0, i: 2, z: 0, x: 0, n: -32768, 'P.state': 'b' });
});

test('evaluation errors: the error-state alternative (an experiment) adds one terminal state', () => {
  const m = dve(one('effect x = x + 1;', 'byte x = 255;'), { semantics: { range: 'error-state' } });
  assert.deepEqual(counts(m), [2, 1]);
  const all = reachable(m);
  assert.deepEqual(all[1], { x: 0, 'P.state': 'a', $error: true });
});

test('true/false, hex literals, comments, a process without transitions', () => {
  const m = dve(`
/* block
   comment */ byte x = 0x10; // line comment
process Idle { state s; init s; }
process P { state a, b; init a; trans a -> b { guard true && !false; effect x = x + 0x0f; }; }
system async;
`);
  assert.deepEqual(final(m), { x: 31, 'Idle.state': 's', 'P.state': 'b' });
  assert.equal(m.steps.length, 1);
  assert.deepEqual(m.steps[0]!.source, { file: 't.dve', func: 'P', line: 'a -> b { guard true && !false; effect x = x + 0x0f; }' });
});

test('transition source text: comments dropped, whitespace collapsed', () => {
  const m = dve(`byte x;
process P { state a, b; init a; trans
  a -> b {   guard x == 0 ; // why
      effect x = 1 /* set */ ;
  };
}
system async;
`);
  assert.equal(m.steps[0]!.source.line, 'a -> b { guard x == 0 ; effect x = 1 ; }');
});

test('a large model: expand is split into one function per group of processes, same successors', () => {
  const N = 40;
  const procs = Array.from({ length: N }, (_, i) => {
    const pad = Array.from({ length: 8 }, (_, k) => `a -> b { guard tok == ${i} && big[${k}] == ${k + 1} && x > ${k}; effect x = x - 1, big[${k}] = 0; }`);
    return `process W_${i} { state a, b; init a; trans a -> a { guard tok == ${i}; effect tok = (tok + 1) % ${N}, x = (x + ${i}) % 7; },\n ${pad.join(',\n ')},\n b -> a { effect x = x + 1; }; }`;
  });
  const m = dve(`byte tok, x; byte big[8];\n${procs.join('\n')}\nsystem async;\n`);
  assert.equal(m.steps.length, N * 10);
  const r = explore(m, { deadlock: false });
  // the compiled expand (split into parts for a model this size) gives the steps' exploration
  const stepwise = explore({ ...m, expand: undefined }, { deadlock: false });
  assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.levels], [stepwise.stats.states, stepwise.stats.transitions, stepwise.stats.levels]);
  // by hand: big[] is 0, so no `a -> b` guard ever holds and each state has one successor (the
  // a -> a step of process tok): one cycle through (tok, x). A round of N steps adds
  // 0 + 1 + ... + (N-1) = 780 = 3 (mod 7) to x, and 3 generates Z/7, so the cycle has 7N states
  assert.equal(r.stats.transitions, r.stats.states);
  assert.equal(r.stats.states, 7 * N);
  // emit returning false stops at once, also from inside a part
  const s = m.init()[0]!;
  const d = new Uint8Array(s.length);
  let calls = 0;
  m.expand!(s, d, { fail: () => undefined }, () => (++calls, false));
  assert.equal(calls, 1);
});
