/**
 * What a checkpoint belongs to: the model (its name, a hash of its structure — state layout,
 * steps, properties, info — and of its initial states), the options that change the state space
 * or what is recorded in it (symmetry, hash compaction, partial-order reduction, depth bound,
 * deadlock and domain checks, all-violations), and what the caller adds (the CLI: where the model
 * came from, its parameters, a hash of the model file). A resumed search must match every entry;
 * the budgets (max states, time, memory) may differ.
 */
import { crypto } from '../builtins.js';
import type { Model } from '../model.js';
import { CheckpointError } from './format.js';

export type IdentityValue = string | number | boolean | null;
export type Identity = Readonly<Record<string, IdentityValue>>;

export interface IdentityOptions {
  readonly symmetry: boolean;
  readonly fingerprint: boolean;
  readonly por: boolean;
  readonly maxDepth: number | null;
  readonly deadlock: boolean;
  readonly checkDomains: boolean;
  readonly allViolations: boolean;
}

const sha = (s: string | Uint8Array): string => crypto().createHash('sha256').update(s).digest('hex').slice(0, 16);

/** The identity of a search of `model` (initial states `inits`) under `options`, plus the caller's entries. */
export function searchIdentity(model: Model, inits: readonly Uint8Array[], options: IdentityOptions, caller: Identity = {}): Identity {
  const structure = JSON.stringify({
    fields: model.schema.fields.map((f) => [f.name, f.kind, f.offset, f.width, f.signed, f.min, f.max]),
    steps: model.steps.map((s) => [s.id, s.process]),
    properties: model.properties.map((p) => [p.id, p.kind]),
    // where the file lies is not part of the model (the CLI hashes its contents)
    info: model.info ? Object.fromEntries(Object.entries(model.info).filter(([k]) => k !== 'file')) : null,
    symmetry: model.symmetry ? model.symmetry.size : null,
  });
  const initHash = crypto().createHash('sha256');
  for (const i of inits) initHash.update(i);
  return {
    ...caller,
    model: model.name,
    'model structure': sha(structure),
    'initial states': initHash.digest('hex').slice(0, 16),
    symmetry: options.symmetry,
    fingerprint: options.fingerprint,
    'partial-order reduction': options.por,
    'max depth': options.maxDepth,
    deadlock: options.deadlock,
    'domain checks': options.checkDomains,
    'all violations': options.allViolations,
  };
}

/** Throw (exit 2) naming the first entry in which the checkpoint's identity differs from this run's. */
export function checkIdentity(file: string, saved: unknown, now: Identity): void {
  const s = (saved ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(now), ...Object.keys(s)])];
  for (const k of keys) {
    if (s[k] === now[k]) continue;
    throw new CheckpointError(`checkpoint ${file} belongs to another search: ${k} is ${show(s[k])} there, ${show(now[k])} now`);
  }
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** A short hash of a file's bytes (the caller's model-file entry). */
export function contentHash(bytes: string | Uint8Array): string {
  return sha(bytes);
}
