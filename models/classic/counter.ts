/**
 * The lost update: N processes (1..5) each increment a shared counter once.
 *
 *   variant 'racy' (x++ compiled to a load and a store)     variant 'atomic'
 *     read:   tmp = x;                                        inc:  atomic_inc(&x);
 *     write:  x = tmp + 1;
 *
 * Terminal property: when every process is done, x == N. The racy version violates it for N >= 2
 * (two processes read the same value, one store overwrites the other); the atomic one holds.
 * A process's `tmp` is dead after its store and is zeroed there, so states differing only in a
 * dead local are one state.
 *
 * Hand derivation of the racy state space. A state is: the set D of done processes (d = |D|),
 * the set R of processes between read and write with their tmp values (r = |R|), the rest fresh,
 * and x. Every step moves one process forward (fresh -> read -> done), so every path to a state
 * has the same length, 2d + r: levels = 2N + 1, and a violating end state is exactly 2N deep.
 * With d = 0, x = 0 and every tmp = 0: one state per (D, R) split.
 * With d >= 1: pending readers can read at any moment, so (x, tmps) is reachable iff some history
 * H of the d done processes ends with x and every tmp lies in V(H), the values x took in H.
 * V(H) = {0..m} (writing v needs a read of v-1). Writing value v needs a chain of v processes, so
 * m <= d; ending at x < m needs one more process than the chain (it read x-1 during the chain and
 * stores after m was written), so (m, x) is achievable iff x = m in 1..d, or 1 <= x < m <= d-1
 * (constructions: extra processes read 0 and store 1 before the chain starts; the late writer
 * reads x-1 in the chain and stores last). So x in 1..d-1 allows tmps in 0..d-1, x = d allows
 * tmps in 0..d:
 *     g(d, r) = (d-1) * d^r + (d+1)^r        (g(0, r) = 1)
 *     states  = sum_{d,r} N!/(d! r! (N-d-r)!) g(d, r)
 *             = 2^N + sum_{d>=1} C(N,d) [ (d-1)(d+1)^(N-d) + (d+2)^(N-d) ]
 *     transitions = sum of the same terms weighted by N - d (one step per unfinished process)
 *   N = 1: 3 states, 2 transitions, 3 levels
 *   N = 2: 12 states, 14 transitions, 5 levels   (also checked by listing the 12 states)
 *   N = 3: 59 states, 99 transitions, 7 levels   (8 + 27 + 21 + 3 by d)
 *   N = 4: 330 states, 740 transitions, 9 levels (16 + 108 + 150 + 52 + 4 by d)
 *   N = 5: 2027 states, 5755 transitions, 11 levels (32 + 405 + 910 + 570 + 105 + 5 by d)
 * End states: d = N, r = 0: g(N, 0) = N states (x = 1..N), N - 1 of them violate x == N.
 *
 * Atomic: a state is the set of done processes with x = d: 2^N states, N * 2^(N-1) transitions,
 * N + 1 levels, one end state (x = N), no violation.
 */
import type { Model, ModelFactory, SourceRef, Step } from '../../src/engine/model.js';
import { Layout } from '../../src/engine/schema.js';
import { fieldSymmetry, permutations, renameMembers } from '../../src/engine/symmetry.js';

export type CounterVariant = 'racy' | 'atomic';
export const COUNTER_VARIANTS: readonly CounterVariant[] = ['racy', 'atomic'];
export const MAX_COUNTER_PROCS = 5;

const FILE = 'counter.c';
const src = (line: string): SourceRef => ({ file: FILE, func: 'worker', line });

export function buildCounter(params: { procs?: number; variant?: CounterVariant } = {}): Model {
  const n = params.procs ?? 2;
  const variant = params.variant ?? 'racy';
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNTER_PROCS) throw new Error(`counter: procs must be in 1..${MAX_COUNTER_PROCS}, got ${n}`);
  if (!COUNTER_VARIANTS.includes(variant)) throw new Error(`counter: unknown variant ${String(variant)}`);
  const racy = variant === 'racy';

  const L = new Layout();
  const x = L.int('x', 0, n);
  const names = Array.from({ length: n }, (_, i) => `P${i}`);
  const pcValues = racy ? ['read', 'write', 'done'] : ['inc', 'done'];
  const DONE = pcValues.length - 1;
  const pc = names.map((p) => L.enum(`${p}.pc`, pcValues, p));
  const tmp = racy ? names.map((p) => L.int(`${p}.tmp`, 0, n, p)) : [];
  const schema = L.finish();

  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    const p = names[i]!;
    const me = pc[i]!.offset;
    if (racy) {
      const t = tmp[i]!.offset;
      steps.push(
        {
          id: `${p}.read`,
          process: p,
          source: src('tmp = x;'),
          guard: (s) => s[me] === 0,
          apply: (s) => {
            s[t] = s[x.offset]!;
            s[me] = 1;
          },
        },
        {
          id: `${p}.write`,
          process: p,
          source: src('x = tmp + 1;'),
          guard: (s) => s[me] === 1,
          apply: (s) => {
            s[x.offset] = s[t]! + 1;
            s[t] = 0; // dead after the store
            s[me] = DONE;
          },
        },
      );
    } else {
      steps.push({
        id: `${p}.inc`,
        process: p,
        source: src('atomic_inc(&x);'),
        guard: (s) => s[me] === 0,
        apply: (s) => {
          s[x.offset]!++;
          s[me] = DONE;
        },
      });
    }
  }

  const allDone = (s: Uint8Array): boolean => pc.every((f) => s[f.offset] === DONE);
  return {
    name: 'counter',
    schema,
    processes: names,
    init: () => [schema.blank()],
    steps,
    properties: [
      {
        kind: 'terminal',
        id: 'final-count',
        description: `when every process is done, x == ${n} (no increment is lost)`,
        check: (s) => s[x.offset] === n,
      },
    ],
    validEnd: allDone,
    info: { procs: n, variant },
    // the workers are interchangeable: any permutation of P0..P(N-1)
    symmetry: fieldSymmetry(schema, permutations(n).map((perm) => (f) => ({ to: renameMembers(schema, names, perm, f) })), `permutations of the ${n} workers`),
  };
}

export const counterFactory: ModelFactory = {
  name: 'counter',
  description: "N processes increment a shared counter once: 'racy' (load + store, loses updates) or 'atomic'",
  params: [
    { name: 'procs', description: 'number of processes (N)', type: 'int', default: 2, min: 1, max: MAX_COUNTER_PROCS },
    { name: 'variant', description: 'increment implementation', type: 'enum', default: 'racy', values: COUNTER_VARIANTS },
  ],
  build: (p) => buildCounter({ procs: p['procs'] as number | undefined, variant: p['variant'] as CounterVariant | undefined }),
};
