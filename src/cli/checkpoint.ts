/**
 * `check --checkpoint FILE` / `--resume FILE`: the options, their checks before the search starts,
 * the identity the CLI adds to a checkpoint (where the model came from, its parameters, a hash of
 * the model file), and the lines that tell the user what was saved and how to continue.
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { usage } from './exit.js';
import { parseCount, parseSeconds } from './options.js';
import { safeText as safe } from './format/safe.js';
import type { ModelOrigin } from './report.js';
import { contentHash, type Identity } from '../engine/checkpoint/identity.js';
import { DEFAULT_CHECKPOINT_SECONDS, type CheckpointInfo, type CheckpointOptions } from '../engine/checkpoint/save.js';

export interface CheckpointCliOptions {
  checkpoint?: string;
  checkpointInterval?: number;
  /** Test hook: also checkpoint every N expanded states. */
  checkpointStates?: number;
  resume?: string;
  workers?: number;
  shard?: { index: number; count: number };
}

export function withCheckpointOptions(cmd: Command): Command {
  return cmd
    .option('--checkpoint <file>', `save the search to FILE every --checkpoint-interval, and when a budget, Ctrl-C or SIGTERM stops it; continue it with --resume FILE (sequential search: not with --workers or --shard)`)
    .option('--checkpoint-interval <seconds>', `seconds between checkpoints (default ${DEFAULT_CHECKPOINT_SECONDS}, i.e. 5 minutes; 60, 30s, 5m, 1h)`, parseSeconds)
    .addOption(new Option('--checkpoint-states <n>', 'also checkpoint every N expanded states (tests)').argParser(parseCount).hideHelp())
    .option('--resume <file>', 'continue the search saved in FILE (by --checkpoint): same model, parameters and search options, else exit 2; the budgets may differ (--max-states counts every stored state, --time-limit this run only)');
}

/** The engine's checkpoint options, checked now (exit 2) rather than after an hour of search. */
export function checkpointPlan(
  opts: CheckpointCliOptions,
  cwd: string,
  origin: ModelOrigin,
  inputs: readonly string[],
  output: string | undefined,
): { checkpoint?: CheckpointOptions; resume?: string; identity?: Identity } {
  if (opts.checkpoint === undefined && opts.resume === undefined) {
    if (opts.checkpointInterval !== undefined) throw usage('--checkpoint-interval needs --checkpoint FILE');
    return {};
  }
  const what = opts.checkpoint !== undefined ? '--checkpoint' : '--resume';
  if (opts.workers !== undefined) throw usage(`${what} cannot be combined with --workers`, 'checkpoints are of the sequential search');
  if (opts.shard !== undefined) throw usage(`${what} cannot be combined with --shard`, 'checkpoints are of a whole search');
  const resume = opts.resume !== undefined ? resolve(cwd, opts.resume) : undefined;
  if (resume !== undefined && !existsSync(resume)) throw usage(`cannot resume: ${opts.resume} does not exist`, 'give the file written by --checkpoint');
  let checkpoint: CheckpointOptions | undefined;
  if (opts.checkpoint !== undefined) {
    const file = resolve(cwd, opts.checkpoint);
    checkWritable(opts.checkpoint, file, [...inputs.map((i) => resolve(cwd, i)), ...(output !== undefined ? [resolve(cwd, output)] : [])]);
    checkpoint = {
      file,
      ...(opts.checkpointInterval !== undefined ? { intervalSeconds: opts.checkpointInterval } : {}),
      ...(opts.checkpointStates !== undefined ? { everyStates: opts.checkpointStates } : {}),
    };
  } else if (opts.checkpointInterval !== undefined) throw usage('--checkpoint-interval needs --checkpoint FILE');
  return { ...(checkpoint ? { checkpoint } : {}), ...(resume !== undefined ? { resume } : {}), identity: cliIdentity(origin, cwd) };
}

/** What the CLI adds to a search's identity: the model's origin, its parameters, a hash of its file. */
function cliIdentity(origin: ModelOrigin, cwd: string): Identity {
  let file: string | null = null;
  if (origin.path !== undefined) {
    try {
      file = contentHash(readFileSync(resolve(cwd, origin.path)));
    } catch {
      file = null;
    }
  }
  return { 'model origin': origin.origin, parameters: JSON.stringify(sorted(origin.params)), 'model file': file };
}

function sorted(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Exit 2 unless the checkpoint file can be written (its folder exists and is writable) and is not an input or the report. */
function checkWritable(given: string, path: string, others: readonly string[]): void {
  const hint = 'give --checkpoint a file in a writable folder';
  if (others.some((o) => real(o) === real(path))) throw usage(`refusing to write the checkpoint over ${given}, an input or the report`, 'give --checkpoint a file of its own');
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw usage(`cannot write the checkpoint ${given}: the folder ${dirname(given)} does not exist`, hint);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw usage(`cannot write the checkpoint ${given}: the folder ${dirname(given)} is not writable`, hint);
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw usage(`cannot write the checkpoint ${given}: it is a folder`, hint);
}

/** Lines for stderr: what was resumed, what was saved and how to continue. */
export function checkpointNotes(info: CheckpointInfo | undefined, given: CheckpointCliOptions): string[] {
  if (!info) return [];
  const out: string[] = [];
  const r = info.resumedFrom;
  if (r) out.push(`resumed from checkpoint ${safe(given.resume ?? r.file)} (${r.states.toLocaleString('en-US')} states stored, ${r.expanded.toLocaleString('en-US')} expanded)`);
  const name = safe(given.checkpoint ?? info.file ?? '');
  if (info.final && info.last) {
    out.push(`checkpoint written to ${name} as the search stopped (${info.last.states.toLocaleString('en-US')} states stored, ${info.last.expanded.toLocaleString('en-US')} expanded); continue with --resume ${name}`);
  } else if (info.note) out.push(`checkpoint ${name}: ${info.note}`);
  else if (given.checkpoint !== undefined && info.written > 0) out.push(`${info.written} checkpoint${info.written > 1 ? 's' : ''} written to ${name} (the search ended: it is not needed any more)`);
  return out;
}
