/**
 * Random simulation: seeded random walks for state spaces too big to exhaust (TLC / SPIN style),
 * with every failing schedule shrunk by fast-check to a minimal one.
 *
 * Walks. Run r (0-based) draws from its own xoshiro128** generator seeded from (seed, r), so a
 * run depends only on the seed, its number and the model. A walk starts at an initial state
 * (uniform among model.init()) and at each state picks uniformly among the enabled steps (guard
 * true and apply not returning false: a random guard-true step is applied, and dropped from the
 * candidates when its apply returns false). It stops after `depth` steps or where no step is
 * enabled. Properties are checked as explore() checks them on the states and edges of one walk:
 * ctx.fail assertions and transition properties on each edge, always and sometimes properties on
 * each new state (the initial one included), terminal properties and deadlock (not a validEnd,
 * unless `deadlock: false`) where no step is enabled, field domains on each new state. Without
 * allViolations everything stops at the first violating edge or state, reporting every property
 * violated at that point; with it, each property is reported once (the first walk that violated
 * it). The walk loop allocates nothing per step: the state and its successor live in two reused
 * word buffers and the path in a reused Int32Array.
 *
 * Transition properties may keep state across calls (the lock-order graph). With `fresh` given
 * and such properties present, every walk and every shrink evaluation of a transition property
 * gets a new copy of the model, so each walk is one independent execution (lockdep over one
 * boot) and a reported trace trips its property on its own. Without `fresh` they see every step
 * of every walk (as explore's see every edge), and their violations are reported unshrunk, as the
 * walk took them (a try on a used instance says nothing about the try alone).
 *
 * Shrinking. A schedule is a list of step indices, interpreted from the walk's initial state by
 * taking each listed step that is enabled and skipping the others; it fails for property P when P
 * is violated on the way (always / assert / transition: at the first violating state or edge,
 * where it is cut) or in its final state (terminal, deadlock: no step enabled there). The walk's
 * own path is such a schedule. fast-check's array shrinker (fc.array(fc.integer()).shrink:
 * dropping prefixes of every suffix, i.e. any one step or run of steps, and lowering step
 * indices) proposes smaller schedules; the first that still fails is taken, normalised (skipped
 * steps and the part after the violation dropped) and shrunk again, until no proposal fails.
 * At that fixpoint no single step can be removed. Shrink streams use no randomness, so shrinking
 * is deterministic: same model, seed, runs and depth, same result. The reported trace is the
 * replay() of the shrunk step ids, so it replays by construction.
 *
 * The result is never 'pass': a simulation proves nothing. Without a violation the status is
 * 'incomplete' with reason 'simulation' ('time-limit' when the time limit cut the runs short,
 * 'interrupted' when a stop request did: shouldStop, polled with the time limit and between
 * shrink tries, where it leaves the smallest failing schedule found so far);
 * with one it is 'violation', complete false (reason 'time-limit', 'interrupted' or none, as explore's
 * stop-at-first). Simulation facts (seed, runs, depth, walks taken, longest walk) are added to
 * the model's info as `simulation.*`; each violation's message says which run found it at what
 * depth and how far it was shrunk. stats.states counts the
 * distinct states visited (an exact set, up to `maxStoredStates`; beyond that a lower bound),
 * stats.transitions the steps taken, stats.depth the longest walk.
 */
import type { Model } from './model.js';
import type { Result } from './result.js';
import { Findings } from './simulate/findings.js';
import { checkNumbers, type SimulateOptions } from './simulate/options.js';
import { Pace } from './simulate/pace.js';
import { shrunkViolations, simulationResult, walkedCovers } from './simulate/result.js';
import { Shrinker } from './simulate/shrink.js';
import { Walker } from './simulate/walk.js';

export { DEFAULT_MAX_SHRINK_EVALUATIONS, DEFAULT_MAX_STORED_STATES, type SimulateOptions } from './simulate/options.js';
export { Rng } from './simulate/rng.js';
export { Shrinker, type Evaluation, type Shrunk } from './simulate/shrink.js';

export function simulate(model: Model, options: SimulateOptions): Result {
  const started = performance.now();
  checkNumbers(options);
  const { seed, runs, depth } = options;
  const findings = new Findings(model, options.allViolations ?? false);
  const walker = new Walker(model, options, findings);
  const pace = new Pace(started, runs, walker, options);
  const walks = walkRuns(walker, pace, findings, runs, options.shard);
  const checkDeadlock = options.deadlock ?? true;
  const shrinker = new Shrinker(model, options, checkDeadlock);
  const violations = shrunkViolations(model, seed, findings.found, shrinker);
  const covers = walkedCovers(model, findings);
  const end = performance.now();
  pace.finish(end, walks);
  return simulationResult({ model, seed, runs, depth, checkDeadlock, walks, walker, findings, pace }, violations, covers, end);
}

/** The walks of this shard's runs, until they are done, a violation stops them or the pace halts; the number walked. */
function walkRuns(walker: Walker, pace: Pace, findings: Findings, runs: number, shard: SimulateOptions['shard']): number {
  const shardIndex = shard?.index ?? 0;
  const shardCount = shard?.count ?? 1;
  let walks = 0;
  for (let run = shardIndex; run < runs && !findings.stop && !pace.halted; run += shardCount) {
    pace.currentRun = run;
    walker.walk(run, pace);
    walks++;
    pace.poll();
  }
  return walks;
}
