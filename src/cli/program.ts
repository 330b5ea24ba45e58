/** The commander program: global options, one command per module, `check` as the default. */
import { Command } from 'commander';
import { checkCommand } from './commands/check.js';
import { explainCommand } from './commands/explain.js';
import { listCommand } from './commands/list.js';
import { matrixCommand } from './commands/matrix.js';
import { mergeCommand } from './commands/merge.js';
import { replayCommand } from './commands/replay.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import type { Ctx } from './context.js';
import { EXIT_TABLE } from './exit.js';
import { toolVersion } from './paths.js';

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

export function buildProgram(ctx: Ctx): Command {
  const program = configure(new Command('xentimer-check'), ctx)
    .description('Explicit-state model checker for the KVM Xen timer code paths (arch/x86/kvm/xen.c).\nWith no command: check the default model (xen-timer, variant seed-v2).')
    .version(toolVersion(), '-V, --version')
    .option('--color', 'force colour, whatever NO_COLOR and TERM say (default: on when stdout is a terminal, NO_COLOR is unset and TERM is not dumb)')
    .option('--no-color', 'no colour, whatever FORCE_COLOR says (also NO_COLOR=1)')
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', `\nExit codes:\n${EXIT_TABLE.map((e) => `  ${e.code}  ${e.meaning}`).join('\n')}\n`);
  program.addCommand(configure(checkCommand(ctx), ctx), { isDefault: true });
  program.addCommand(configure(simulateCommand(ctx), ctx));
  program.addCommand(configure(matrixCommand(ctx), ctx));
  program.addCommand(configure(mergeCommand(ctx), ctx));
  program.addCommand(configure(listCommand(ctx), ctx));
  program.addCommand(configure(replayCommand(ctx), ctx));
  program.addCommand(configure(explainCommand(ctx), ctx));
  program.addCommand(configure(serveCommand(ctx), ctx));
  return program;
}
