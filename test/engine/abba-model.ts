/**
 * A model for worker threads (built from its module URL) with a lock-order inversion that the
 * lock-order graph learns over several levels: a setup task picks one of `ids` ids, then a worker
 * nests b inside a for an even id and a inside b for an odd one (test/cli/fixtures/lock-halves.mjs,
 * with parameters), the odd ones only once a spinner has counted to `spin`: the graph learns a -> b
 * many levels before b -> a, and the levels hold several blocks.
 */
import type { Model } from '../../src/engine/model.js';
import { mutex, src, System } from '../../src/kernel/index.js';

export function abba(args: { readonly ids: number; readonly spin: number }): Model {
  const S = (line: string) => src('abba.c', 'worker', line);
  const sys = new System({ preemptRt: false });
  const id = sys.layout.int('id', 0, args.ids - 1);
  const n = sys.layout.int('n', 0, args.spin);
  const setup = sys.task('setup', 0);
  const worker = sys.task('worker', 1);
  const spinner = sys.task('spinner', 1);
  const locks = { a: mutex(sys, 'a'), b: mutex(sys, 'b') };
  for (let i = 0; i < args.ids; i++) setup.step({ at: 'idle', next: 'done', id: `setup:pick${i}`, src: src('abba.c', 'setup', `id = ${i};`), run: (s) => void (s[id.offset] = i) });
  const setupDone = setup.label('done');
  // an odd id waits for the spinner: the graph learns a -> b many levels before b -> a
  worker.step({ at: 'idle', id: 'worker:start', src: S('if (id % 2) goto odd;'), guard: (s) => setup.at(s, setupDone) && (s[id.offset]! % 2 === 0 || s[n.offset] === args.spin), run: (s) => worker.label(s[id.offset]! % 2 ? 'odd' : 'even') });
  for (const [path, [x, y]] of [
    ['even', ['a', 'b']],
    ['odd', ['b', 'a']],
  ] as const) {
    worker.step({ at: path, next: `${path}.lock_${x}`, src: S(`${path}:`) });
    locks[x].lock(worker, `${path}.lock_${x}`, `${path}.lock_${y}`, S(`mutex_lock(&${x});`));
    locks[y].lock(worker, `${path}.lock_${y}`, `${path}.unlock_${y}`, S(`mutex_lock(&${y});`));
    locks[y].unlock(worker, `${path}.unlock_${y}`, `${path}.unlock_${x}`, S(`mutex_unlock(&${y});`));
    locks[x].unlock(worker, `${path}.unlock_${x}`, 'done', S(`mutex_unlock(&${x});`));
  }
  const workerDone = worker.label('done');
  spinner.step({ at: 'idle', next: 'idle', id: 'spinner:tick', src: src('abba.c', 'spinner', 'n++;'), guard: (s) => s[n.offset]! < args.spin, run: (s) => void s[n.offset]!++ });
  spinner.step({ at: 'idle', next: 'done', id: 'spinner:stop', src: src('abba.c', 'spinner', 'return;') });
  const spinnerDone = spinner.label('done');
  return sys.finish({ name: 'abba', validEnd: (s) => setup.at(s, setupDone) && worker.at(s, workerDone) && spinner.at(s, spinnerDone) });
}
