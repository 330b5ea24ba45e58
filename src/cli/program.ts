/** The commander program: global options, one command per module, `check` as the default. */
import { Command } from 'commander';
import type { Ctx } from './context.js';
import { EXIT_TABLE } from './exit.js';
import { toolVersion } from './paths.js';
import { namedCommand } from './command-names.js';

/** Same settings on every command: errors are thrown to main() instead of exiting, and printed there. */
function configure(cmd: Command, ctx: Ctx): Command {
  return cmd
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.io.stdout.write(s),
      writeErr: (s) => void ctx.io.stderr.write(s),
      // main() prints the one-line error with a hint
      outputError: () => {},
    })
    .configureHelp({ showGlobalOptions: true, helpWidth: 100 })
    .showSuggestionAfterError(true);
}

/**
 * The commands in help order, each loaded only when needed: a run of one named command loads only
 * its module (a `check` need not load the simulator, the HTML report or the server); help, the
 * default command and anything else load them all (suggestions need every name).
 */
const COMMANDS: readonly (readonly [string, () => Promise<(ctx: Ctx) => Command>])[] = [
  ['check', async () => (await import('./commands/check.js')).checkCommand],
  ['simulate', async () => (await import('./commands/simulate.js')).simulateCommand],
  ['matrix', async () => (await import('./commands/matrix.js')).matrixCommand],
  ['merge', async () => (await import('./commands/merge.js')).mergeCommand],
  ['list', async () => (await import('./commands/list.js')).listCommand],
  ['replay', async () => (await import('./commands/replay.js')).replayCommand],
  ['explain', async () => (await import('./commands/explain.js')).explainCommand],
  ['serve', async () => (await import('./commands/serve.js')).serveCommand],
];

/** The names of COMMANDS, in order (command-names.ts lists the same, for the start-up path). */
export function commandNames(): string[] {
  return COMMANDS.map(([name]) => name);
}

export async function buildProgram(ctx: Ctx, argv?: readonly string[]): Promise<Command> {
  const program = configure(new Command('xentimer-check'), ctx)
    .description('Explicit-state model checker for the KVM Xen timer code paths (arch/x86/kvm/xen.c).\nWith no command: check the default model (xen-timer, variant seed-v2).')
    .version(toolVersion(), '-V, --version')
    .option('--color', 'force colour, whatever NO_COLOR and TERM say (default: on when stdout is a terminal, NO_COLOR is unset and TERM is not dumb)')
    .option('--no-color', 'no colour, whatever FORCE_COLOR says (also NO_COLOR=1)')
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', `\nExit codes:\n${EXIT_TABLE.map((e) => `  ${e.code}  ${e.meaning}`).join('\n')}\n`);
  const only = argv ? namedCommand(argv) : undefined;
  const wanted = COMMANDS.filter(([name]) => only === undefined || name === only);
  const made = await Promise.all(wanted.map(async ([, load]) => (await load())(ctx)));
  wanted.forEach(([name], k) => program.addCommand(configure(made[k]!, ctx), name === 'check' ? { isDefault: true } : undefined));
  return program;
}
