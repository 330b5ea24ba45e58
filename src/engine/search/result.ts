/** The end of a search: its verdict, statistics, traces and coverage as a Result. */
import { storeFigures, type PorStats, type Result } from '../result.js';
import { fingerprintCollisionProbability } from '../store.js';
import type { Search } from './state.js';
import type { DropTally } from './dropped.js';

export interface ResultExtras {
  readonly fingerprint: boolean;
  readonly workers?: number;
  readonly por?: PorStats;
  /** Every unreached cover of a complete search is a violation (otherwise only those with failIfUnreached). */
  readonly failOnUnreachedCover?: boolean;
  /** A parallel search: the dropped transitions its workers counted. */
  readonly workerDrops?: DropTally;
}

export function searchResult(s: Search, extras: ResultExtras): Result {
  const { store, obs, canon, tally, split, budget } = s;
  let incomplete = s.incomplete;
  if (!incomplete && s.boundHit) incomplete = 'max-depth';
  if (!incomplete && s.stop && obs.found.length === 0) incomplete = 'stopped';
  const complete = !incomplete && !s.stop;

  // before any trace is rebuilt: rebuilding calls model.init(), which may reset what the
  // accumulating properties learned
  const facts = obs.facts();
  const end = performance.now();
  budget.finish(end);

  const violations = obs.violations();
  let covers = obs.covers();
  if (s.por !== null && s.por.cut > 0) {
    // the reduction need not keep a cover's states: one not reached is not decided
    covers = covers.map((c) => (c.reached ? c : { ...c, undecided: true }));
  } else if (complete && (split === null || split.level === null)) {
    // a shard cannot tell that a branch is unreachable: another shard may reach it
    const fails = (id: string): boolean => extras.failOnUnreachedCover === true || s.model.properties.some((p) => p.id === id && p.kind === 'sometimes' && p.failIfUnreached === true);
    for (const c of covers) if (!c.reached && fails(c.property)) violations.push(obs.unreached(c));
  }
  // a resumed search: the time of the runs before it too (the rate is over every state stored)
  const seconds = (end - budget.started) / 1000 + s.priorSeconds;
  const levels = s.levels;
  return {
    model: s.model.name,
    status: violations.length > 0 ? 'violation' : incomplete ? 'incomplete' : 'pass',
    incompleteReason: incomplete,
    complete,
    stats: {
      states: store.count,
      transitions: s.transitions,
      levels,
      depth: Math.max(0, levels - 1),
      seconds,
      ...storeFigures(store, s.schema.size, seconds),
      peakRssBytes: budget.peakRss,
      ...(canon !== null && tally !== null
        ? { symmetry: { group: canon.sym.size, description: canon.sym.description, unreducedStates: tally.states, unreducedTransitions: tally.transitions, reduction: tally.states / Math.max(1, store.count) } }
        : {}),
      ...(extras.fingerprint ? { fingerprint: { bits: 64 as const, collisionProbability: fingerprintCollisionProbability(store.count) } } : {}),
      ...(split !== null ? { shard: split.stats() } : {}),
      ...(extras.workers !== undefined ? { workers: extras.workers } : {}),
      ...(extras.por ? { por: extras.por } : {}),
    },
    violations,
    covers,
    ...droppedOf(s.model, extras.workerDrops),
    coverage: s.steps.map((st, i) => ({ step: st.id, process: st.process, fired: s.fired[i]! })),
    properties: obs.checked(),
    info: s.model.info,
    ...(facts ?? {}),
  };
}

/** The model's dropped transitions, when there are any (with those the workers of a parallel search counted). */
function droppedOf(model: Search['model'], workers: DropTally | undefined): { dropped?: ReturnType<NonNullable<Search['model']['droppedTransitions']>> } {
  const d = workers ? workers.merged(model) : (model.droppedTransitions?.() ?? []);
  return d.length > 0 ? { dropped: d } : {};
}
