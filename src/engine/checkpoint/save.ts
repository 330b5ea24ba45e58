/**
 * Writing checkpoints of a sequential breadth-first search (TLC's `-checkpoint`): periodically
 * (every `intervalSeconds`, and in tests every `everyStates` expanded states) between two states,
 * and once more when a budget or an interrupt stops the search. A checkpoint holds what the
 * search needs to go on as if it had never stopped: the store (vectors or fingerprints, parent
 * links, step ids; a fingerprint store's queued vectors), the queue position (the next state to
 * expand, the level boundary and depth), the counters and per-step coverage, the orbit sizes under
 * symmetry, the properties' state (violations recorded, covers reached, the facts accumulating
 * transition properties learned), the reduction's counters, the model's dropped-transition counts,
 * and the identity of the search (identity.ts).
 *
 * A max-states stop comes in the middle of a state's edges: the checkpoint then records how many
 * of them were done (`skip`), minus the edge whose successor did not fit, and the resumed search
 * passes over those (Search.emitSkipping) — so a run continued with a larger budget ends exactly
 * as one that had the larger budget from the start.
 */
import { existsSync } from 'node:fs';
import type { Search } from '../search/state.js';
import { FingerprintStore, StateStore } from '../store.js';
import { PackedStateStore } from '../packed-store.js';
import { LITTLE_ENDIAN, writeCheckpointFile, type SectionOut } from './format.js';
import type { Identity } from './identity.js';

export interface CheckpointOptions {
  /** The checkpoint file (written atomically; replaced by each new checkpoint). */
  readonly file: string;
  /** Seconds between checkpoints. Default 300. */
  readonly intervalSeconds?: number;
  /** Also checkpoint after every this many expanded states (tests). */
  readonly everyStates?: number;
}

/** What the report says about checkpoints (Result.checkpoint). */
export interface CheckpointInfo {
  /** The file written (absent when only resuming). */
  readonly file?: string;
  /** Checkpoints written by this run. */
  readonly written: number;
  /** The last one written: states stored, states expanded (the queue position). */
  readonly last?: { readonly states: number; readonly expanded: number };
  /** The last checkpoint was written when the search stopped (budget or interrupt): resume from it. */
  readonly final?: boolean;
  /** Why no final checkpoint was written although the search stopped early. */
  readonly note?: string;
  /** The checkpoint this run continued from. */
  readonly resumedFrom?: { readonly file: string; readonly states: number; readonly expanded: number; readonly transitions: number };
}

export const DEFAULT_CHECKPOINT_SECONDS = 300;
const RESUMABLE = new Set(['interrupted', 'time-limit', 'memory-limit', 'max-states']);

export class Checkpointer {
  private written = 0;
  private last: CheckpointInfo['last'];
  private final = false;
  private note: string | undefined;
  private nextAt: number;
  private nextStates: number;
  private readonly intervalMs: number;

  constructor(
    private readonly opts: CheckpointOptions,
    private readonly identity: Identity,
    private readonly model: { readonly dropCounts?: Int32Array },
    startId: number,
  ) {
    this.intervalMs = (opts.intervalSeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000;
    this.nextAt = performance.now() + this.intervalMs;
    this.nextStates = opts.everyStates !== undefined && opts.everyStates > 0 ? startId + opts.everyStates : Infinity;
  }

  /** Between two states (before expanding s.curId): write a checkpoint when one is due. */
  tick(s: Search): void {
    if (s.curId < this.nextStates && ((s.curId & 255) !== 0 || performance.now() < this.nextAt)) return;
    this.save(s, false);
  }

  /** The search ended: a last checkpoint when a budget or an interrupt stopped it. */
  finish(s: Search, stoppedInInitial: boolean): void {
    const why = s.incomplete;
    if (why === undefined || !RESUMABLE.has(why)) return;
    if (stoppedInInitial) {
      this.note = 'the budget ran out among the initial states: nothing to resume';
      return;
    }
    this.final = this.save(s, why === 'max-states' && s.cutEdge >= 0);
  }

  info(): CheckpointInfo {
    return { file: this.opts.file, written: this.written, ...(this.last ? { last: this.last } : {}), ...(this.final ? { final: true } : {}), ...(this.note ? { note: this.note } : {}) };
  }

  /** Write a checkpoint; a failed write (disk full...) is noted and the search goes on: the previous checkpoint stays. */
  private save(s: Search, cut: boolean): boolean {
    this.nextAt = performance.now() + this.intervalMs;
    if (this.opts.everyStates !== undefined && this.opts.everyStates > 0) this.nextStates = s.curId + this.opts.everyStates;
    const { header, sections } = snapshot(s, cut, this.identity, this.model);
    try {
      writeCheckpointFile(this.opts.file, header, sections);
    } catch (e) {
      this.note = `the checkpoint could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})${existsSync(this.opts.file) ? '; the file holds an earlier checkpoint' : ''}`;
      return false;
    }
    this.written++;
    this.note = undefined;
    this.last = { states: s.store.count, expanded: header.cursor.curId };
    return true;
  }
}

/** The search as a checkpoint header and sections; `cut`: max-states stopped it inside state cutId's edges. */
function snapshot(s: Search, cut: boolean, identity: Identity, model: { readonly dropCounts?: Int32Array }): { header: CheckpointHeader; sections: SectionOut[] } {
  const curId = cut ? s.cutId : s.curId;
  const prior = curId === s.resumeId ? s.resumeSkip : 0;
  const skip = cut ? prior + s.enabled - 1 : prior;
  const fired = Float64Array.from(s.fired);
  let transitions = s.transitions;
  let tallyTransitions = s.tally?.transitions ?? 0;
  if (cut) {
    // the edge that found no room was counted: the resumed search takes it again
    fired[s.cutEdge]!--;
    transitions--;
    if (s.tally !== null) tallyTransitions -= s.tally.size(curId);
  }
  const por = new Float64Array(6);
  if (s.por !== null) {
    if (cut && s.porUsedFor === curId) por.set(s.porMark);
    else s.por.saveCounters(por);
  }
  const sections: SectionOut[] = [{ name: 'fired', parts: [fired] }];
  const store = s.store;
  let storeKind: 'states' | 'fingerprints';
  let fp: { queuedFrom: number; firstLiveChunk: number; peakQueueChunks: number } | undefined;
  if (store instanceof StateStore || store instanceof PackedStateStore) {
    storeKind = 'states';
    const e = store.exportStates();
    sections.push({ name: 'vectors', parts: e.vectors }, { name: 'parents', parts: e.parents }, { name: 'steps', parts: e.steps });
  } else if (store instanceof FingerprintStore) {
    storeKind = 'fingerprints';
    const e = store.exportStates(curId);
    sections.push({ name: 'fingerprints', parts: e.fingerprints }, { name: 'parents', parts: e.parents }, { name: 'steps', parts: e.steps }, { name: 'queued', parts: e.queued });
    fp = { queuedFrom: e.queuedFrom, firstLiveChunk: e.firstLiveChunk, peakQueueChunks: e.peakQueueChunks };
  } else throw new Error('checkpoint: unknown store');
  if (s.tally !== null) sections.push({ name: 'orbits', parts: [s.tally.snapshot(store.count).sizes] });
  if (model.dropCounts) sections.push({ name: 'dropped', parts: [boundaryDrops(s, model.dropCounts, cut, curId, prior)] });
  const header: CheckpointHeader = {
    littleEndian: LITTLE_ENDIAN,
    identity,
    written: new Date().toISOString(),
    seconds: s.priorSeconds + (performance.now() - s.budget.started) / 1000,
    storeKind,
    count: store.count,
    words: s.words,
    wideSteps: sections.find((x) => x.name === 'steps')!.parts.some((p) => p instanceof Uint32Array),
    ...(fp ? { fingerprint: fp } : {}),
    cursor: { curId, skip },
    transitions,
    levels: s.levels,
    levelEnd: s.levelEnd,
    depth: s.depth,
    probing: s.probing,
    boundHit: s.boundHit,
    observer: s.obs.snapshot(),
    facts: s.obs.facts()?.facts ?? null,
    tally: s.tally !== null ? { states: s.tally.states, transitions: tallyTransitions } : null,
    por: s.por !== null ? [...por] : null,
  };
  return { header, sections };
}

/**
 * The model's dropped-transition counts as they were before state `curId` was expanded, when a
 * cut left it half done: its edges are replayed (as far as the cut, as the resumed search will)
 * to learn what they counted, and the counts are put back.
 */
function boundaryDrops(s: Search, counts: Int32Array, cut: boolean, curId: number, prior: number): Int32Array {
  if (!cut) return Int32Array.from(counts);
  const d0 = Int32Array.from(counts);
  s.store.load(curId, s.srcW);
  s.ctx.reset();
  // under reduction every edge is computed before any is emitted; else the edges up to the cut
  const limit = s.porUsedFor === curId ? Infinity : prior + s.enabled;
  let n = 0;
  s.expand(s.src, s.dst, s.ctx, () => ++n < limit);
  s.ctx.reset();
  const out = new Int32Array(counts.length);
  for (let i = 0; i < out.length; i++) out[i] = 2 * d0[i]! - counts[i]!;
  counts.set(d0);
  return out;
}

export interface CheckpointHeader {
  readonly littleEndian: boolean;
  readonly identity: Identity;
  readonly written: string;
  /** Search time so far, over every run of this search. */
  readonly seconds: number;
  readonly storeKind: 'states' | 'fingerprints';
  readonly count: number;
  readonly words: number;
  readonly wideSteps: boolean;
  readonly fingerprint?: { readonly queuedFrom: number; readonly firstLiveChunk: number; readonly peakQueueChunks: number };
  readonly cursor: { readonly curId: number; readonly skip: number };
  readonly transitions: number;
  readonly levels: number;
  readonly levelEnd: number;
  readonly depth: number;
  readonly probing: boolean;
  readonly boundHit: boolean;
  readonly observer: ReturnType<Search['obs']['snapshot']>;
  readonly facts: Record<string, unknown> | null;
  readonly tally: { readonly states: number; readonly transitions: number } | null;
  readonly por: number[] | null;
}
