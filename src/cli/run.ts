/**
 * main(): parse, run one command, and turn whatever happened into an exit code. Every error ends
 * here as one line on stderr (with a hint), with a stack trace only under --debug.
 */
import { classify, usage, type ExitCode } from './exit.js';
import type { Ctx, Io } from './context.js';
import { buildProgram } from './program.js';
import { safeText } from './format/safe.js';

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: safeCwd(), signals: true };
}

/**
 * The working directory. When it was deleted (process.cwd() throws ENOENT) relative paths are
 * still read against the shell's $PWD (and are then missing: exit 2), and the process moves to `/`
 * so that worker threads, which ask for the cwd when they start, can start.
 */
export function safeCwd(): string {
  try {
    return process.cwd();
  } catch {
    process.chdir('/');
    return process.env['PWD'] || '/';
  }
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  const ctx: Ctx = { io, code: 0 };
  const debug = argv.includes('--debug');
  try {
    const program = await buildProgram(ctx, argv);
    checkHelpTopic(argv, program.commands.map((c) => c.name()));
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.code;
  } catch (err) {
    const c = classify(err);
    const hint = c.hint && !(debug && c.internal) ? ` (hint: ${c.hint})` : '';
    if (c.message) io.stderr.write(safeText(`xentimer-check: error: ${c.message}${hint}`) + '\n');
    if (debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return c.code;
  }
}

/** `help TOPIC` names a command; anything else is exit 2 (commander would print the general help and exit 0). */
function checkHelpTopic(argv: readonly string[], commands: readonly string[]): void {
  const topic = argv[0] === 'help' ? argv[1] : undefined;
  if (topic !== undefined && !topic.startsWith('-') && !commands.includes(topic)) throw usage(`unknown help topic '${topic}'`, `topics: ${commands.join(', ')}`);
}
