/** Parsers for option values (commander argParsers): they throw InvalidArgumentError → exit 2. */
import { InvalidArgumentError } from 'commander';

export function parseCount(raw: string): number {
  const s = raw.replace(/_/g, '').trim();
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(s);
  if (!m) throw new InvalidArgumentError(`'${raw}' is not a non-negative whole number (e.g. 1000000 or 1M).`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * mult;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${raw}' is not a whole number.`);
  return n;
}

export function parseInteger(raw: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new InvalidArgumentError(`'${raw}' is not an integer.`);
  return Number(raw);
}

/** Seconds: `90`, `1.5`, `30s`, `2m`, `1h`. */
export function parseSeconds(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h)?$/.exec(raw.trim());
  if (!m) throw new InvalidArgumentError(`'${raw}' is not a duration in seconds (e.g. 60, 30s, 5m, 1h).`);
  const mult = m[2] === 'h' ? 3600 : m[2] === 'm' || m[2] === 'min' ? 60 : 1;
  const v = Number(m[1]) * mult;
  if (v <= 0) throw new InvalidArgumentError(`'${raw}' must be positive.`);
  return v;
}

/** Bytes: `2G`, `512M`, `1.5GiB`, `100000000`. Powers of 1024. */
export function parseBytes(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?[bB])?$/.exec(raw.trim());
  if (!m) throw new InvalidArgumentError(`'${raw}' is not a memory size (e.g. 512M, 2G).`);
  const exp = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const v = Math.round(Number(m[1]) * 1024 ** exp);
  if (v <= 0) throw new InvalidArgumentError(`'${raw}' must be positive.`);
  return v;
}

/** `name=value` (repeatable): collected into a record. */
export function collectParam(raw: string, prev: Record<string, string> = {}): Record<string, string> {
  const i = raw.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`'${raw}' is not name=value.`);
  return { ...prev, [raw.slice(0, i).trim()]: raw.slice(i + 1).trim() };
}

export function parseList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `preempt-rt` -> `preemptRt`. */
export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `--workers N`: 1..64 worker threads. */
export function parseWorkers(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError(`'${raw}' is not a number of worker threads (1..64).`);
  const n = Number(raw);
  if (n < 1 || n > 64) throw new InvalidArgumentError(`'${raw}' must be between 1 and 64.`);
  return n;
}

/** `--shard i/n`: part i (0-based) of n. */
export function parseShard(raw: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (!m) throw new InvalidArgumentError(`'${raw}' is not a shard i/n (e.g. 0/4, 3/4).`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new InvalidArgumentError(`'${raw}': need 0 <= i < n (shards are numbered from 0).`);
  return { index, count };
}
