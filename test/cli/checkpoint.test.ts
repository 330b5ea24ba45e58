/**
 * `check --checkpoint FILE` / `--resume FILE` from the command line (issue 13 part 2): a process
 * killed with SIGKILL after its first checkpoint, or stopped by SIGTERM or a budget, continues
 * with --resume and ends with the JSON report of a run that was never stopped (the `checkpoint`
 * entry and timings aside); another model, parameter or option, a damaged file, --workers and
 * --shard are exit 2 with one line. Slow model: test/cli/fixtures/slow.mjs (2 ms per state).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanEnv, cli, cliAsync, FIXTURES, oneErrorLine, readJson, ROOT, tempDir, validate } from './helpers.js';

const SLOW = join(FIXTURES, 'slow.mjs');
const SCHEMA = readJson(join(ROOT, 'schema', 'result.schema.json')) as never;

/** The report without what a stop and a restart change (the checkpoint entry; timing is off). */
function comparable(path: string): unknown {
  const { checkpoint: _c, ...rest } = readJson(path) as Record<string, unknown>;
  return rest;
}

/** Start the CLI; once `file` exists, send `signal`; the exit code (or signal) and output. */
function signalAfterCheckpoint(args: readonly string[], file: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const poll = setInterval(() => {
      if (existsSync(file)) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 10);
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', rej);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      clearTimeout(guard);
      res({ code, signal: sig, stdout, stderr });
    });
  });
}

test('kill -9 after the first checkpoint, then --resume: the report of a run never stopped', async () => {
  const dir = tempDir();
  const cp = join(dir, 'slow.ckpt');
  const common = ['check', SLOW, '--all-violations', '--no-timing', '-q'];
  // unbounded, the first run would take a minute: it is killed as soon as a checkpoint exists
  const killed = await signalAfterCheckpoint([...common, '--checkpoint', cp, '--checkpoint-states', '50'], cp, 'SIGKILL');
  assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
  const [resumed, plain] = await Promise.all([
    cliAsync([...common, '--max-states', '400', '--resume', cp, '-o', join(dir, 'resumed.json')]),
    cliAsync([...common, '--max-states', '400', '-o', join(dir, 'plain.json')]),
  ]);
  assert.equal(resumed.code, 1, resumed.stderr);
  assert.equal(plain.code, 1, plain.stderr);
  assert.match(resumed.stderr, /resumed from checkpoint .*slow\.ckpt \(\d[\d,]* states stored, \d[\d,]* expanded\)/);
  const r = readJson(join(dir, 'resumed.json')) as { checkpoint: { resumedFrom: { expanded: number } }; violations: { property: string }[] };
  assert.ok(r.checkpoint.resumedFrom.expanded >= 50, 'resumed after the first checkpoint');
  // the violation (x = 3) was found before the kill: it comes from the checkpoint
  assert.deepEqual(r.violations.map((v) => v.property), ['small']);
  assert.deepEqual(comparable(join(dir, 'resumed.json')), comparable(join(dir, 'plain.json')));
  assert.deepEqual(validate(SCHEMA, readJson(join(dir, 'resumed.json'))), []);
});

test('SIGTERM with --checkpoint: a final checkpoint is written and said so; --resume goes on from it', async () => {
  const dir = tempDir();
  const cp = join(dir, 'slow.ckpt');
  const common = ['check', SLOW, '-p', 'bad=false', '--no-timing', '-q'];
  const stopped = await signalAfterCheckpoint([...common, '--checkpoint', cp, '--checkpoint-states', '20', '-o', join(dir, 'stopped.json')], cp, 'SIGTERM');
  assert.equal(stopped.code, 3, stopped.stdout + stopped.stderr);
  assert.match(stopped.stderr, /SIGTERM: stopping the search and writing a checkpoint/);
  assert.match(stopped.stderr, /checkpoint written to .*slow\.ckpt as the search stopped \((\d[\d,]*) states stored, (\d[\d,]*) expanded\); continue with --resume /);
  const j = readJson(join(dir, 'stopped.json')) as { incompleteReason: string; stats: { states: number }; checkpoint: { final: boolean; last: { states: number } } };
  assert.equal(j.incompleteReason, 'interrupted');
  assert.equal(j.checkpoint.final, true);
  assert.equal(j.checkpoint.last.states, j.stats.states);
  assert.deepEqual(validate(SCHEMA, j), []);
  const budget = String(j.stats.states + 100);
  const [resumed, plain] = await Promise.all([
    cliAsync([...common, '--max-states', budget, '--resume', cp, '-o', join(dir, 'resumed.json')]),
    cliAsync([...common, '--max-states', budget, '-o', join(dir, 'plain.json')]),
  ]);
  assert.equal(resumed.code, 3, resumed.stderr);
  assert.deepEqual(comparable(join(dir, 'resumed.json')), comparable(join(dir, 'plain.json')));
});

test('xen-timer and BEEM stopped by --max-states with --checkpoint, resumed without a budget: the same JSON report (sequential, symmetry, fingerprints, reduction)', async () => {
  const dir = tempDir();
  const modes: [string, string[]][] = [
    ['sequential', ['--ops', '3']],
    ['symmetry', ['--vcpus', '2', '--ops', '1', '--invalidations', '0', '--placement', 'other', '--symmetry']],
    ['fingerprint', ['--ops', '3', '--fingerprint']],
    // a BEEM instance, with partial-order reduction (on by default: DVE steps declare their accesses)
    ['beem', [join('test', 'fixtures', 'beem', 'models', 'peterson.1.dve')]],
  ];
  for (const [name, args] of modes) {
    const common = ['check', ...args, '--all-violations', '--no-timing', '-q'];
    const cp = join(dir, `${name}.ckpt`);
    const first = await cliAsync([...common, '--max-states', '5000', '--checkpoint', cp, '-o', join(dir, `${name}-first.json`)]);
    assert.equal((readJson(join(dir, `${name}-first.json`)) as { incompleteReason: string }).incompleteReason, 'max-states', `${name}: ${first.stderr}`);
    const [resumed, plain] = await Promise.all([cliAsync([...common, '--resume', cp, '-o', join(dir, `${name}-resumed.json`)]), cliAsync([...common, '-o', join(dir, `${name}-plain.json`)])]);
    assert.equal(resumed.code, plain.code, `${name}: ${resumed.stderr}`);
    assert.deepEqual(comparable(join(dir, `${name}-resumed.json`)), comparable(join(dir, `${name}-plain.json`)), name);
    if (name === 'beem') assert.ok((readJson(join(dir, 'beem-resumed.json')) as { stats: { por: { reducedStates: number } } }).stats.por.reducedStates > 0, 'the reduction cut states');
  }
});

test('--resume with another parameter, another option, a damaged file, or with --workers / --shard: exit 2, one line', () => {
  const dir = tempDir();
  const cp = join(dir, 'x.ckpt');
  const common = ['check', 'philosophers', '--all-violations', '-q'];
  assert.equal(cli([...common, '-p', 'n=5', '--max-states', '50', '--checkpoint', cp]).code, 3);
  const refused = (args: string[], what: RegExp): void => {
    const r = cli(args);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(oneErrorLine(r.stderr), what);
  };
  refused([...common, '-p', 'n=4', '--resume', cp], /belongs to another search: parameters is .*n\\?":5.* there, .*n\\?":4.* now/);
  refused([...common, '-p', 'n=5', '--symmetry', '--resume', cp], /belongs to another search: symmetry is false there, true now/);
  refused([...common, '-p', 'n=5', '--no-deadlock', '--resume', cp], /belongs to another search: deadlock is true there, false now/);
  const bytes = readFileSync(cp);
  const cut = join(dir, 'cut.ckpt');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
  refused([...common, '-p', 'n=5', '--resume', cut], /checkpoint .*cut\.ckpt is corrupt or truncated \(checksum mismatch\)/);
  refused([...common, '-p', 'n=5', '--resume', join(dir, 'none.ckpt')], /cannot resume: .*none\.ckpt does not exist/);
  refused([...common, '-p', 'n=5', '--workers', '2', '--checkpoint', cp], /--checkpoint cannot be combined with --workers/);
  refused([...common, '-p', 'n=5', '--shard', '0/2', '--resume', cp], /--resume cannot be combined with --shard/);
  refused([...common, '-p', 'n=5', '--checkpoint', join(dir, 'no', 'such', 'x.ckpt')], /cannot write the checkpoint .*: the folder .* does not exist/);
  refused([...common, '-p', 'n=5', '--checkpoint-interval', '10'], /--checkpoint-interval needs --checkpoint FILE/);
  refused([...common, '-p', 'n=5', '--resume', cp, '-o', cp], /refusing to write the report over the input file .*x\.ckpt/);
  // the resumed search still runs with a budget of its own (budgets may differ)
  assert.equal(cli([...common, '-p', 'n=5', '--max-states', '60', '--resume', cp]).code, 3);
});
