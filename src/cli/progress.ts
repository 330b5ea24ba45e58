/**
 * Progress on stderr: one rewritten line, only when stderr is a terminal, at most 4 updates a
 * second (the explorer's progress interval), never in --quiet or machine-format runs.
 */
import type { Progress } from '../engine/events.js';
import { bytes, int, rate, seconds } from './format/common.js';

export interface ProgressSink {
  readonly onProgress?: (p: Progress) => void;
  readonly interval: number;
  /** Erase the progress line (before printing the report). */
  done(): void;
}

export const PROGRESS_INTERVAL_MS = 250;

export function progressLine(p: Progress): string {
  return `  ${int(p.states)} states · ${rate(p.statesPerSecond)} · depth ${p.depth} · queue ${int(p.queue)} · ${seconds(p.seconds)} · ${bytes(p.rssBytes)}`;
}

/** A progress line on `stream` when `enabled`, it is a terminal and the terminal moves the cursor (not TERM=dumb). */
export function makeProgress(stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean }, enabled: boolean, env: NodeJS.ProcessEnv = process.env): ProgressSink {
  if (!enabled || stream.isTTY !== true || env['TERM'] === 'dumb') return { interval: PROGRESS_INTERVAL_MS, done: () => {} };
  let shown = false;
  let last = 0;
  return {
    interval: PROGRESS_INTERVAL_MS,
    onProgress: (p) => {
      const now = Date.now();
      // nothing for short runs (no flicker), then at most one update per interval
      if (p.seconds < PROGRESS_INTERVAL_MS / 1000 || now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${progressLine(p)}`);
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
