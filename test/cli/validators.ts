/**
 * Conformance checks with maintained libraries (issue 13 part 8): JSON Schema with ajv (draft
 * 2020-12 for schema/result.schema.json, draft-04 for the official SARIF 2.1.0 schema vendored in
 * test/fixtures/sarif), XML with fast-xml-parser (its validator for well-formedness, its parser
 * for the element tree the JUnit tests read).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const require = createRequire(import.meta.url);
// ajv ships CommonJS; its classes are the `default` export
const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => AjvLike }).default;
const AjvDraft04 = (require('ajv-draft-04') as { default: new (o: object) => AjvLike }).default;

interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: unknown }[] | null };
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SARIF_SCHEMA_FILE = join(ROOT, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json');

type Validator = ReturnType<AjvLike['compile']>;
const compiled = new WeakMap<object, Validator>();

function errorsOf(v: Validator, data: unknown): string[] {
  if (v(data)) return [];
  return (v.errors ?? []).map((e) => `$${e.instancePath}: ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** Errors of `data` against a JSON Schema 2020-12 `schema` (empty = valid), by ajv in strict mode. */
export function validate(schema: object, data: unknown): string[] {
  let v = compiled.get(schema);
  if (!v) {
    v = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);
    compiled.set(schema, v);
  }
  return errorsOf(v, data);
}

let sarif: Validator | undefined;

/** Errors of a SARIF log against the official SARIF 2.1.0 JSON schema (empty = valid). */
export function validateSarif(data: unknown): string[] {
  // the official schema's language pattern is not valid with the u flag: plain RegExp, as its authors meant
  sarif ??= new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false }).compile(JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')) as object);
  return errorsOf(sarif, data);
}

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false, trimValues: false, ignoreDeclaration: true });

function element(node: Ordered): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text') return undefined;
  const el: XmlElement = { name, attrs: { ...(node[':@'] ?? {}) }, children: [], text: '' };
  for (const c of node[name] as Ordered[]) {
    if ('#text' in c) el.text += String(c['#text']);
    else {
      const child = element(c);
      if (child) el.children.push(child);
    }
  }
  return el;
}

/** The root element of a well-formed XML document; throws on malformed input. */
export function parseXml(src: string): XmlElement {
  const ok = XMLValidator.validate(src);
  if (ok !== true) throw new Error(`XML: ${ok.err.msg} (line ${ok.err.line}, column ${ok.err.col})`);
  const roots = (parser.parse(src) as Ordered[]).map(element).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw new Error(`XML: ${roots.length} root elements`);
  return roots[0]!;
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
