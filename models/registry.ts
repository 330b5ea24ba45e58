/**
 * The model registry: every built-in model factory, looked up by name from the CLI.
 * Each model folder exports one ModelFactory; register it here.
 */
import type { ModelFactory } from '../src/engine/model.js';
import { strictInteger } from '../src/engine/number.js';

const factories: ModelFactory[] = [];

export const DEFAULT_MODEL = 'xen-timer';

export function registerModel(f: ModelFactory): void {
  if (factories.some((g) => g.name === f.name)) throw new Error(`model ${f.name} registered twice`);
  factories.push(f);
}

export function listModels(): readonly ModelFactory[] {
  return factories;
}

export function findModel(name: string): ModelFactory | undefined {
  return factories.find((f) => f.name === name);
}

/**
 * Resolve parameter values against a factory's specs: defaults filled in, values checked.
 * Throws ParamError (a one-line message) on an unknown parameter or a bad value.
 */
export function resolveParams(f: ModelFactory, given: Readonly<Record<string, string | number | boolean>>): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const p of f.params) out[p.name] = p.default;
  for (const [name, raw] of Object.entries(given)) {
    const p = f.params.find((q) => q.name === name);
    if (!p) throw new ParamError(`model ${f.name} has no parameter '${name}' (parameters: ${f.params.map((q) => q.name).join(', ') || 'none'})`);
    if (p.type === 'int') {
      const n = typeof raw === 'number' ? raw : strictInteger(String(raw));
      if (n === undefined || !Number.isInteger(n)) throw new ParamError(`parameter ${name} must be an integer, got '${String(raw)}'`);
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) throw new ParamError(`parameter ${name} must be in ${p.min}..${p.max}, got '${String(raw)}'`);
      out[name] = n;
    } else if (p.type === 'bool') {
      if (typeof raw === 'boolean') out[name] = raw;
      else if (raw === 'true' || raw === '1' || raw === 'on') out[name] = true;
      else if (raw === 'false' || raw === '0' || raw === 'off') out[name] = false;
      else throw new ParamError(`parameter ${name} must be true or false, got '${String(raw)}'`);
    } else {
      const v = String(raw);
      if (!p.values!.includes(v)) throw new ParamError(`parameter ${name} must be one of ${p.values!.join(', ')}, got '${v}'`);
      out[name] = v;
    }
  }
  return out;
}

export class ParamError extends Error {}

/** Build a registered model by name with resolved parameters (a ModelSpec entry point for worker threads). */
export function buildRegistered(a: { name: string; params: Readonly<Record<string, number | boolean | string>> }): import('../src/engine/model.js').Model {
  const f = findModel(a.name);
  if (!f) throw new ParamError(`no model named ${a.name}`);
  return f.build(resolveParams(f, a.params));
}
