/**
 * The CLI entry point (bin/xentimer-check.js imports this): the one place the process exit code is
 * set. A `check` starts its search thread first of all (search-host.ts), so that the thread's
 * start-up overlaps this one's: loading commander, the command and the model.
 */
import { runsCheck } from './command-names.js';
import { startSearchThread } from './search-host.js';

if (runsCheck(process.argv.slice(2))) startSearchThread();
const { EXIT } = await import('./exit.js');
const { main } = await import('./run.js');

// a closed pipe (`xentimer-check | head`) is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`xentimer-check: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.internal;
  },
);
