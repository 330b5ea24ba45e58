/**
 * The command names and which one a command line runs, without loading commander or any command
 * (main.ts asks before anything else is loaded, to start the search thread early).
 */

/** In help order; program.ts loads each one's module (its table must list the same names). */
export const COMMAND_NAMES = ['check', 'simulate', 'matrix', 'merge', 'list', 'replay', 'explain', 'serve'] as const;

/** Options that may come before the command (the program's global options). */
const GLOBAL_FLAGS = new Set(['--color', '--no-color', '--debug']);

/** The command argv names explicitly (after the global options), if any. */
export function namedCommand(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !GLOBAL_FLAGS.has(a));
  return (COMMAND_NAMES as readonly string[]).includes(first ?? '') ? first : undefined;
}

/**
 * True when the command line runs a `check` search (named, or the default command: no command
 * named and not `help`), not only its help or the version.
 */
export function runsCheck(argv: readonly string[]): boolean {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V')) return false;
  const named = namedCommand(argv);
  if (named !== undefined) return named === 'check';
  const first = argv.find((a) => !GLOBAL_FLAGS.has(a));
  return first !== 'help';
}
