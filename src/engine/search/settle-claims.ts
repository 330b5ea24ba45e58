/**
 * Claim mode, settled by the workers (search/claim-level.ts): once every block of a level is
 * expanded, the calling thread knows from the per-block counts of surviving candidates the first
 * id of each block (the sequential search numbers a level's new states in discovery-key order,
 * block after block). Each worker then stores the candidates of the blocks it expanded itself —
 * vector, links and index slot (`-(c + 1)` becomes `id + 1`) — so that the calling thread does no
 * work per new state. A block's candidates whose key still lies in its range are, in the order
 * the block met them, its new states in key order (claim-level.ts says why).
 */
import { STORE_CHUNK_SHIFT, type ClaimArena } from '../store.js';

const CHUNK_MASK = (1 << STORE_CHUNK_SHIFT) - 1;

/** A block a worker expanded: its index and the candidates it claimed or lowered, in discovery order. */
export interface ExpandedBlock {
  readonly k: number;
  readonly cands: Int32Array;
}

/** What to settle: blocks below `upTo` whole, block `stopBlock` up to the stopping rank (key * 4 + kind). */
export interface SettleJob {
  /** First id of each block. */
  readonly bases: Int32Array;
  readonly upTo: number;
  /** -1: none. */
  readonly stopBlock: number;
  readonly stopRank: number;
}

/** The store's chunks as the worker sees them (shared with the calling thread). */
export interface StoreViews {
  readonly vectors: readonly Int32Array<ArrayBufferLike>[];
  readonly parents: readonly Int32Array<ArrayBufferLike>[];
  readonly steps: readonly (Uint16Array<ArrayBufferLike> | Uint32Array<ArrayBufferLike>)[];
  readonly table: Int32Array<ArrayBufferLike>;
}

/** Where a level's blocks lie: sources [start, ...) cut in blocks of `blockSize`, keys source offset x nsteps + step. */
export interface LevelShape {
  readonly start: number;
  readonly blockSize: number;
  readonly nsteps: number;
  readonly words: number;
}

/** Store the surviving candidates of `blocks` as `job` says; returns how many were stored. */
export function settleClaims(blocks: readonly ExpandedBlock[], job: SettleJob, arena: ClaimArena, store: StoreViews, shape: LevelShape): number {
  let stored = 0;
  for (const b of blocks) {
    if (b.k < job.upTo) stored += settleBlockClaims(b, job.bases[b.k]!, Infinity, arena, store, shape);
    else if (b.k === job.stopBlock) stored += settleBlockClaims(b, job.bases[b.k]!, job.stopRank, arena, store, shape);
  }
  return stored;
}

/** The survivors of one block, from id `base` on, those ranked at most `maxRank` (a candidate ranks key * 4 + 2). */
function settleBlockClaims(b: ExpandedBlock, base: number, maxRank: number, arena: ClaimArena, store: StoreViews, shape: LevelShape): number {
  const { nsteps, words: w, start } = shape;
  const lo = b.k * shape.blockSize * nsteps;
  const hi = lo + shape.blockSize * nsteps;
  const { keys, vectors, hashes, slots } = arena;
  const t = store.table;
  let id = base;
  for (let j = 0; j < b.cands.length; j++) {
    const c = b.cands[j]!;
    const key = Atomics.load(keys, c);
    if (key < lo || key >= hi) continue;
    // survivors come in key order: the rest rank higher
    if (key * 4 + 2 > maxRank) break;
    const off = Math.floor(key / nsteps);
    const ci = id >>> STORE_CHUNK_SHIFT;
    const at = id & CHUNK_MASK;
    const vc = store.vectors[ci]!;
    const from = c * w;
    const to = at * w;
    for (let i = 0; i < w; i++) vc[to + i] = vectors[from + i]!;
    store.parents[ci]![at] = start + off;
    store.steps[ci]![at] = key - off * nsteps;
    const slot = slots[c]!;
    t[(slot << 1) | 1] = hashes[c]!;
    // the vector and the hash are written before the word that publishes them
    Atomics.store(t, slot << 1, id + 1);
    id++;
  }
  return id - base;
}
