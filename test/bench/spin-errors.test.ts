/**
 * bench/spin.ts goes on past an instance it cannot compare: a Promela translation SPIN refuses is a
 * row with its error (and no temporary directory left behind), the run still prints its JSON and
 * exits 0. Needs `spin` (skipped without it, as the script itself skips).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../bench/spin.js', import.meta.url));
const hasSpin = spawnSync('spin', ['-V']).error === undefined && spawnSync('gcc', ['--version']).error === undefined;

test('bench:spin: a translation SPIN cannot parse is a row with its error; the run goes on and exits 0', { skip: hasSpin ? false : 'spin or gcc not installed' }, () => {
  const pm = mkdtempSync(join(tmpdir(), 'xentimer-test-pm-'));
  try {
    // loyd.2 has a vendored DVE instance, so the script gets as far as building SPIN's verifier
    writeFileSync(join(pm, 'loyd.2.pm'), 'this is not Promela {\n');
    const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('xentimer-spin-')));
    const r = spawnSync(process.execPath, [script, '--promela', pm, '--reps', '1'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { rows: { instance: string; error?: string }[] };
    assert.equal(out.rows.length, 1);
    assert.equal(out.rows[0]!.instance, 'loyd.2');
    assert.match(out.rows[0]!.error ?? '', /^spin -a /);
    assert.match(r.stderr, /loyd\.2 \.\.\. failed: spin -a /);
    const left = readdirSync(tmpdir()).filter((f) => f.startsWith('xentimer-spin-') && !before.has(f));
    assert.deepEqual(left, []);
  } finally {
    rmSync(pm, { recursive: true, force: true });
  }
});
