/**
 * Run the CLI's main() in this process with captured streams: the same parsing, commands, reports
 * and error handling as the binary, without starting node (about 0.3 s of CPU each). The binary
 * itself (bin/, the process exit code, stack traces on the real stderr) is covered by the tests
 * that spawn it with cli() / cliAsync() from helpers.ts.
 */
import { main } from '../../src/cli/run.js';
import { cleanEnv, ROOT, type Run } from './helpers.js';

/** One write, in order across both streams (to check what is printed before what). */
export interface Write {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface InProcessRun extends Run {
  readonly writes: readonly Write[];
}

export interface InProcessOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Pretend stderr is a terminal (progress is drawn only there). */
  readonly stderrTTY?: boolean;
}

export async function runMain(args: readonly string[], opts: InProcessOptions = {}): Promise<InProcessRun> {
  const writes: Write[] = [];
  const sink = (stream: Write['stream'], isTTY: boolean) => ({ isTTY, write: (text: string): boolean => (writes.push({ stream, text }), true) });
  const io = { stdout: sink('stdout', false), stderr: sink('stderr', opts.stderrTTY === true), env: cleanEnv(opts.env), cwd: opts.cwd ?? ROOT };
  const code = await main(args, io);
  const joined = (stream: Write['stream']): string => writes.filter((w) => w.stream === stream).map((w) => w.text).join('');
  return { code, stdout: joined('stdout'), stderr: joined('stderr'), writes };
}
