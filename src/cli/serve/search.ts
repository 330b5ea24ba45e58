/**
 * One search per server, started from the page (POST /api/search) and watched by polling
 * (GET /api/search). It runs in search-worker.ts; the status is kept in memory only.
 */
import { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../../engine/parallel.js';
import type { SearchStatus } from '../html/client/types.js';

export interface SearchRequest {
  readonly spec: ModelSpec;
  readonly limits: { readonly maxStates?: number; readonly maxDepth?: number; readonly timeLimit?: number; readonly memoryLimit?: number };
  readonly deadlock: boolean;
}

type Found = NonNullable<SearchStatus['violations']>;
export type SearchMessage =
  | { readonly type: 'progress'; readonly states: number; readonly depth: number; readonly seconds: number }
  | { readonly type: 'done'; readonly result: string; readonly states: number; readonly depth: number; readonly seconds: number; readonly violations: Found }
  | { readonly type: 'failed'; readonly error: string };

export class Search {
  private state: SearchStatus = { status: 'idle' };
  private worker: Worker | null = null;

  constructor(private readonly request: SearchRequest) {}

  status(): SearchStatus {
    return this.state;
  }

  /** Start unless one is running or has finished (its result stands: the model does not change). */
  start(): SearchStatus {
    if (this.state.status === 'running' || this.state.status === 'done') return this.state;
    this.state = { status: 'running', states: 0, depth: 0, seconds: 0 };
    const w = new Worker(new URL('./search-worker.js', import.meta.url), { workerData: this.request });
    this.worker = w;
    w.on('message', (m: SearchMessage) => this.receive(m));
    w.on('error', (e) => this.finish({ status: 'failed', error: e.message }));
    w.on('exit', (code) => {
      if (this.state.status === 'running') this.finish({ status: 'failed', error: `the search stopped (exit code ${code})` });
    });
    return this.state;
  }

  private receive(m: SearchMessage): void {
    if (m.type === 'progress') this.state = { status: 'running', states: m.states, depth: m.depth, seconds: m.seconds };
    else if (m.type === 'done') this.finish({ status: 'done', result: m.result, states: m.states, depth: m.depth, seconds: m.seconds, violations: m.violations });
    else this.finish({ status: 'failed', error: m.error });
  }

  private finish(s: SearchStatus): void {
    this.state = s;
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
