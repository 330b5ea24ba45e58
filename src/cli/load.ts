/**
 * Turning a command-line model argument into a Model: a registered name (`xen-timer`,
 * `peterson`...), a `.dve` file (via src/dve when that part is present), or a JavaScript module
 * whose default export, `model` or `factory` export is a Model or a ModelFactory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Model, ModelFactory } from '../engine/model.js';
import type { ModelSpec } from '../engine/parallel.js';
import type { Value } from '../engine/schema.js';
import { DEFAULT_MODEL, findModel, listModels, resolveParams } from '../../models/registry.js';
import { CliError, EXIT, usage } from './exit.js';
import { camel } from './options.js';
import type { ModelOrigin } from './report.js';

export type GivenParams = Readonly<Record<string, string | number | boolean>>;

export interface LoadedModel {
  readonly model: Model;
  readonly origin: ModelOrigin;
  readonly factory?: ModelFactory;
  /** How a worker thread rebuilds the same model (parallel search). */
  readonly spec: ModelSpec;
}

/** The ModelSpec of a loaded model: registry name + parameters, a .dve path, or a module path + parameters. */
function specOf(origin: ModelOrigin, abs?: string): ModelSpec {
  if (origin.origin === 'registry') return { module: new URL('../../models/index.js', import.meta.url).href, export: 'buildRegistered', args: { name: origin.name, params: origin.params } };
  if (origin.origin === 'dve') return { module: new URL('../dve/index.js', import.meta.url).href, export: 'loadDve', args: abs };
  return { module: import.meta.url, export: 'buildModuleModel', args: { path: abs, params: origin.params } };
}

/** Worker-thread entry point: the model of a JS module, built as `check` builds it. */
export async function buildModuleModel(a: { path: string; params: GivenParams }): Promise<Model> {
  // a.path is absolute: the working directory (which may have been deleted) is not consulted
  return (await loadFile(a.path, a.params, '/')).model;
}

const COMMANDS = ['check', 'simulate', 'matrix', 'merge', 'list', 'replay', 'explain'];

function modelNames(): string {
  return listModels()
    .map((f) => f.name)
    .join(', ');
}

export function isModel(x: unknown): x is Model {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Partial<Model>;
  return typeof m.name === 'string' && typeof m.init === 'function' && Array.isArray(m.steps) && Array.isArray(m.properties) && typeof m.schema === 'object';
}

export function isFactory(x: unknown): x is ModelFactory {
  if (typeof x !== 'object' || x === null) return false;
  const f = x as Partial<ModelFactory>;
  return typeof f.name === 'string' && typeof f.build === 'function' && Array.isArray(f.params);
}

/** Map `preempt-rt` style names to the factory's `preemptRt` when that is what it declares. */
export function normaliseParams(f: ModelFactory, given: GivenParams): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(given)) {
    const name = f.params.some((p) => p.name === k) ? k : f.params.some((p) => p.name === camel(k)) ? camel(k) : k;
    out[name] = v;
  }
  return out;
}

export function buildFromFactory(f: ModelFactory, given: GivenParams, origin: Omit<ModelOrigin, 'params'>, abs?: string): LoadedModel {
  const params = resolveParams(f, normaliseParams(f, given));
  const model = f.build(params);
  if (!isModel(model)) throw new CliError(`model factory ${f.name} did not return a model`, EXIT.usage, 'build(params) must return a Model (schema, init, steps, properties)');
  const full: ModelOrigin = { ...origin, params: params as Record<string, Value> };
  return { model, factory: f, origin: full, spec: specOf(full, abs) };
}

export function looksLikePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || /\.(dve|js|mjs|cjs)$/i.test(spec);
}

/**
 * The built-in models register themselves when models/index.js is loaded — only when a model is
 * asked for by name: a run on a file (a .dve, a JS module) does not load the Xen model's modules.
 */
async function registerBuiltIns(): Promise<void> {
  await import('../../models/index.js');
}

export async function loadModel(spec: string | undefined, given: GivenParams, cwd: string): Promise<LoadedModel> {
  const name = spec ?? DEFAULT_MODEL;
  if (!looksLikePath(name)) {
    await registerBuiltIns();
    const f = findModel(name);
    if (f) return buildFromFactory(f, given, { origin: 'registry', name: f.name });
    if (!existsSync(resolve(cwd, name))) {
      if (name === DEFAULT_MODEL) throw new CliError(`model ${DEFAULT_MODEL} is not available in this build`, EXIT.usage, `available models: ${modelNames() || 'none'}`);
      const near = closest(name, [...COMMANDS, ...listModels().map((f) => f.name)]);
      const guess = near ? `did you mean '${near}'? ` : '';
      throw usage(`unknown model or command '${name}'`, `${guess}models: ${modelNames()}; commands: ${COMMANDS.join(', ')}; or give a path to a .dve file or a JS module`);
    }
  }
  return loadFile(name, given, cwd);
}

/** Edit distance (for "did you mean"). */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const dd = distance(name.toLowerCase(), c.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = c;
    }
  }
  return best;
}

function checkReadable(abs: string, shown: string): void {
  if (!existsSync(abs)) throw usage(`cannot read ${shown}: no such file`, 'give a registered model name, a .dve file or a JS module path');
  if (!statSync(abs).isFile()) throw usage(`cannot read ${shown}: not a file`, 'give a registered model name, a .dve file or a JS module path');
}

export async function loadFile(path: string, given: GivenParams, cwd: string): Promise<LoadedModel> {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  checkReadable(abs, path);
  if (/\.dve$/i.test(path)) {
    if (Object.keys(given).length > 0) throw usage(`a DVE model takes no parameters (got ${Object.keys(given).join(', ')})`, 'parameters such as --variant apply to built-in models');
    const dve = await loadDveModule();
    // errors and step sources name the file as the user gave it
    const model = readDve(dve, abs, path);
    if (!isModel(model)) throw new CliError(`loadDve(${path}) did not return a model`, EXIT.internal, 'a bug in src/dve');
    const origin: ModelOrigin = { origin: 'dve', name: model.name, path, params: {} };
    return { model, origin, spec: specOf(origin, abs) };
  }
  const found = await importModelModule(abs, path);
  if (isFactory(found)) return buildFromFactory(found, given, { origin: 'module', name: found.name, path }, abs);
  if (Object.keys(given).length > 0) throw usage(`the model in ${path} takes no parameters (got ${Object.keys(given).join(', ')})`, 'export a ModelFactory to accept parameters');
  const origin: ModelOrigin = { origin: 'module', name: (found as Model).name, path, params: {} };
  return { model: found as Model, origin, spec: specOf(origin, abs) };
}

/** The Model or ModelFactory a JS module exports (default export, or `model` / `factory`). */
async function importModelModule(abs: string, path: string): Promise<Model | ModelFactory> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw usage(`cannot load model module ${path}: ${e instanceof Error ? e.message : String(e)}`, 'the module must be JavaScript (ESM or CommonJS) that Node can import');
  }
  const candidates = [mod['default'], mod['model'], mod['factory']];
  const found = candidates.find((c) => isModel(c) || isFactory(c));
  if (found === undefined) {
    throw usage(`${path} exports no model`, 'export a Model or a ModelFactory as the default export, or as `model` / `factory`');
  }
  return found as Model | ModelFactory;
}

/** The ModelFactory of a JS module (matrix: every variant is built from it). */
export async function loadFactory(path: string, cwd: string): Promise<ModelFactory> {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  checkReadable(abs, path);
  const found = await importModelModule(abs, path);
  if (!isFactory(found)) throw usage(`${path} exports a model, not a model factory`, 'matrix builds each variant: export a ModelFactory (default export, or `factory`)');
  return found;
}

/** Parse and compile a DVE file; a model too big for the stack is bad input (exit 2), not a crash. */
function readDve(dve: DveModule, abs: string, path: string): unknown {
  try {
    return dve.parseDve && dve.compileDve ? dve.compileDve(dve.parseDve(readFileSync(abs, 'utf8'), path), basename(path).replace(/\.dve$/i, ''), path) : dve.loadDve(abs);
  } catch (e) {
    if (e instanceof RangeError) throw usage(`${path}: the model is too large or too deeply nested to read (${e.message})`, 'split long expressions and deep nesting');
    throw e;
  }
}

interface DveModule {
  loadDve(path: string): unknown;
  parseDve?(text: string, file: string): unknown;
  compileDve?(ast: unknown, name: string, file: string): unknown;
}

async function loadDveModule(): Promise<DveModule> {
  const url = new URL('../dve/index.js', import.meta.url);
  if (!existsSync(url)) throw usage('DVE input is not available in this build (src/dve is missing)', 'use a registered model or a JS module');
  const mod = (await import(url.href)) as Partial<DveModule>;
  if (typeof mod.loadDve !== 'function') throw usage('DVE input is not available in this build (src/dve exports no loadDve)', 'use a registered model or a JS module');
  return mod as DveModule;
}

/** Rebuild the model a report was made from (replay). Relative paths: the cwd first, then the report's folder. */
export async function rebuild(origin: ModelOrigin, cwd: string, reportDir: string): Promise<LoadedModel> {
  if (origin.origin === 'registry') {
    await registerBuiltIns();
    const f = findModel(origin.name);
    if (!f) throw usage(`the trace is of model '${origin.name}', which is not registered`, `models: ${modelNames()}`);
    return buildFromFactory(f, origin.params, { origin: 'registry', name: f.name });
  }
  const path = origin.path ?? '';
  const where = isAbsolute(path) || existsSync(resolve(cwd, path)) ? cwd : reportDir;
  const params = origin.origin === 'module' ? origin.params : {};
  const loaded = await loadFile(isAbsolute(path) ? path : resolve(where, path), params, cwd);
  return { ...loaded, origin: { ...loaded.origin, path } };
}
