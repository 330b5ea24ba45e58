/**
 * The data the page scripts read (types only: the browser code in this folder is inlined into the
 * page as the source text of its functions, see bundle.ts, so it shares no values with Node code).
 */

export type FieldValue = number | boolean | string;
export type PageState = Record<string, FieldValue>;

export interface PageStep {
  readonly index: number;
  readonly step: string;
  readonly process: string;
  readonly source: { readonly file: string; readonly func: string; readonly line: string };
  readonly changes: Record<string, FieldValue>;
}

/** One trace as the page steps through it: states[k] follows steps[k-1]. */
export interface PageTrace {
  readonly steps: readonly PageStep[];
  readonly states: readonly PageState[];
}

/** The JSON in `<script id="trace-data">` of a report page: one entry per violation section. */
export interface ReportData {
  readonly traces: readonly PageTrace[];
}

/** GET /api/state: the explorer at the end of a path. */
export interface ExplorerState extends PageTrace {
  readonly model: string;
  readonly init: number;
  readonly path: readonly string[];
  readonly enabled: readonly { readonly id: string; readonly process: string; readonly source: PageStep['source'] }[];
  readonly svg: string;
  readonly legend: string;
  /** Properties broken in the last state / by the last step. */
  readonly here: readonly { readonly property: string; readonly message: string }[];
}

/** GET /api/search. */
export interface SearchStatus {
  readonly status: 'idle' | 'running' | 'done' | 'failed';
  readonly states?: number;
  readonly depth?: number;
  readonly seconds?: number;
  readonly result?: string;
  readonly error?: string;
  readonly violations?: readonly { readonly property: string; readonly message: string; readonly init: number; readonly path: readonly string[] }[];
}
