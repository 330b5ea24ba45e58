/**
 * Loading the engine (explore and the DVE reader, what a plain search loads) does not load
 * node:crypto or node:worker_threads: checkpoints and worker threads load them when used
 * (src/engine/builtins.ts), and a search that needs neither does not pay for them at start-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const explore = new URL('../../src/engine/explore.js', import.meta.url).href;
const dve = new URL('../../src/dve/index.js', import.meta.url).href;
const builtins = new URL('../../src/engine/builtins.js', import.meta.url).href;

function loadedAfter(code: string): string[] {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `${code}\nconsole.log(JSON.stringify(process.moduleLoadList ?? null));`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as string[] | null;
  assert.ok(Array.isArray(list), 'process.moduleLoadList is available');
  return list.filter((m) => /\b(crypto|worker_threads)\b/.test(m));
}

test('importing the engine loads neither node:crypto nor node:worker_threads; asking for them does', () => {
  assert.deepEqual(loadedAfter(`await import('${explore}'); await import('${dve}');`), []);
  const used = loadedAfter(`const b = await import('${builtins}'); b.crypto().createHash('sha256'); b.workerThreads().MessageChannel;`);
  assert.ok(used.some((m) => m.includes('crypto')), used.join(', '));
  assert.ok(used.some((m) => m.includes('worker_threads')), used.join(', '));
});
