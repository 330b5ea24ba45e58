/** The CLI entry point (bin/xentimer-check.js imports this): the one place the process exit code is set. */
import { EXIT } from './exit.js';
import { main } from './run.js';

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
