/** bench/deopt-log.ts: reading V8's --trace-deopt-verbose log (lines taken from a real run of loyd.2, before the JIT rehearsals). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inSearchLoop, parseDeopts } from '../../bench/deopt-log.js';

const LOG = [
  'some output of the run',
  '[bailout (kind: deopt-eager, reason: Insufficient type feedback for generic named access): begin. deoptimizing 0x263a382420c9 <JSFunction emitPlain (sfi = 0x9ca84efd071)>, 0x03e5aed93281 <Code TURBOFAN>, opt id 6, bytecode offset 322, deopt exit 28, FP to SP delta 200, caller SP 0x7fffd6cb4b80, pc 0x7f9d73009ca9]',
  '            ;;; deoptimize at <file:///work/x/dist/src/engine/packed-store.js:110:18> inlined at <file:///work/x/dist/src/engine/search/state.js:227:20>',
  '  reading input frame emitPlain => bytecode_offset=322, args=2, height=9, retval=0(#0); inputs:',
  '[bailout end. took 0.935 ms]',
  '[bailout (kind: deopt-eager, reason: Insufficient type feedback for generic named access): begin. deoptimizing 0x263a38244721 <JSFunction insert (sfi = 0x9ca84ef3589)>, 0x03e5aed913b9 <Code TURBOFAN>, opt id 5, bytecode offset 129, deopt exit 25, FP to SP delta 176, caller SP 0x7fffd6cb4b40, pc 0x7f9d73008be7]',
  '            ;;; deoptimize at <file:///work/x/dist/src/engine/packed-store.js:99:18>',
  '[bailout (kind: deopt-eager, reason: Insufficient type feedback for generic keyed access): begin. deoptimizing 0x19b7300a5a79 <JSFunction (sfi = 0x52a18916d91)>, 0x381b20d92711 <Code TURBOFAN>, opt id 120, bytecode offset 47, deopt exit 6, FP to SP delta 32, caller SP 0x7ffeb9fc8ab8, pc 0x7f03f00975ec]',
  '            ;;; deoptimize at <unknown:5:40> inlined at <unknown:4:42>',
].join('\n');

test('parseDeopts: reason, function and positions (relative to the checkout), outermost last', () => {
  const ds = parseDeopts(LOG, '/work/x');
  assert.deepEqual(ds, [
    { reason: 'Insufficient type feedback for generic named access', function: 'emitPlain', at: ['dist/src/engine/packed-store.js:110:18', 'dist/src/engine/search/state.js:227:20'] },
    { reason: 'Insufficient type feedback for generic named access', function: 'insert', at: ['dist/src/engine/packed-store.js:99:18'] },
    { reason: 'Insufficient type feedback for generic keyed access', function: '', at: ['unknown:5:40', 'unknown:4:42'] },
  ]);
  // the first threw away the search loop's emit; the second only the store's insert; the third a generated function
  assert.deepEqual(ds.map(inSearchLoop), [true, false, false]);
});

const script = fileURLToPath(new URL('../../bench/deopts.js', import.meta.url));

test('bench:deopts --only loyd.2: one workload, its state count (BEEM large.csv) and its deoptimisations, parsed and classified', () => {
  const r = spawnSync(process.execPath, [script, '--only', 'loyd.2'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { workloads: { name: string; states: number; searchLoop: number; other: number; deopts: { reason: string; at: string[] }[] }[] };
  assert.equal(out.workloads.length, 1);
  const w = out.workloads[0]!;
  assert.equal(w.name, 'loyd.2');
  assert.equal(w.states, 362880);
  assert.equal(w.searchLoop + w.other, w.deopts.length);
  assert.equal(w.searchLoop, w.deopts.filter((d) => d.at.some((p) => p.includes('src/engine/search/'))).length);
  for (const d of w.deopts) assert.ok(d.reason.length > 0 && d.at.length > 0);
});

test('bench:deopts: an unknown workload in --only is exit 2, with the known ones named', () => {
  const r = spawnSync(process.execPath, [script, '--only', 'nosuch'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown workload in --only \(known: loyd\.2, hanoi\.2, peterson\.4, xen, xen --no-por\)/);
});
