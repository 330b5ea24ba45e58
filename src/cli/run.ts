/**
 * main(): parse, run one command, and turn whatever happened into an exit code. Every error ends
 * here as one line on stderr (with a hint), with a stack trace only under --debug.
 */
import { classify, type ExitCode } from './exit.js';
import type { Ctx, Io } from './context.js';
import { buildProgram } from './program.js';

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  const ctx: Ctx = { io, code: 0 };
  const debug = argv.includes('--debug');
  try {
    await (await buildProgram(ctx, argv)).parseAsync([...argv], { from: 'user' });
    return ctx.code;
  } catch (err) {
    const c = classify(err);
    const hint = c.hint && !(debug && c.internal) ? ` (hint: ${c.hint})` : '';
    if (c.message) io.stderr.write(`xentimer-check: error: ${c.message}${hint}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return c.code;
  }
}
