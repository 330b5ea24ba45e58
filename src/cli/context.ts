/** What every command gets: the streams, environment and working directory, and where to put its exit code. */
import type { ExitCode } from './exit.js';

export interface OutStream {
  readonly isTTY?: boolean;
  write(s: string): boolean;
}

export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * This is the real process (bin/): long searches run in a worker thread so that SIGINT /
   * SIGTERM stop them cleanly. In-process callers (tests) leave it unset: the search runs in the
   * calling thread.
   */
  readonly signals?: boolean;
}

export interface Ctx {
  readonly io: Io;
  /** Set by the command that ran; main() turns it into the process exit code. */
  code: ExitCode;
}

/** Global options (on the program, usable after any command). */
export interface GlobalOptions {
  readonly color?: boolean;
  readonly debug?: boolean;
}

/** `--no-timing` or XENTIMER_NO_TIMING=1 (any value but 0/empty): leave timing out of reports. */
export function timingEnabled(env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const v = env['XENTIMER_NO_TIMING'];
  return v === undefined || v === '' || v === '0';
}
