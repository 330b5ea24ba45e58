/**
 * Breadth-first exhaustive exploration with property checks, budgets and progress events: the
 * entry point. It validates the options, builds the search (search/state.ts: store, counters,
 * the per-source protocol; observe.ts: properties; budget.ts: limits and progress) and runs one
 * driver over it — sequential (search/sequential.ts) or worker threads (search/parallel.ts),
 * either of them possibly a shard (search/shard.ts). BFS order makes every reported trace a
 * shortest one.
 */
import { ModelError, type Model } from './model.js';
import type { Result } from './result.js';
import { FingerprintStore, sharedAlloc, StateStore, STORE_MAX_LOAD, type VisitedStore } from './store.js';
import { Canonicalizer } from './symmetry.js';
import { PackedStateStore, type BadStateHandler } from './packed-store.js';
import type { ProgressListener } from './events.js';
import type { ParallelOptions } from './parallel.js';
import { Search } from './search/state.js';
import { runSequential } from './search/sequential.js';
import { ParallelRun } from './search/parallel.js';
import { searchResult } from './search/result.js';
import type { ShardOptions } from './search/shard.js';
import { PorAnalysis } from './reduce/por.js';
import type { PorStats } from './result.js';
import { Checkpointer, type CheckpointInfo, type CheckpointOptions } from './checkpoint/save.js';
import { loadCheckpoint, restoreSearch, unrestorableFacts } from './checkpoint/load.js';
import { searchIdentity, type Identity } from './checkpoint/identity.js';
import { CheckpointError } from './checkpoint/format.js';

export { DEADLOCK_ID } from './observe.js';
export { successors } from './search/successors.js';
export type { ShardOptions } from './search/shard.js';

export interface ExploreOptions {
  /** Stop (incomplete) when more than this many distinct states would be stored. */
  maxStates?: number;
  /** Do not explore beyond this many steps from an initial state (incomplete if states lie beyond). */
  maxDepth?: number;
  /** Seconds. */
  timeLimit?: number;
  /** Bytes of resident memory. */
  memoryLimit?: number;
  /**
   * Keep exploring after a violation; report each violated property once, each with its own
   * shortest trace. Default false: stop at the first violating state or edge, reporting every
   * property violated at that same point (e.g. a terminal property and the deadlock of one state).
   */
  allViolations?: boolean;
  /** Report states with no enabled step that are not valid end states. Default true. */
  deadlock?: boolean;
  /** Check that every new state keeps its fields inside their domains. Default true. */
  checkDomains?: boolean;
  onProgress?: ProgressListener;
  /** Milliseconds between progress events. Default 250. */
  progressInterval?: number;
  /** Store one state per orbit of the model's symmetry group (Model.symmetry). */
  symmetry?: boolean;
  /** Hash compaction: store 64-bit fingerprints instead of state vectors (may miss states; the probability is reported). */
  fingerprint?: boolean;
  /** Explore only part `index` of `count` (see search/shard.ts). */
  shard?: ShardOptions;
  /** Expand the frontier in worker threads (same result as the sequential search; see parallel.ts). */
  parallel?: ParallelOptions;
  /**
   * Partial-order reduction (reduce/por.ts, reduce/stubborn.ts) where the model declares its
   * steps' accesses: the same violated properties and deadlocks, fewer states; traces are real
   * but not always the shortest. Not with `parallel` or `shard` (the report says it was off).
   */
  por?: boolean;
  /**
   * A `sometimes` property (branch cover) that a complete search never reached is a violation.
   * Default false: it is a finding (Result.covers, reached false) that leaves the status alone,
   * unless the property itself sets failIfUnreached. Either turns partial-order reduction off (a
   * cover not reached under reduction is undecided; stats.por.offBy 'unreached-cover').
   */
  failOnUnreachedCover?: boolean;
  /**
   * Polled with the budgets (at most every 50 ms): true stops the search cleanly, as a budget
   * does, with incompleteReason `interrupted` (SIGINT / SIGTERM).
   */
  shouldStop?: () => boolean;
  /**
   * About how many states the search will store (e.g. the count of an earlier run): the index is
   * sized for it from the start instead of doubling its way there. A wrong hint costs memory or
   * growth, never a different result.
   */
  expectedStates?: number;
  /**
   * Save the search to a checkpoint file now and then, and when a budget or an interrupt stops it
   * (engine/checkpoint/). Sequential search only (not with `parallel` or `shard`).
   */
  checkpoint?: CheckpointOptions;
  /**
   * Continue the search saved in this checkpoint file. Its model and options must be those of
   * this search (the identity; a mismatch is a CheckpointError); the budgets may differ: max
   * states counts every stored state, the time limit this run only.
   */
  resume?: string;
  /** Entries the caller adds to the search's identity (the CLI: model origin, parameters, file hash). */
  identity?: Identity;
}

export function explore(model: Model, options: ExploreOptions = {}): Result {
  const words = model.schema.words;
  const nsteps = model.steps.length;
  const inits = model.init();
  // the step-id column also holds initial-state indices: widen it when either exceeds 16 bits
  const wide = nsteps > 0xffff || inits.length > 0xffff;
  const par = options.parallel;
  if (par && options.fingerprint) throw new ModelError('a parallel search cannot use hash compaction (--fingerprint): the workers read the store of full states');
  if (par && !(Number.isInteger(par.workers) && par.workers >= 1)) throw new ModelError(`bad worker count ${par.workers}`);
  if (par && nsteps >= 1 << 24) throw new ModelError('a parallel search handles at most 2^24 steps');
  const checkDomains = options.checkDomains !== false;
  const saving = options.checkpoint !== undefined || options.resume !== undefined;
  // the sequential search keeps states bit-packed, which checks the domains as it packs; so does a
  // parallel one until it launches its workers (then it moves them to a shared store, packed too)
  const packed = !options.fingerprint && checkDomains;
  const bits = indexBitsFor(options.expectedStates);
  const store: VisitedStore = options.fingerprint
    ? new FingerprintStore(words, wide, bits)
    : packed
      ? new PackedStateStore(model.schema, wide, bits)
      : par
        ? // without domain checks: the workers' shared store from the start, whole vectors
          new StateStore(words, wide, bits, sharedAlloc, null)
        : new StateStore(words, wide, bits);
  if (options.symmetry && !model.symmetry) throw new ModelError(`model ${model.name} declares no symmetry (symmetry reduction needs Model.symmetry)`);
  const canon = options.symmetry && model.symmetry ? new Canonicalizer(model.symmetry, words) : null;
  const por = options.por ? porPlan(model, options) : undefined;
  if (saving) refuseCheckpointModes(model, options);
  const identity = saving ? identityOf(model, inits, options, canon !== null, por?.analysis !== undefined) : {};
  // read the checkpoint before the search starts its clock
  let cp = options.resume !== undefined ? loadCheckpoint(options.resume, identity) : undefined;
  const s = new Search(model, store, canon, {
    maxStates: options.maxStates ?? Infinity,
    maxDepth: options.maxDepth ?? Infinity,
    allViolations: options.allViolations ?? false,
    deadlock: options.deadlock ?? true,
    // a packing store checks the domains as it packs
    checkDomains: checkDomains && !packed,
    shard: options.shard,
    timeLimit: options.timeLimit,
    memoryLimit: options.memoryLimit,
    onProgress: options.onProgress,
    progressInterval: options.progressInterval,
    por: por?.analysis,
    shouldStop: options.shouldStop,
  });
  if (store instanceof PackedStateStore || store instanceof StateStore) store.onBadState = packedDomainError(s);
  let resumedFrom: CheckpointInfo['resumedFrom'];
  if (cp) resumedFrom = restoreChecked(s, cp, model);
  else s.initial(inits);
  cp = undefined; // the file's bytes are not needed any more (they are as big as the store)
  const stoppedInInitial = s.incomplete !== undefined;
  const checkpoints = options.checkpoint ? new Checkpointer(options.checkpoint, identity, model, s.startId) : null;
  // the shared store the packed one moves to when the workers are launched: the same codec, an index for twice its states
  const shared = (from: PackedStateStore): StateStore => new StateStore(words, wide, Math.max(bits, indexBitsFor(2 * from.count)), sharedAlloc, from.codec);
  const parallel = par ? new ParallelRun(s, par, checkDomains, shared) : null;
  if (parallel) parallel.run();
  else runSequential(s, checkpoints);
  if (checkpoints !== null) checkpoints.finish(s, stoppedInInitial);
  const checkpoint: CheckpointInfo | undefined = checkpoints !== null ? { ...checkpoints.info(), ...(resumedFrom ? { resumedFrom } : {}) } : resumedFrom ? { written: 0, resumedFrom } : undefined;
  const result = searchResult(s, { fingerprint: options.fingerprint === true, workers: par?.workers, por: por && porStats(s, por), failOnUnreachedCover: options.failOnUnreachedCover === true, workerDrops: parallel?.drops });
  return checkpoint ? { ...result, checkpoint } : result;
}

/** The identity a checkpoint of this search carries (checkpoint/identity.ts). */
function identityOf(model: Model, inits: readonly Uint8Array[], options: ExploreOptions, symmetry: boolean, por: boolean): Identity {
  const search = {
    symmetry,
    fingerprint: options.fingerprint === true,
    por,
    maxDepth: options.maxDepth ?? null,
    deadlock: options.deadlock ?? true,
    checkDomains: options.checkDomains !== false,
    allViolations: options.allViolations ?? false,
  };
  return searchIdentity(model, inits, search, options.identity);
}

/** restoreSearch(), any failure of a file that passed its checksum but not its reading being a CheckpointError (exit 2). */
function restoreChecked(s: Search, cp: Parameters<typeof restoreSearch>[1], model: Model): NonNullable<CheckpointInfo['resumedFrom']> {
  try {
    return restoreSearch(s, cp, model);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`checkpoint ${cp.file} is corrupt (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Checkpoints are of a sequential search whose properties can take their facts back. */
function refuseCheckpointModes(model: Model, options: ExploreOptions): void {
  const what = options.resume !== undefined ? 'resuming from a checkpoint' : 'checkpoints';
  if (options.parallel) throw new CheckpointError(`${what} need the sequential search: not with worker threads (--workers)`);
  if (options.shard) throw new CheckpointError(`${what} need the whole search: not with --shard`);
  const bad = unrestorableFacts(model);
  if (bad.length > 0) throw new CheckpointError(`${what}: model ${model.name}'s propert${bad.length > 1 ? 'ies' : 'y'} ${bad.join(', ')} accumulate facts that a checkpoint cannot restore`);
}

/** The reduction's analysis, or why there is none. */
function porPlan(model: Model, options: ExploreOptions): PorPlan {
  // a mode without reduction: said so when the model would have had it (it declares accesses)
  const declares = model.steps.some((st) => st.access);
  if (options.parallel) return { reason: 'not available with worker threads (--workers)', ...(declares ? { offBy: 'workers' } : {}) };
  if (options.shard) return { reason: 'not available with shards (--shard)', ...(declares ? { offBy: 'shard' } : {}) };
  // under reduction a cover not reached is undecided (its states need not be kept): a run that
  // fails on one must decide it, so it searches everything
  if (options.failOnUnreachedCover === true || model.properties.some((p) => p.kind === 'sometimes' && p.failIfUnreached === true)) {
    return { reason: 'off where an unreached cover fails the run (--fail-on-unreached-cover or failIfUnreached): under reduction it would be undecided', ...(declares ? { offBy: 'unreached-cover' } : {}) };
  }
  const b = PorAnalysis.build(model);
  if (!b.ok) return { reason: b.reason };
  if (b.analysis.allDependent) {
    const why = model.steps.length < 2 ? 'the model has a single step' : 'every two steps of the model are dependent (by the accesses it declares)';
    return { reason: `nothing to reduce: ${why}`, offBy: 'all-dependent' };
  }
  return { analysis: b.analysis };
}

interface PorPlan {
  readonly analysis?: PorAnalysis;
  readonly reason?: string;
  readonly offBy?: PorStats['offBy'];
}

function porStats(s: Search, plan: PorPlan): PorStats {
  const a = plan.analysis;
  if (!a || !s.por) return { used: false, reason: plan.reason, ...(plan.offBy ? { offBy: plan.offBy } : {}) };
  const p = s.por;
  return { used: true, declaredSteps: a.declared, steps: s.nsteps, reducedStates: p.cut, fullStates: p.full, provisoStates: p.proviso, ...(p.abandoned ? { abandoned: true } : {}) };
}

/** Index size (log2 slots) for an expected state count: room for it below the load limit, 2^16 .. 2^28. */
export function indexBitsFor(expectedStates: number | undefined): number {
  if (expectedStates === undefined || !(expectedStates > 0)) return 16;
  return Math.min(28, Math.max(16, Math.ceil(Math.log2(expectedStates / STORE_MAX_LOAD))));
}

/** The packed store's report of a vector outside the domains: the observer's domain error. */
function packedDomainError(s: Search): BadStateHandler {
  return (code, v, parent, step) => s.obs.domainError(s.schema.fields[code], new Uint8Array(v.buffer, v.byteOffset, v.byteLength), parent, step);
}
