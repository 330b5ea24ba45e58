import type { Pos } from './ast.js';

/** Malformed DVE input. The message is one line: `FILE:LINE:COL: what is wrong`. */
export class DveError extends Error {
  constructor(
    readonly file: string,
    readonly pos: Pos,
    readonly reason: string,
  ) {
    super(`${file}:${pos.line}:${pos.col}: ${reason.replace(/\s*\n\s*/g, ' ')}`);
    this.name = 'DveError';
  }
}
