/**
 * CLI test helpers: run the built CLI as a child process, a JSON-Schema validator for the subset
 * schema/result.schema.json uses, and a small XML well-formedness parser. No side effects on import.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (dist/test/cli/helpers.js → ../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'xentimer-check.js');
export const FIXTURES = join('test', 'cli', 'fixtures');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without colour or timing switches inherited from the caller. */
export function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'XENTIMER_NO_TIMING', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) delete env[k];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Run `node bin/xentimer-check.js ...args` from the repo root (stdin closed, stdout/stderr pipes). */
export function cli(args: readonly string[], opts: { env?: Readonly<Record<string, string | undefined>>; cwd?: string } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: cleanEnv(opts.env),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Async variant, so independent runs in one test can overlap. */
export function cliAsync(args: readonly string[], opts: { env?: Readonly<Record<string, string | undefined>>; cwd?: string } = {}): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'xentimer-cli-'));
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export const ANSI = /\u001b\[/;

// ---------------------------------------------------------------------------------------------
// JSON Schema (2020-12) subset: type, enum, const, required, properties, additionalProperties,
// items, minItems, minimum, oneOf, anyOf, $ref to "#/..." pointers.

type Schema = boolean | { readonly [k: string]: unknown };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

/** Errors of `data` against `schema` (empty = valid). Unknown keywords are an error, so the subset cannot silently skip a check. */
export function validate(schema: Schema, data: unknown, root: Schema = schema, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: not allowed`];
  const errors: string[] = [];
  const known = new Set(['$schema', '$id', '$defs', 'title', 'description', 'type', 'enum', 'const', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'minimum', 'oneOf', 'anyOf', '$ref']);
  for (const k of Object.keys(schema)) if (!known.has(k)) errors.push(`${at}: schema keyword '${k}' is not supported by the test validator`);
  if (typeof schema['$ref'] === 'string') {
    const ref = schema['$ref'];
    if (!ref.startsWith('#/')) return [...errors, `${at}: unsupported $ref ${ref}`];
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown>)?.[part];
    if (target === undefined) return [...errors, `${at}: unresolved $ref ${ref}`];
    errors.push(...validate(target as Schema, data, root, at));
  }
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
    if (!types.some((t) => typeMatches(data, t))) return [...errors, `${at}: expected ${types.join('|')}, got ${typeOf(data)}`];
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].some((e) => e === data)) errors.push(`${at}: ${JSON.stringify(data)} is not one of ${JSON.stringify(schema['enum'])}`);
  if ('const' in schema && schema['const'] !== data) errors.push(`${at}: expected ${JSON.stringify(schema['const'])}, got ${JSON.stringify(data)}`);
  if (typeof schema['minimum'] === 'number' && typeof data === 'number' && data < schema['minimum']) errors.push(`${at}: ${data} < ${schema['minimum']}`);
  if (typeOf(data) === 'object') {
    const obj = data as Record<string, unknown>;
    for (const r of (schema['required'] as string[] | undefined) ?? []) if (!(r in obj)) errors.push(`${at}: missing required '${r}'`);
    const props = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errors.push(...validate(props[k]!, v, root, `${at}.${k}`));
      else if (schema['additionalProperties'] !== undefined) errors.push(...validate(schema['additionalProperties'] as Schema, v, root, `${at}.${k}`));
    }
  }
  if (Array.isArray(data)) {
    if (typeof schema['minItems'] === 'number' && data.length < schema['minItems']) errors.push(`${at}: fewer than ${schema['minItems']} items`);
    if (schema['items'] !== undefined) data.forEach((v, i) => errors.push(...validate(schema['items'] as Schema, v, root, `${at}[${i}]`)));
  }
  if (Array.isArray(schema['oneOf'])) {
    const ok = (schema['oneOf'] as Schema[]).filter((s) => validate(s, data, root, at).length === 0).length;
    if (ok !== 1) errors.push(`${at}: matches ${ok} of oneOf (expected exactly 1)`);
  }
  if (Array.isArray(schema['anyOf'])) {
    if (!(schema['anyOf'] as Schema[]).some((s) => validate(s, data, root, at).length === 0)) errors.push(`${at}: matches none of anyOf`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// XML: a strict little parser for what the JUnit formatter writes (prolog, elements, attributes,
// text, the five predefined entities and numeric references). Throws on malformed input.

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

function decodeEntities(s: string, where: number): string {
  return s.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`XML: bare '&' near offset ${where}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (name in named) return named[name]!;
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    if (/^#x[0-9a-fA-F]+$/.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    throw new Error(`XML: unknown entity &${name}; near offset ${where}`);
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const prolog = /^<\?xml[^?]*\?>\s*/.exec(src);
  if (prolog) i = prolog[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const NAME = /[A-Za-z_][\w.:-]*/y;
  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end < 0) throw new Error('XML: unterminated comment');
      i = end + 3;
    } else if (src.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(src);
      if (!m) throw new Error(`XML: bad closing tag at ${i}`);
      const top = stack.pop();
      if (!top || top.name !== m[0]) throw new Error(`XML: </${m[0]}> closes <${top?.name ?? 'nothing'}> at ${i}`);
      i = NAME.lastIndex;
      while (/\s/.test(src[i] ?? '')) i++;
      if (src[i] !== '>') throw new Error(`XML: expected '>' at ${i}`);
      i++;
    } else if (src[i] === '<') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(src);
      if (!m) throw new Error(`XML: bad tag at ${i}`);
      i = NAME.lastIndex;
      const attrs: Record<string, string> = {};
      for (;;) {
        while (/\s/.test(src[i] ?? '')) i++;
        if (src[i] === '>' || src.startsWith('/>', i)) break;
        NAME.lastIndex = i;
        const a = NAME.exec(src);
        if (!a) throw new Error(`XML: bad attribute at ${i}`);
        i = NAME.lastIndex;
        if (src[i] !== '=' || src[i + 1] !== '"') throw new Error(`XML: attribute ${a[0]} needs ="..." at ${i}`);
        const end = src.indexOf('"', i + 2);
        if (end < 0) throw new Error('XML: unterminated attribute');
        const raw = src.slice(i + 2, end);
        if (raw.includes('<')) throw new Error(`XML: '<' in attribute ${a[0]}`);
        if (a[0] in attrs) throw new Error(`XML: duplicate attribute ${a[0]}`);
        attrs[a[0]] = decodeEntities(raw, i);
        i = end + 1;
      }
      const el: XmlElement = { name: m[0], attrs, children: [], text: '' };
      if (stack.length > 0) stack.at(-1)!.children.push(el);
      else if (root) throw new Error('XML: more than one root element');
      else root = el;
      if (src.startsWith('/>', i)) i += 2;
      else {
        i++;
        stack.push(el);
      }
    } else {
      const end = src.indexOf('<', i);
      const text = src.slice(i, end < 0 ? src.length : end);
      if (stack.length === 0) {
        if (text.trim() !== '') throw new Error(`XML: text outside the root element at ${i}`);
      } else stack.at(-1)!.text += decodeEntities(text, i);
      i = end < 0 ? src.length : end;
    }
  }
  if (stack.length > 0) throw new Error(`XML: <${stack.at(-1)!.name}> is not closed`);
  if (!root) throw new Error('XML: no root element');
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/** The one-line error contract: exactly one non-empty stderr line, no stack frames. */
export function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}:\n${stderr}`);
  if (/^\s+at /m.test(stderr)) throw new Error(`stack trace on stderr:\n${stderr}`);
  return lines[0]!;
}
