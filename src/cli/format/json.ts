/**
 * The JSON report: the Report itself, pretty-printed with a stable key order. Its shape is
 * documented by schema/result.schema.json (and the Report type in src/cli/report.ts).
 */
import type { Report } from '../report.js';

export function formatJson(r: Report): string {
  return JSON.stringify(r, null, 2) + '\n';
}
