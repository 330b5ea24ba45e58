/**
 * The CLI's start-up path: which command lines start the search thread first of all (main.ts),
 * that a thread started early gives the search the same result as one started for the job, and
 * that an unused one does not keep the process alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAMES, namedCommand, runsCheck } from '../../src/cli/command-names.js';
import { commandNames } from '../../src/cli/program.js';
import { exploreInWorker, startSearchThread, stopFlag } from '../../src/cli/search-host.js';
import { explore } from '../../src/engine/explore.js';
import { loadDve } from '../../src/dve/index.js';

const dve = fileURLToPath(new URL('../../../test/fixtures/beem/models/peterson.1.dve', import.meta.url));

test('the start-up path names the same commands as the program', () => {
  assert.deepEqual([...COMMAND_NAMES], commandNames());
});

test('runsCheck: check named or by default, not help, the version or another command', () => {
  assert.equal(runsCheck([]), true);
  assert.equal(runsCheck(['check', 'loyd.dve']), true);
  assert.equal(runsCheck(['--no-color', 'check']), true);
  assert.equal(runsCheck(['loyd.dve', '--no-por']), true);
  assert.equal(runsCheck(['--variant', 'proposed-fix']), true);
  assert.equal(runsCheck(['check', '--help']), false);
  assert.equal(runsCheck(['-h']), false);
  assert.equal(runsCheck(['--version']), false);
  assert.equal(runsCheck(['help', 'check']), false);
  assert.equal(runsCheck(['simulate', '--runs', '3']), false);
  assert.equal(runsCheck(['--debug', 'matrix']), false);
  assert.equal(namedCommand(['--color', 'list']), 'list');
  assert.equal(namedCommand(['model.dve']), undefined);
});

test('a search thread started early explores as one started for the job does', async () => {
  const spec = { module: new URL('../../src/dve/index.js', import.meta.url).href, export: 'loadDve', args: dve };
  const options = { deadlock: false, por: false };
  startSearchThread();
  const early = await exploreInWorker(spec, options, stopFlag());
  // the early thread was taken: this one is started for its job
  const late = await exploreInWorker(spec, options, stopFlag());
  const here = explore(loadDve(dve), options);
  for (const r of [early, late]) {
    assert.equal(r.status, here.status);
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.levels], [here.stats.states, here.stats.transitions, here.stats.levels]);
  }
  assert.deepEqual([here.stats.states, here.stats.transitions, here.stats.levels], [12498, 33369, 54]); // expected.csv
});

test('an early search thread that gets no job does not keep the process alive', () => {
  const host = new URL('../../src/cli/search-host.js', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { startSearchThread } from '${host}'; startSearchThread(); console.log('done');`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'the process had to be killed');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'done');
});
