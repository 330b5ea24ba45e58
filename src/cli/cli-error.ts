/**
 * The exit codes and the CLI's own error (one line, a hint, an exit code): apart from exit.ts
 * (which classifies every error and so loads commander and the engine's error classes) because
 * worker-job.ts needs them on the path that starts the search thread first of all (main.ts).
 */
export const EXIT = {
  pass: 0,
  violation: 1,
  usage: 2,
  incomplete: 3,
  internal: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line (plus a hint) and ends with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode = EXIT.usage,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usage = (message: string, hint?: string): CliError => new CliError(message, EXIT.usage, hint);
