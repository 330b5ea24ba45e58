/** Deciding on colour and turning chalk into a Style (the only place chalk is used). */
import { Chalk } from 'chalk';
import { plain, type Style } from './format/style.js';

/**
 * Off when NO_COLOR is set (any value, even empty), with --no-color, or when the stream is not a
 * terminal; --color or FORCE_COLOR (not 0) turn it on for a non-terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }, flag: boolean | undefined): boolean {
  if ('NO_COLOR' in env) return false;
  if (flag !== undefined) return flag;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return stream.isTTY === true;
}

export function makeStyle(enabled: boolean): Style {
  if (!enabled) return plain;
  const c = new Chalk({ level: 1 });
  return { enabled: true, bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, blue: c.blue, cyan: c.cyan, magenta: c.magenta };
}
