/**
 * DVE (BEEM benchmark) input: `loadDve(path)` reads a .dve file and returns an engine Model.
 * `parseDve` gives the syntax tree, `compileDve` turns it into the Model. Malformed input raises a
 * DveError whose message is one line `FILE:LINE:COL: what is wrong`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Model } from '../engine/model.js';
import { compileDve as compile, type CompileOptions } from './compile.js';
import type { DveModel } from './ast.js';
import { parseDve } from './parser.js';
import { DveError } from './errors.js';

export { DveError } from './errors.js';
export { parseDve } from './parser.js';
export type { DveModel } from './ast.js';
export type { CompileOptions, ErrorSemantics } from './compile.js';

/** Compile a parsed model; `file` (default: the one given to parseDve) appears in errors and step sources. */
export function compileDve(ast: DveModel, name: string, file: string = ast.file, options: CompileOptions = {}): Model {
  return compile(ast, name, file, options);
}

/** Read and compile a .dve file. The model is named after the file (basename without `.dve`). */
export function loadDve(path: string, options: CompileOptions = {}): Model {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DveError(path, { line: 1, col: 1 }, `cannot read the file${code ? ` (${code})` : ''}`);
  }
  const name = basename(path).replace(/\.dve$/i, '');
  return compile(parseDve(text, path), name, path, options);
}
