/** `list [model]` — models, variants, parameters with defaults, properties with their meaning. */
import { Command, Option } from 'commander';
import { DEADLOCK_ID } from '../../engine/explore.js';
import type { ModelFactory, ParamSpec, PropertyKind } from '../../engine/model.js';
import { DEFAULT_MODEL, findModel, listModels, resolveParams } from '../../../models/index.js';
import { colorEnabled, makeStyle } from '../color.js';
import type { Ctx, GlobalOptions } from '../context.js';
import { EXIT, usage, type ExitCode } from '../exit.js';
import { params as paramText } from '../format/common.js';
import type { Style } from '../format/style.js';

interface ListOptions extends GlobalOptions {
  format?: 'text' | 'json';
}

const DEADLOCK_MEANING = 'no reachable state where nothing can move and the state is not a valid end (off with --no-deadlock)';

interface Listed {
  readonly name: string;
  readonly description: string;
  readonly variants: readonly string[];
  readonly params: readonly ParamSpec[];
  readonly defaults: Readonly<Record<string, number | boolean | string>>;
  readonly properties: readonly { id: string; kind: PropertyKind; description: string }[];
}

export function listCommand(ctx: Ctx): Command {
  return new Command('list')
    .summary('list models, variants, parameters and properties')
    .description('List the registered models with their variants, parameters (with defaults and ranges) and properties (built with the default parameters).')
    .argument('[model]', 'only this model')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((model: string | undefined, _o: unknown, cmd: Command) => {
      ctx.code = runList(ctx, model, cmd.optsWithGlobals<ListOptions>());
    });
}

function describe(f: ModelFactory): Listed {
  const defaults = resolveParams(f, {});
  const model = f.build(defaults);
  return {
    name: f.name,
    description: f.description,
    variants: f.params.find((p) => p.name === 'variant')?.values ?? [],
    params: f.params,
    defaults,
    properties: [
      ...model.properties.map((p) => ({ id: p.id, kind: p.kind as PropertyKind, description: p.description })),
      { id: DEADLOCK_ID, kind: 'deadlock' as PropertyKind, description: DEADLOCK_MEANING },
    ],
  };
}

function runList(ctx: Ctx, name: string | undefined, opts: ListOptions): ExitCode {
  // the default model first, then the registry order
  let factories = [...listModels()].sort((a, b) => Number(b.name === DEFAULT_MODEL) - Number(a.name === DEFAULT_MODEL));
  if (name !== undefined) {
    const f = findModel(name);
    if (!f) throw usage(`unknown model '${name}'`, `models: ${factories.map((g) => g.name).join(', ')}`);
    factories = [f];
  }
  const listed = factories.map(describe);
  if (opts.format === 'json') {
    ctx.io.stdout.write(JSON.stringify(listed, null, 2) + '\n');
    return EXIT.pass;
  }
  const style = makeStyle(colorEnabled(ctx.io.env, ctx.io.stdout, opts.color));
  ctx.io.stdout.write(listed.map((l) => text(l, style)).join('\n'));
  return EXIT.pass;
}

function range(p: ParamSpec): string {
  if (p.type === 'bool') return 'true|false';
  if (p.type === 'enum') return p.name === 'variant' && (p.values ?? []).length > 3 ? 'one of the variants' : (p.values ?? []).join('|');
  return `${p.min ?? ''}..${p.max ?? ''}`;
}

function flagFor(p: ParamSpec): string {
  const known: Record<string, string> = { variant: '--variant', vcpus: '--vcpus', ops: '--ops', invalidations: '--invalidations', preemptRt: '--preempt-rt', placement: '--placement' };
  return known[p.name] ?? `--param ${p.name}=`;
}

function text(l: Listed, style: Style): string {
  const out: string[] = [];
  out.push(`${style.bold(l.name)}  ${l.description}`);
  if (l.variants.length > 0) out.push(`  ${style.bold('variants')}: ${l.variants.map((v) => (v === l.defaults['variant'] ? `${v} (default)` : v)).join(', ')}`);
  if (l.params.length > 0) {
    out.push(`  ${style.bold('parameters')}`);
    const nameW = Math.max(...l.params.map((p) => p.name.length));
    const flagW = Math.max(...l.params.map((p) => flagFor(p).length));
    for (const p of l.params) {
      out.push(`    ${p.name.padEnd(nameW)}  ${style.dim(flagFor(p).padEnd(flagW))}  ${p.description}; ${range(p)}, default ${String(p.default)}`);
    }
  }
  out.push(`  ${style.bold('properties')} ${style.dim(`(with ${paramText(l.defaults) || 'no parameters'})`)}`);
  const idW = Math.max(...l.properties.map((p) => p.id.length));
  const kindW = Math.max(...l.properties.map((p) => p.kind.length));
  for (const p of l.properties) out.push(`    ${p.id.padEnd(idW)}  ${style.dim(p.kind.padEnd(kindW))}  ${p.description}`);
  return out.join('\n') + '\n';
}
