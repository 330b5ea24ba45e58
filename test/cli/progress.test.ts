/**
 * Progress on a terminal's stderr (src/cli/progress.ts): the line's fields, its rate limit, and
 * that it is erased before the report is printed; never on a pipe, with --quiet or with a machine
 * format on stdout. The renderer is driven directly with a fake clock; the whole command runs
 * in-process (runMain) with stderr posing as a terminal and fake clocks, so the test does not
 * depend on how fast this machine is.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Progress } from '../../src/engine/events.js';
import { makeProgress, progressLine, PROGRESS_INTERVAL_MS } from '../../src/cli/progress.js';
import { cli, readJson, tempDir } from './helpers.js';
import { runMain, type Write } from './in-process.js';

const ERASE = '\r\u001b[K';
const P: Progress = { states: 1_234_567, transitions: 2_345_678, depth: 42, queue: 9_876, seconds: 12.5, statesPerSecond: 98_765.4, rssBytes: 256 * 1024 ** 2 };

test('the line: states, rate, depth, queue, elapsed time and peak memory', () => {
  // by hand from P: thousands separated by commas, 98,765.4 states/s rounds to 99 k, 12.5 s with
  // one decimal (10 s ≤ t < 120 s), 256 * 1024² bytes = 256 MiB
  assert.equal(progressLine(P), '  1,234,567 states · 99 k states/s · depth 42 · queue 9,876 · 12.5 s · 256 MiB');
  // small values: plain counts, two decimals below 10 s, one decimal below 10 MiB
  assert.equal(progressLine({ ...P, states: 12, queue: 0, depth: 4, seconds: 0.3, statesPerSecond: 40, rssBytes: 1.5 * 1024 ** 2 }), '  12 states · 40 states/s · depth 4 · queue 0 · 0.30 s · 1.5 MiB');
});

test('the renderer: nothing before 0.25 s, then at most one line per 250 ms, each rewriting the last; done() erases it once', (t) => {
  let now = 1_000_000;
  t.mock.method(Date, 'now', () => now);
  const writes: string[] = [];
  const tty = { isTTY: true, write: (s: string): boolean => (writes.push(s), true) };
  const sink = makeProgress(tty, true);
  assert.equal(sink.interval, PROGRESS_INTERVAL_MS);
  assert.equal(PROGRESS_INTERVAL_MS, 250, 'README: "a few times a second"');
  sink.done();
  assert.deepEqual(writes, [], 'nothing drawn, nothing to erase');
  sink.onProgress!({ ...P, seconds: 0.249 });
  assert.deepEqual(writes, [], 'a short run draws nothing (no flicker)');
  sink.onProgress!({ ...P, seconds: 0.25 });
  assert.deepEqual(writes, [ERASE + progressLine({ ...P, seconds: 0.25 })]);
  now += PROGRESS_INTERVAL_MS - 1;
  sink.onProgress!({ ...P, seconds: 0.499, states: 2 });
  assert.equal(writes.length, 1, 'rate limit: 249 ms after the last line');
  now += 1;
  sink.onProgress!({ ...P, seconds: 0.5, states: 3 });
  assert.equal(writes.length, 2);
  assert.equal(writes[1], ERASE + progressLine({ ...P, seconds: 0.5, states: 3 }));
  sink.done();
  sink.done();
  assert.deepEqual(writes.slice(2), [ERASE], 'erased once');
});

test('the renderer is off on a non-terminal and when disabled (--quiet, machine format)', () => {
  const writes: string[] = [];
  const write = (s: string): boolean => (writes.push(s), true);
  for (const [stream, enabled] of [[{ isTTY: false, write }, true], [{ write }, true], [{ isTTY: true, write }, false]] as const) {
    const sink = makeProgress(stream, enabled);
    assert.equal(sink.onProgress, undefined);
    sink.done();
  }
  assert.deepEqual(writes, []);
});

/** Both clocks the run reads (the engine's performance.now, the renderer's Date.now) advance 40 ms a reading. */
function fakeClocks(t: TestContext): void {
  let now = 5_000;
  const tick = (): number => (now += 40);
  t.mock.method(performance, 'now', tick);
  t.mock.method(Date, 'now', tick);
}

const progressWrites = (writes: readonly Write[]): Write[] => writes.filter((w) => w.stream === 'stderr' && w.text !== ERASE);

// baseline with K = 2 operations: a few thousand states, so the engine checks its budgets (every
// 1024 states) a few times; it has violations, so --all-violations is exit 1
const ARGS = ['check', '--variant', 'baseline', '--ops', '2', '--all-violations', '--no-timing'];

test('check on a terminal: progress lines on stderr, erased before the first byte of the report', async (t) => {
  fakeClocks(t);
  const r = await runMain(ARGS, { stderrTTY: true });
  assert.equal(r.code, 1, r.stderr);
  const lines = progressWrites(r.writes);
  assert.ok(lines.length >= 2, `${lines.length} progress lines`);
  for (const w of lines) assert.match(w.text, /^\r\u001b\[K {2}[\d,]+ states · [\d.]+ (k |M )?states\/s · depth \d+ · queue [\d,]+ · [\d.]+ s · [\d.]+ (B|KiB|MiB|GiB)$/);
  const firstOut = r.writes.findIndex((w) => w.stream === 'stdout');
  const lastLine = r.writes.lastIndexOf(lines.at(-1)!);
  assert.ok(lastLine < firstOut, 'no progress line after the report started');
  assert.deepEqual(r.writes.slice(lastLine + 1, firstOut), [{ stream: 'stderr', text: ERASE }], 'the line is erased just before the report');
  assert.ok(r.writes.slice(firstOut).every((w) => w.stream === 'stdout'), 'nothing on stderr once the report is printed');
  // the progress line counts up to the report's state count
  const reported = /\nVIOLATION .*? {2}([\d,]+) states · /.exec(r.stdout);
  assert.ok(reported, r.stdout.slice(-300));
  const counts = lines.map((w) => Number(/([\d,]+) states/.exec(w.text)![1]!.replace(/,/g, '')));
  assert.ok(counts.every((c, i) => c <= Number(reported[1]!.replace(/,/g, '')) && (i === 0 || c >= counts[i - 1]!)), counts.join(' '));
});

test('no progress on a pipe, with --quiet, or with a machine format on stdout (same clocks, same run)', async (t) => {
  fakeClocks(t);
  const runs = [await runMain(ARGS), await runMain([...ARGS, '--quiet'], { stderrTTY: true }), await runMain([...ARGS, '--format', 'json'], { stderrTTY: true })];
  for (const r of runs) {
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
  }
});

test('the binary on a pipe: stderr stays empty during a run long enough to draw progress on a terminal', (t) => {
  const out = join(tempDir(), 'r.json');
  const r = cli(['check', '--variant', 'baseline', '--ops', '3', '--all-violations', '--output', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `json report written to ${out}\n`);
  const seconds = (readJson(out) as { timing: { seconds: number } }).timing.seconds;
  if (seconds < PROGRESS_INTERVAL_MS / 1000) t.diagnostic(`the run took ${seconds} s: too short to have drawn progress on a terminal`);
});
