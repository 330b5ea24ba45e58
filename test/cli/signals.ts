/**
 * Interrupt test helper: run the real CLI process (the only one that takes signals; in-process
 * runs search in the calling thread) on test/cli/fixtures/slow.mjs and send it signals once the
 * search runs. slow.mjs says `slow: built` on stderr at each build; the search runs after the
 * `builds`-th (check and simulate build it twice, to check the parameters and in the worker
 * thread; matrix once, in the worker).
 */
import { spawn } from 'node:child_process';
import { BIN, cleanEnv, ROOT, type Run } from './helpers.js';

/** Start the CLI, send `signals` at the given milliseconds after the `builds`-th build of the model, collect the outcome. */
export function interrupted(args: readonly string[], signals: readonly [NodeJS.Signals, number][], builds = 2): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const timers: NodeJS.Timeout[] = [];
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (timers.length === 0 && stderr.split('slow: built').length === builds + 1) timers.push(...signals.map(([sig, ms]) => setTimeout(() => child.kill(sig), ms)));
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', rej);
    child.on('close', (code, signal) => {
      for (const t of [...timers, guard]) clearTimeout(t);
      res({ code: code ?? (signal ? -1 : null), stdout, stderr });
    });
  });
}
