/** Deciding on colour and turning chalk into a Style (the only place chalk is used). */
import { Chalk } from 'chalk';
import { plain, type Style } from './format/style.js';

/**
 * --color / --no-color decide when given (they win over the environment). Otherwise off when
 * NO_COLOR is set (any value, even empty); FORCE_COLOR (not 0 / false) turns it on; else on only
 * for a terminal that is not TERM=dumb.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if ('NO_COLOR' in env) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

export function makeStyle(enabled: boolean): Style {
  if (!enabled) return plain;
  const c = new Chalk({ level: 1 });
  return { enabled: true, bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, blue: c.blue, cyan: c.cyan, magenta: c.magenta };
}
