/** Start `xentimer-check serve` as a child process for tests and stop it (SIGTERM) afterwards. No side effects on import. */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT, cleanEnv } from './helpers.js';

export interface Served {
  /** `http://127.0.0.1:PORT/` as printed by the server. */
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGTERM; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export function serve(args: readonly string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve printed no address within 30 s: ${out}${err}`)), 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      res({
        url: m[1]!,
        child,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited (${code}) before printing its address: ${out}${err}`));
    });
  });
}
