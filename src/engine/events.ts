/** Progress events: the engine reports, listeners (the CLI) draw; the engine prints nothing. */
export interface Progress {
  readonly states: number;
  readonly transitions: number;
  /** Depth (BFS layer index) being expanded. */
  readonly depth: number;
  /** States stored but not yet expanded. */
  readonly queue: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly rssBytes: number;
}

export type ProgressListener = (p: Progress) => void;
