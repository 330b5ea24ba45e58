/**
 * What checkpoints cost (`node dist/bench/checkpoint.js [maxStates] [reps]`): for the Xen model
 * (2 vCPUs, K = 2, stopped by a max-states budget), the search without a checkpoint, the same
 * search writing one final checkpoint (the difference is the write), and a resume that loads it
 * and stops at once (the load). Runs alternate, `reps` times; medians and every run are printed
 * as JSON. Timings are noisy on shared machines: compare medians only.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, type ExploreOptions } from '../src/engine/explore.js';
import { buildRegistered } from '../models/index.js';

const maxStates = Number(process.argv[2] ?? 300_000);
const reps = Number(process.argv[3] ?? 3);
const params = { vcpus: 2, ops: 2 };
const dir = mkdtempSync(join(tmpdir(), 'xtc-bench-ckpt-'));
const file = join(dir, 'bench.ckpt');

function timed(opts: ExploreOptions): { seconds: number; states: number } {
  const model = buildRegistered({ name: 'xen-timer', params });
  const t = performance.now();
  const r = explore(model, { allViolations: true, maxStates, ...opts });
  return { seconds: (performance.now() - t) / 1000, states: r.stats.states };
}

const runs: { plain: number; withCheckpoint: number; resumeLoad: number; fileBytes: number; states: number }[] = [];
for (let k = 0; k < reps; k++) {
  const plain = timed({});
  const saved = timed({ checkpoint: { file } });
  const fileBytes = statSync(file).size;
  const load = timed({ resume: file });
  runs.push({ plain: plain.seconds, withCheckpoint: saved.seconds, resumeLoad: load.seconds, fileBytes, states: saved.states });
}
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = { plain: median(runs.map((r) => r.plain)), withCheckpoint: median(runs.map((r) => r.withCheckpoint)), resumeLoad: median(runs.map((r) => r.resumeLoad)) };
console.log(
  JSON.stringify(
    {
      model: { name: 'xen-timer', params },
      maxStates,
      states: runs[0]!.states,
      fileBytes: runs[0]!.fileBytes,
      bytesPerState: runs[0]!.fileBytes / runs[0]!.states,
      medianSeconds: { ...m, checkpointWrite: m.withCheckpoint - m.plain },
      runs,
    },
    null,
    2,
  ),
);
