/** The sequential breadth-first driver: expand the stored states in id order (the store is the queue). */
import type { Checkpointer } from '../checkpoint/save.js';
import type { Search } from './state.js';

/** Run from s.startId (0, or a resumed checkpoint's queue position); `checkpoints` may save the search between two states. */
export function runSequential(s: Search, checkpoints: Checkpointer | null = null): void {
  const store = s.store;
  for (s.curId = s.startId; s.curId < store.count && !s.stop; s.curId++) {
    if (checkpoints !== null) checkpoints.tick(s);
    const e = s.enterSource();
    if (e === 'stop') break;
    if (e === 'skip') continue;
    s.expandHere();
  }
}
