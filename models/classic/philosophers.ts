/**
 * Dining philosophers: N philosophers (2..6) around a table, fork i between philosopher i-1 and
 * philosopher i. Philosopher i's left fork is fork i, its right fork is fork (i+1) mod N.
 *
 *   philosopher(i):  loop {
 *     take(first);             // wait until the fork is on the table, then hold it
 *     take(second);
 *     eat(); put(second); put(first);
 *   }
 *
 * order 'naive':      every philosopher takes left, then right: all holding their left fork is a
 *                     deadlock (the textbook circular wait).
 * order 'asymmetric': the last philosopher (N-1) takes right (fork 0) first, then left: the
 *                     circular wait is broken and the ring is deadlock-free.
 *
 * Hand derivation of the state space (pc_i in {0 thinking, 1 one_fork, 2 eating}). The forks are
 * functions of the pcs (who holds what), so a state is its pc vector. A pc vector is *valid* when
 * no fork is used by two philosophers:
 *   naive:      for every i, not (pc_{i-1} = 2 and pc_i >= 1)      (fork i: right of i-1, left of i)
 *   asymmetric: the same for forks 1..N-2; fork N-1: not (pc_{N-2} = 2 and pc_{N-1} = 2);
 *               fork 0: not (pc_{N-1} >= 1 and pc_0 >= 1).
 * Every reachable vector is valid (a step only takes a fork on the table). Every valid vector is
 * reachable from all-thinking in exactly sum(pc_i) steps: first let the eaters pick up their forks,
 * then the one-fork holders pick up their first fork; in a valid vector the forks each needs are
 * never used by anyone else. No path is shorter, because a pc only moves 0 -> 1 -> 2 -> 0, so
 * reaching pc_i needs at least pc_i steps of philosopher i. Hence:
 *   states = number of valid vectors,   BFS distance of a state = sum(pc_i).
 *
 * States (transfer matrices over the ring, T[a][b] = 1 when pc a may be followed by pc b):
 *   T = [[1,1,1],[1,1,1],[1,0,0]]   (after an eater comes a thinker)
 *   naive:      trace(T^N) = (1+sqrt2)^N + (1-sqrt2)^N (eigenvalues 0, 1 +- sqrt2)
 *               N = 2..6:  6, 14, 34, 82, 198
 *   asymmetric: trace(T^(N-2) . U . W), U = [[1,1,1],[1,1,1],[1,1,0]] (pair N-2 -> N-1),
 *               W = [[1,1,1],[1,0,0],[1,0,0]] (pair N-1 -> 0)
 *               N = 2..6:  5, 12, 29, 70, 169 (the Pell numbers)
 * Levels: the largest sum(pc_i) over valid vectors is N in both orders (all-one-fork in naive;
 *   (0,1,...,1,2) in asymmetric; no more: map every 2 to a 0 — the pc after it, or pc_0 when the
 *   last philosopher eats or holds fork 0 — an injection, so #2 <= #0), so N + 1 BFS layers.
 * Transitions: philosopher i can move when eating (put), when thinking and its first fork is on
 *   the table, or when holding one fork and its second fork is on the table.
 *   naive, by rotation symmetry E = N * (A + B + C) with (T^k)[x][y] counted as in T^k:
 *     A = #(pc_0 = 2) = (T^N)[2][2];  B = #(pc_0 = 0, pc_{N-1} != 2) = (T^N)[0][0] - (T^(N-1))[0][2];
 *     C = #(pc_0 = 1, pc_1 = 0) = (T^(N-1))[0][1].
 *     T^2..T^6 first rows: [3,2,2] [7,5,5] [17,12,12] [41,29,29] [99,70,70]; row 2 of T^k is row 0 of T^(k-1).
 *     N = 2: 2*(1+2+1) = 8;  N = 3: 3*(2+5+2) = 27;  N = 4: 4*(5+12+5) = 88;
 *     N = 5: 5*(12+29+12) = 265;  N = 6: 6*(29+70+29) = 768.
 *   asymmetric (no rotation symmetry): N = 2: 6 and N = 3: 22 by listing the 5 and 12 valid
 *     vectors and their movable philosophers by hand; in general
 *     E = sum_i sum_{x, y allowed} trace(prod_k P_k M_k), M_k the pair matrix of (pc_k, pc_k+1),
 *     P_k the projection on pc_i = x / pc_nb = y (nb: the other user of the fork i needs next),
 *     which gives N = 2..6: 6, 22, 72, 219, 638 (and 8, 27, 88, 265, 768 for naive, agreeing with
 *     the closed form above). test/models/classic.test.ts evaluates these products itself,
 *     from the fork-usage rules alone, independently of this file.
 * Deadlock (naive): no eater (it could put), no thinker (its left fork can only be held by an
 *   eating neighbour), so everyone holds exactly the left fork: the unique deadlock, N steps deep.
 */
import type { Model, ModelFactory, SourceRef, Step } from '../../src/engine/model.js';
import { Layout } from '../../src/engine/schema.js';
import { fieldSymmetry, renameMembers, rotations } from '../../src/engine/symmetry.js';

export type PhilosophersOrder = 'naive' | 'asymmetric';
export const PHILOSOPHER_ORDERS: readonly PhilosophersOrder[] = ['naive', 'asymmetric'];
export const MIN_PHILOSOPHERS = 2;
export const MAX_PHILOSOPHERS = 6;

const FILE = 'philosophers.pseudo';
const src = (line: string): SourceRef => ({ file: FILE, func: 'philosopher(i)', line });

const THINKING = 0;
const ONE_FORK = 1;
const EATING = 2;
const ON_TABLE = 0;

export function buildPhilosophers(params: { n?: number; order?: PhilosophersOrder } = {}): Model {
  const n = params.n ?? 3;
  const order = params.order ?? 'naive';
  if (!Number.isInteger(n) || n < MIN_PHILOSOPHERS || n > MAX_PHILOSOPHERS) throw new Error(`philosophers: n must be in ${MIN_PHILOSOPHERS}..${MAX_PHILOSOPHERS}, got ${n}`);
  if (!PHILOSOPHER_ORDERS.includes(order)) throw new Error(`philosophers: unknown order ${String(order)}`);

  const L = new Layout();
  const names = Array.from({ length: n }, (_, i) => `phil${i}`);
  const pc = names.map((p) => L.enum(`${p}.pc`, ['thinking', 'one_fork', 'eating'], p));
  // fork holder: 'table' or the philosopher holding it (value k+1 = phil k)
  const fork = Array.from({ length: n }, (_, f) => L.enum(`fork[${f}]`, ['table', ...names]));
  const schema = L.finish();

  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    const p = names[i]!;
    const left = i;
    const right = (i + 1) % n;
    const rightFirst = order === 'asymmetric' && i === n - 1;
    const first = rightFirst ? right : left;
    const second = rightFirst ? left : right;
    const side = (f: number): string => (f === left ? 'left' : 'right');
    const me = pc[i]!.offset;
    const f1 = fork[first]!.offset;
    const f2 = fork[second]!.offset;
    const holder = i + 1;
    steps.push(
      {
        id: `${p}.take_${side(first)}`,
        process: p,
        source: src(`take(${side(first)});  // fork[${first}]: wait until it is on the table`),
        guard: (s) => s[me] === THINKING && s[f1] === ON_TABLE,
        apply: (s) => {
          s[f1] = holder;
          s[me] = ONE_FORK;
        },
      },
      {
        id: `${p}.take_${side(second)}`,
        process: p,
        source: src(`take(${side(second)});  // fork[${second}]: wait until it is on the table`),
        guard: (s) => s[me] === ONE_FORK && s[f2] === ON_TABLE,
        apply: (s) => {
          s[f2] = holder;
          s[me] = EATING;
        },
      },
      {
        id: `${p}.eat_and_put`,
        process: p,
        source: src(`eat(); put(${side(second)}); put(${side(first)});`),
        guard: (s) => s[me] === EATING,
        apply: (s) => {
          s[f1] = ON_TABLE;
          s[f2] = ON_TABLE;
          s[me] = THINKING;
        },
      },
    );
  }

  return {
    name: 'philosophers',
    schema,
    processes: names,
    init: () => [schema.blank()], // everyone thinking, every fork on the table
    steps,
    properties: [
      {
        kind: 'always',
        id: 'neighbours-not-both-eating',
        description: 'two neighbours never eat at the same time (they share a fork)',
        check: (s) => {
          for (let i = 0; i < n; i++) if (s[pc[i]!.offset] === EATING && s[pc[(i + 1) % n]!.offset] === EATING) return false;
          return true;
        },
      },
      {
        kind: 'sometimes',
        id: 'phil0-eats',
        description: 'philosopher 0 eats',
        check: (s) => s[pc[0]!.offset] === EATING,
      },
    ],
    // no validEnd: philosophers never stop, so every terminal state is a deadlock
    describeDeadlock: (s) =>
      names
        .map((p, i) => {
          const held = fork.filter((f) => s[f.offset] === i + 1).map((f) => f.name);
          return `${p} holds ${held.join(', ') || 'nothing'}`;
        })
        .join('; ') + ': every philosopher waits for a fork its neighbour holds (circular wait)',
    info: { n, order },
    // the naive ring is invariant under rotation (philosopher i -> i + r, fork f -> f + r, a fork's
    // holder k -> k + r); the asymmetric one is not (its last philosopher is different)
    ...(order === 'naive'
      ? {
          symmetry: fieldSymmetry(
            schema,
            rotations(n).map((perm) => (f) => {
              const m = /^fork\[(\d+)\]$/.exec(f.name);
              if (m) return { to: fork[perm[Number(m[1])]!]!, value: (v: number) => (v === ON_TABLE ? v : perm[v - 1]! + 1) };
              return { to: renameMembers(schema, names, perm, f) };
            }),
            `rotations of the ${n} philosophers`,
          ),
        }
      : {}),
  };
}

export const philosophersFactory: ModelFactory = {
  name: 'philosophers',
  description: "Dining philosophers ring: 'naive' (left then right, deadlocks) or 'asymmetric' (last one right first)",
  params: [
    { name: 'n', description: 'number of philosophers', type: 'int', default: 3, min: MIN_PHILOSOPHERS, max: MAX_PHILOSOPHERS },
    { name: 'order', description: 'fork order', type: 'enum', default: 'naive', values: PHILOSOPHER_ORDERS },
  ],
  build: (p) => buildPhilosophers({ n: p['n'] as number | undefined, order: p['order'] as PhilosophersOrder | undefined }),
};
