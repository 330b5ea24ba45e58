/**
 * Reading a checkpoint back (save.ts wrote it) into a new Search of the same model: the identity
 * is compared first (a different model, parameter or option is a one-line CheckpointError, exit
 * 2), then the store is refilled in id order and the counters, properties and facts are restored,
 * so that the sequential driver continues at the checkpoint's queue position.
 */
import type { Model, TransitionProperty } from '../model.js';
import type { Search } from '../search/state.js';
import { FingerprintStore, importStates, StateStore } from '../store.js';
import { PackedStateStore } from '../packed-store.js';
import { CheckpointError, readCheckpointFile } from './format.js';
import { checkIdentity, type Identity } from './identity.js';
import type { CheckpointHeader, CheckpointInfo } from './save.js';

export interface LoadedCheckpoint {
  readonly file: string;
  readonly header: CheckpointHeader;
  readonly sections: ReadonlyMap<string, Uint8Array>;
}

/** Read and verify `file`, and check that it belongs to the search `identity` describes. */
export function loadCheckpoint(file: string, identity: Identity): LoadedCheckpoint {
  const f = readCheckpointFile(file);
  checkIdentity(file, f.header['identity'], identity);
  return { file, header: f.header as unknown as CheckpointHeader, sections: f.sections };
}

/** The transition properties whose facts a checkpoint could not carry (they have facts() but no restoreFacts()). */
export function unrestorableFacts(model: Model): string[] {
  return model.properties.filter((p): p is TransitionProperty => p.kind === 'transition' && p.facts !== undefined && p.restoreFacts === undefined).map((p) => p.id);
}

/** Restore checkpoint `cp` into the fresh search `s` (nothing stored yet); what the report says it resumed from. */
export function restoreSearch(s: Search, cp: LoadedCheckpoint, model: Model): NonNullable<CheckpointInfo['resumedFrom']> {
  const h = cp.header;
  const corrupt = (what: string): CheckpointError => new CheckpointError(`checkpoint ${cp.file} is corrupt (${what})`);
  // typed views of a section's bytes, in place (format.ts aligns them to 8 bytes)
  const section = <T>(name: string, As: { new (b: ArrayBufferLike, off: number, len: number): T; readonly BYTES_PER_ELEMENT: number }): T => {
    const b = cp.sections.get(name);
    if (!b) throw corrupt(`no ${name} section`);
    if (b.byteLength % As.BYTES_PER_ELEMENT !== 0) throw corrupt(`${name}: ${b.byteLength} bytes`);
    return new As(b.buffer, b.byteOffset, b.byteLength / As.BYTES_PER_ELEMENT);
  };
  const n = h.count;
  if (!Number.isSafeInteger(n) || n < 0 || h.words !== s.words || !(h.cursor.curId >= 0 && h.cursor.curId <= n) || !(h.cursor.skip >= 0)) throw corrupt('counts');
  const sized = <T extends { length: number }>(a: T, len: number, what: string): T => {
    if (a.length !== len) throw corrupt(`${what}: ${a.length} entries, expected ${len}`);
    return a;
  };
  const parents = sized(section('parents', Int32Array), n, 'parents');
  const steps = sized(h.wideSteps ? section('steps', Uint32Array) : section('steps', Uint16Array), n, 'steps');
  const store = s.store;
  if (h.storeKind === 'states' && (store instanceof StateStore || store instanceof PackedStateStore)) {
    const vectors = sized(section('vectors', Int32Array), n * s.words, 'vectors');
    if (!importStates(store, vectors, parents, steps, n)) throw corrupt('two equal states');
  } else if (h.storeKind === 'fingerprints' && store instanceof FingerprintStore && h.fingerprint) {
    const q = h.fingerprint;
    if (q.queuedFrom !== h.cursor.curId) throw corrupt('queue position');
    store.importStates({
      fingerprints: sized(section('fingerprints', Int32Array), 2 * n, 'fingerprints'),
      parents,
      steps,
      count: n,
      queued: sized(section('queued', Int32Array), (n - q.queuedFrom) * s.words, 'queued states'),
      queuedFrom: q.queuedFrom,
      firstLiveChunk: q.firstLiveChunk,
      peakQueueChunks: q.peakQueueChunks,
    });
  } else throw corrupt(`a store of ${h.storeKind} for this search's store`);

  s.fired.set(sized(section('fired', Float64Array), s.nsteps, 'step coverage'));
  s.transitions = h.transitions;
  s.priorSeconds = typeof h.seconds === 'number' && h.seconds >= 0 ? h.seconds : 0;
  s.levels = h.levels;
  s.levelEnd = h.levelEnd;
  s.depth = h.depth;
  s.probing = h.probing;
  s.boundHit = h.boundHit;
  s.obs.restore(h.observer);
  restoreFacts(model, h.facts ?? {});
  if (s.tally !== null) {
    if (!h.tally) throw corrupt('no orbit sizes');
    s.tally.restore(sized(section('orbits', Uint16Array), n, 'orbit sizes'), h.tally.states, h.tally.transitions);
  }
  if (s.por !== null && h.por) s.por.restoreCounters(h.por);
  if (model.dropCounts) model.dropCounts.set(sized(section('dropped', Int32Array), model.dropCounts.length, 'dropped transitions'));
  s.startId = s.curId = h.cursor.curId;
  s.skip = s.resumeSkip = h.cursor.skip;
  s.resumeId = h.cursor.curId;
  return { file: cp.file, states: n, expanded: h.cursor.curId, transitions: h.transitions };
}

function restoreFacts(model: Model, facts: Record<string, unknown>): void {
  for (const p of model.properties) {
    if (p.kind !== 'transition' || facts[p.id] === undefined) continue;
    if (!p.restoreFacts) throw new CheckpointError(`property ${p.id} cannot take back its facts from a checkpoint`);
    p.restoreFacts(facts[p.id]);
  }
}
