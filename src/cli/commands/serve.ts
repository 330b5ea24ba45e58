/** `serve [model]` — the interactive explorer: a loopback web server over one model. */
import { Command, InvalidArgumentError } from 'commander';
import type { Ctx } from '../context.js';
import { EXIT, usage, type ExitCode } from '../exit.js';
import { params } from '../format/common.js';
import { loadModel } from '../load.js';
import { startServer, HOST, type Running } from '../serve/server.js';
import { givenParams, withBudgets, withModelParams, type CheckOptions } from './check.js';

interface ServeOptions extends CheckOptions {
  port?: number;
}

export function serveCommand(ctx: Ctx): Command {
  const cmd = withModelParams(
    new Command('serve')
      .summary('interactive explorer in the browser: take steps, search, share permalinks')
      .description(
        `Serve an explorer for a model on ${HOST} (loopback only) and print its address. The page starts from the initial state, lists the enabled ` +
          'steps with their process and C line, draws the path taken as a race diagram with the full state after each step, runs a search for ' +
          'violations (the budgets below apply to it) and jumps to their shortest traces. The URL encodes the path as step ids: it is a permalink. ' +
          'Nothing is written to disk. Stop with Ctrl+C.',
      )
      .argument('[model]', 'model name, .dve file or JS module (default: xen-timer)'),
  );
  return withBudgets(cmd, false)
    .option('--no-deadlock', 'the search does not report deadlocks')
    .option('--port <n>', 'TCP port (default: a free one, printed at start)', parsePort)
    .action(async (model: string | undefined, _o: unknown, c: Command) => {
      ctx.code = await runServe(ctx, model, c.optsWithGlobals<ServeOptions>());
    });
}

function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new InvalidArgumentError(`'${raw}' is not a TCP port (0..65535; 0 picks a free one).`);
  return Number(raw);
}

async function runServe(ctx: Ctx, spec: string | undefined, opts: ServeOptions): Promise<ExitCode> {
  const loaded = await loadModel(spec, givenParams(opts), ctx.io.cwd);
  const limits = {
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
    ...(opts.timeLimit !== undefined ? { timeLimit: opts.timeLimit } : {}),
    ...(opts.memoryLimit !== undefined ? { memoryLimit: opts.memoryLimit } : {}),
  };
  const p = params(loaded.origin.params);
  let running: Running;
  try {
    running = await startServer({ model: loaded.model, params: p, search: { spec: loaded.spec, limits, deadlock: opts.deadlock !== false } }, opts.port ?? 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw usage(`cannot listen on ${HOST}:${opts.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}`, 'pick another --port, or leave it out to get a free one');
    throw e;
  }
  ctx.io.stdout.write(`explorer for ${loaded.model.name}${p ? ` (${p})` : ''} at ${running.url}\n`);
  ctx.io.stderr.write('press Ctrl+C to stop\n');
  await untilSignal();
  await running.close();
  return EXIT.pass;
}

function untilSignal(): Promise<void> {
  return new Promise((res) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      res();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
