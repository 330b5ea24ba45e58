/**
 * DVE tokens: identifiers (keywords are identifiers the parser recognises), decimal / hex integer
 * literals, and operators. `//` and `/* *\/` comments and whitespace are skipped.
 */
import type { Pos } from './ast.js';
import { DveError } from './errors.js';

export type TokenKind = 'id' | 'num' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Numeric value of a `num` token. */
  readonly value: number;
  readonly pos: Pos;
  /** Offsets into the source text: [start, end). */
  readonly start: number;
  readonly end: number;
}

const OPS2 = ['->', '==', '!=', '<=', '>=', '<<', '>>', '&&', '||'];
const OPS1 = '{}[]();,.=+-*/%&|^!~<>?:';

export function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of file';
  return `'${t.text}'`;
}

export function lex(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const pos = (at: number): Pos => ({ line, col: at - lineStart + 1 });
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const p = pos(i);
      i += 2;
      for (;;) {
        if (i >= n) throw new DveError(file, p, 'unterminated comment');
        if (text[i] === '*' && text[i + 1] === '/') {
          i += 2;
          break;
        }
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      continue;
    }
    const start = i;
    const p = pos(i);
    if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      out.push({ kind: 'id', text: text.slice(start, i), value: 0, pos: p, start, end: i });
      continue;
    }
    if (/[0-9]/.test(c)) {
      let value: number;
      if (c === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9A-Fa-f]/.test(text[i + 2] ?? '')) {
        i += 2;
        while (i < n && /[0-9A-Fa-f]/.test(text[i]!)) i++;
        value = parseInt(text.slice(start + 2, i), 16);
      } else {
        while (i < n && /[0-9]/.test(text[i]!)) i++;
        value = parseInt(text.slice(start, i), 10);
      }
      if (i < n && /[A-Za-z_]/.test(text[i]!)) throw new DveError(file, p, `malformed number '${text.slice(start, i + 1)}'`);
      if (value > 0x7fffffff) throw new DveError(file, p, `number ${text.slice(start, i)} is too large`);
      out.push({ kind: 'num', text: text.slice(start, i), value, pos: p, start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (OPS2.includes(two)) {
      i += 2;
      out.push({ kind: 'op', text: two, value: 0, pos: p, start, end: i });
      continue;
    }
    if (OPS1.includes(c)) {
      i++;
      out.push({ kind: 'op', text: c, value: 0, pos: p, start, end: i });
      continue;
    }
    const shown = c.charCodeAt(0) < 32 || c.charCodeAt(0) > 126 ? `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
    throw new DveError(file, p, `unexpected character ${shown}`);
  }
  out.push({ kind: 'eof', text: '', value: 0, pos: pos(i), start: n, end: n });
  return out;
}
