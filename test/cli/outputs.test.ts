/**
 * Results survive (issue 13 part 1): outputs are checked before the search, a report is never
 * written over an input, writes are atomic, a write that fails at the end still prints the report
 * and keeps the verdict's exit code; a run from a deleted working directory works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanEnv, cli, cliAsync, FIXTURES, oneErrorLine, ROOT, tempDir, type Run } from './helpers.js';

test('an --output into a missing folder is exit 2 before the search starts', async () => {
  const t0 = Date.now();
  // this search takes minutes (xen-timer with 6 operations); the error must come first
  const r = await cliAsync(['check', '--ops', '6', '--output', join(tempDir(), 'no', 'such', 'r.json')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(oneErrorLine(r.stderr), /cannot write .*r\.json: the folder .*such does not exist/);
  assert.equal(r.stdout, '');
  assert.ok(Date.now() - t0 < 30_000);
});

test('a report is never written over an input file (the model, a shard report)', async () => {
  const dir = tempDir();
  const model = join(dir, 'peterson.1.dve');
  copyFileSync(join(ROOT, 'test', 'fixtures', 'beem', 'models', 'peterson.1.dve'), model);
  const before = readFileSync(model, 'utf8');
  const shard = join(dir, 's0.json');
  const made = cli(['check', 'peterson', '--shard', '0/1', '-q', '--output', shard]);
  assert.notEqual(made.code, 2, made.stderr);
  const [a, b] = await Promise.all([cliAsync(['check', model, '--output', model]), cliAsync(['merge', shard, '--output', shard])]);
  for (const r of [a, b]) {
    assert.equal(r.code, 2, r.stderr);
    assert.match(oneErrorLine(r.stderr), /refusing to write the report over the input file/);
  }
  assert.equal(readFileSync(model, 'utf8'), before);
});

test('writes are atomic: the old file is replaced whole, no temporary file is left', () => {
  const dir = tempDir();
  const out = join(dir, 'r.json');
  writeFileSync(out, 'old');
  const r = cli(['check', 'peterson', '-q', '--no-timing', '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { status: string }).status, 'pass');
  assert.deepEqual(readdirSync(dir), ['r.json']);
});

/** Run the slow fixture and delete `folder` once the search runs (the model's second build). */
function deleteDuringSearch(args: readonly string[], folder: string): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.split('slow: built').length === 3) rmSync(folder, { recursive: true, force: true });
    });
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

test('a write that fails at the end: the text report is printed, stderr says so, the exit code is the verdict', async () => {
  const folder = join(tempDir(), 'out');
  mkdirSync(folder);
  // the slow fixture: the time limit is seen at state 1024 (~2 s), after the folder is gone
  const r = await deleteDuringSearch(['check', join(FIXTURES, 'slow.mjs'), '-p', 'bad=false', '--time-limit', '1', '--no-timing', '-q', '--output', join(folder, 'r.json')], folder);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /\nINCOMPLETE {2}\d[\d,]* states/);
  assert.match(r.stderr, /xentimer-check: error: cannot write .*r\.json: ENOENT; the report above was not saved \(the exit code is the verdict's\)/);
  assert.ok(!existsSync(folder));
});

test('a run from a deleted working directory: registered models work, relative paths are exit 2', () => {
  const dir = tempDir();
  const gone = join(dir, 'gone');
  mkdirSync(gone);
  const run = (args: string): Run => {
    mkdirSync(gone, { recursive: true });
    const r = spawnSync('/bin/sh', ['-c', `cd "${gone}" && rmdir "${gone}" && exec "${process.execPath}" "${BIN}" ${args}`], { env: cleanEnv(), encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = run('check peterson -q --no-timing');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /\nPASS /);
  const rel = run('check model.dve -q');
  assert.equal(rel.code, 2, rel.stderr);
});
