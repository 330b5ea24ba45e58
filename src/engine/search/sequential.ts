/** The sequential breadth-first driver: expand the stored states in id order (the store is the queue). */
import type { Search } from './state.js';

export function runSequential(s: Search): void {
  const store = s.store;
  for (s.curId = 0; s.curId < store.count && !s.stop; s.curId++) {
    const e = s.enterSource();
    if (e === 'stop') break;
    if (e === 'skip') continue;
    s.expandHere();
  }
}
