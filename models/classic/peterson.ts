/**
 * Peterson's mutual exclusion for two processes (G. L. Peterson, 1981), as a cyclic model: each
 * process loops forever through its entry protocol, the critical section and the exit.
 *
 *   process i (j = 1 - i)                variant 'correct'
 *     ncs:       flag[i] = true;
 *     set_turn:  turn = j;
 *     wait:      await (!flag[j] || turn == i);
 *     cs:        flag[i] = false;          // leave the critical section
 *
 * Variant 'turn-first' swaps the first two lines (turn = j; then flag[i] = true;), the classic
 * broken version: a process can yield the turn, be overtaken, then raise its flag and walk in on
 * a turn the other process handed it.
 *
 * The program counter names the line about to run; `pc == cs` means "inside the critical section".
 * Nothing ever blocks forever (one of two waiting processes always has the turn), so there are no
 * terminal states and no validEnd is needed: a deadlock report would be a real bug.
 *
 * State counts, derived by hand (state = (pc0, pc1, turn); the flags are functions of the pcs:
 * flag[i] == (pc_i past the `flag[i] = true` line), so they add no states):
 *
 *  'correct': 20 states, 34 transitions, 7 BFS levels.
 *    Per pc pair (a, b), the reachable turn values are (t is written only by `turn = j`):
 *      (ncs,ncs) (set,ncs) (ncs,set) (set,set) (wait,wait): both turn values        5 x 2 = 10
 *      (wait|cs, ncs|set): turn = 1 (P0 wrote it last, P1 has not written since)      4
 *      (ncs|set, wait|cs): turn = 0 (symmetric)                                       4
 *      (cs,wait): turn = 0 (P1 wrote turn = 0 after P0 got in, or P0 got in on it)    1
 *      (wait,cs): turn = 1                                                            1
 *      (cs,cs): unreachable (mutual exclusion)                                        0
 *                                                                                  = 20
 *    Transitions: every non-waiting pc always has its step; a waiting process is blocked exactly
 *    when the other one has its flag up and the turn is not its own: (wait,set,1), (set,wait,0),
 *    (wait,wait,0) for P1, (wait,wait,1) for P0, (cs,wait,0), (wait,cs,1) = 6 blocked moves,
 *    so 20 x 2 - 6 = 34.
 *    Levels (BFS by hand from (ncs,ncs,0)): layer sizes 1, 2, 3, 4, 5, 4, 1 (the last one is
 *    (set,set,1), reached only after P0 has been through the critical section once) = 7 layers.
 *    P0 first enters its critical section after 3 steps (set_flag, set_turn, await).
 *
 *  'turn-first': 32 states (all 4 x 4 x 2 combinations are reachable, found by the same hand
 *    BFS: layer sizes 1, 2, 4, 6, 7, 6, 4, 2 = 32, 8 layers), 60 transitions (64 moves minus the
 *    4 blocked awaits: P0 at wait with pc1 in {wait,cs} and turn 1, P1 symmetric with turn 0).
 *    Both in the critical section needs every process to run its three entry lines: the shortest
 *    violation is exactly 6 steps (e.g. P0 turn=1; P1 turn=0; P1 flag; P1 await (flag[0] is
 *    down); P0 flag; P0 await (turn == 0)).
 */
import type { Model, ModelFactory, SourceRef, Step } from '../../src/engine/model.js';
import { Layout } from '../../src/engine/schema.js';

export type PetersonVariant = 'correct' | 'turn-first';
export const PETERSON_VARIANTS: readonly PetersonVariant[] = ['correct', 'turn-first'];

const FILE = 'peterson.pseudo';
const src = (line: string): SourceRef => ({ file: FILE, func: 'process(i)', line });

export function buildPeterson(params: { variant?: PetersonVariant } = {}): Model {
  const variant = params.variant ?? 'correct';
  if (!PETERSON_VARIANTS.includes(variant)) throw new Error(`peterson: unknown variant ${String(variant)}`);
  const flagFirst = variant === 'correct';
  // pc values in program order: the line each process is about to execute
  const lines = flagFirst ? ['ncs', 'set_turn', 'wait', 'cs'] : ['ncs', 'set_flag', 'wait', 'cs'];
  const NCS = 0;
  const WAIT = 2;
  const CS = 3;

  const L = new Layout();
  const pc = [0, 1].map((i) => L.enum(`P${i}.pc`, lines, `P${i}`));
  const flag = [0, 1].map((i) => L.bool(`flag[${i}]`));
  const turn = L.int('turn', 0, 1);
  const schema = L.finish();

  const steps: Step[] = [];
  for (const i of [0, 1]) {
    const j = 1 - i;
    const p = `P${i}`;
    const me = pc[i]!.offset;
    const other = flag[j]!.offset;
    const setFlag = (at: number): Step => ({
      id: `${p}.set_flag`,
      process: p,
      source: src('flag[i] = true;'),
      guard: (s) => s[me] === at,
      apply: (s) => {
        s[flag[i]!.offset] = 1;
        s[me] = at + 1;
      },
    });
    const setTurn = (at: number): Step => ({
      id: `${p}.set_turn`,
      process: p,
      source: src('turn = j;'),
      guard: (s) => s[me] === at,
      apply: (s) => {
        s[turn.offset] = j;
        s[me] = at + 1;
      },
    });
    if (flagFirst) steps.push(setFlag(NCS), setTurn(NCS + 1));
    else steps.push(setTurn(NCS), setFlag(NCS + 1));
    steps.push(
      {
        id: `${p}.await`,
        process: p,
        source: src('await (!flag[j] || turn == i);'),
        guard: (s) => s[me] === WAIT && (s[other] === 0 || s[turn.offset] === i),
        apply: (s) => {
          s[me] = CS;
        },
      },
      {
        id: `${p}.exit_cs`,
        process: p,
        source: src('flag[i] = false;  // leave the critical section'),
        guard: (s) => s[me] === CS,
        apply: (s) => {
          s[flag[i]!.offset] = 0;
          s[me] = NCS;
        },
      },
    );
  }

  return {
    name: 'peterson',
    schema,
    processes: ['P0', 'P1'],
    init: () => [schema.blank()], // both in the non-critical section, flags down, turn = 0
    steps,
    properties: [
      {
        kind: 'always',
        id: 'mutex',
        description: 'at most one process is in its critical section',
        check: (s) => !(s[pc[0]!.offset] === CS && s[pc[1]!.offset] === CS),
      },
      {
        kind: 'sometimes',
        id: 'p0-in-cs',
        description: 'process 0 is in its critical section',
        check: (s) => s[pc[0]!.offset] === CS,
      },
    ],
    // no validEnd: the processes loop forever, so no reachable state should be terminal
    info: { variant },
  };
}

export const petersonFactory: ModelFactory = {
  name: 'peterson',
  description: "Peterson's mutual exclusion for 2 processes (cyclic); 'turn-first' is the broken order",
  params: [{ name: 'variant', description: 'entry protocol order', type: 'enum', default: 'correct', values: PETERSON_VARIANTS }],
  build: (p) => buildPeterson({ variant: p['variant'] as PetersonVariant | undefined }),
};
