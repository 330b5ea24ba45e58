/**
 * Honest shards (issue 13 part 3): one shard's report is a part — never complete, never a pass,
 * exit 3 without a violation — and `merge` proves the shards belong together (tool version,
 * model, parameters, options, split level and sizes, the fingerprint of the shared prefix) before
 * it may report a complete result. Model: BEEM anderson.2 (passes; the split is at BFS level 14
 * with 75 states: regression values produced by this tool on 2026-12-02).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliAsync, oneErrorLine, readJson, ROOT, tempDir } from './helpers.js';

const BEEM = join(ROOT, 'test', 'fixtures', 'beem', 'models');

interface ShardReport {
  status: string;
  complete: boolean;
  incompleteReason: string | null;
  exitCode: number;
  stats: { shard: { index: number; splitLevel: number | null; levelSize: number; prefix?: string; complete: boolean } };
}

async function shards(model: string, dir: string, n: number): Promise<string[]> {
  const files = Array.from({ length: n }, (_, i) => join(dir, `s${i}.json`));
  const runs = await Promise.all(files.map((f, i) => cliAsync(['check', model, '--shard', `${i}/${n}`, '--no-timing', '-q', '--output', f])));
  runs.forEach((r, i) => {
    assert.equal(r.code, 3, `shard ${i}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /incomplete: this is one shard of a split search: run `merge`/);
    assert.match(r.stdout, /\nINCOMPLETE /);
  });
  return files;
}

test('one shard is a part (exit 3, incomplete, reason shard); all of them merge to a complete PASS', async () => {
  const dir = tempDir();
  const files = await shards(join(BEEM, 'anderson.2.dve'), dir, 2);
  const reps = files.map((f) => readJson(f) as ShardReport);
  for (const r of reps) {
    assert.deepEqual([r.status, r.complete, r.incompleteReason, r.exitCode, r.stats.shard.complete], ['incomplete', false, 'shard', 3, true]);
    assert.equal(r.stats.shard.splitLevel, 14);
    assert.equal(r.stats.shard.levelSize, 75);
    assert.match(r.stats.shard.prefix ?? '', /^[0-9a-f]{16}$/);
  }
  assert.equal(reps[0]!.stats.shard.prefix, reps[1]!.stats.shard.prefix, 'every shard computes the same prefix fingerprint');
  const m = await cliAsync(['merge', ...files, '--format', 'json', '--no-timing']);
  assert.equal(m.code, 0, m.stderr);
  const merged = JSON.parse(m.stdout) as { status: string; complete: boolean; incompleteReason: null };
  assert.deepEqual([merged.status, merged.complete, merged.incompleteReason], ['pass', true, null]);
});

test('merge refuses shards that do not belong together or were edited', async () => {
  const dir = tempDir();
  const model = join(dir, 'm.dve');
  copyFileSync(join(BEEM, 'anderson.2.dve'), model);
  const [s0, s1] = await shards(model, dir, 2);
  const edited = (f: string, change: (r: ShardReport) => void): string => {
    const r = readJson(f) as ShardReport;
    change(r);
    const out = join(dir, `edited-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(out, JSON.stringify(r));
    return out;
  };
  // the same file name, another model (same options): only the prefix fingerprint tells
  copyFileSync(join(BEEM, 'fischer.1.dve'), model);
  const other = join(dir, 'other.json');
  const o = await cliAsync(['check', model, '--shard', '1/2', '--no-timing', '-q', '--output', other]);
  assert.equal(o.code, 3, o.stderr);
  const cases: [string[], RegExp][] = [
    [[s0!, other], /split the search differently/],
    [[edited(s0!, (r) => (r.stats.shard.prefix = '0123456789abcdef')), s1!], /split the search differently/],
    [[edited(s0!, (r) => ((r.complete = true), (r.status = 'pass'))), s1!], /claims to be complete/],
    [[edited(s0!, (r) => (r.stats.shard.index = 1)), s1!], /its statistics are of shard 1\/2, its settings of 0\/2/],
    [[edited(s0!, (r) => delete r.stats.shard.prefix), s1!], /no fingerprint of the shared prefix/],
  ];
  const runs = await Promise.all(cases.map(([files]) => cliAsync(['merge', ...files])));
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, `case ${i}: ${r.stdout}${r.stderr}`);
    assert.match(oneErrorLine(r.stderr), cases[i]![1]);
  });
  assert.ok(readFileSync(s0!, 'utf8').length > 0);
});
