/** Parsers for option values (commander argParsers): they throw InvalidArgumentError → exit 2. */
import { InvalidArgumentError } from 'commander';
import { strictDecimal, strictInteger } from '../engine/number.js';

/** A count with an optional k/M/G suffix and `_` separators: `1000000`, `1M`, `1_000`. */
export function parseCount(raw: string): number {
  const m = /^([\d_.]+)([kKmMgG]?)$/.exec(raw);
  const base = m ? strictDecimal(m[1]!.replace(/_/g, '')) : undefined;
  const n = base === undefined ? NaN : base * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m![2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${raw}' is not a non-negative whole number (e.g. 1000000 or 1M).`);
  return n;
}

export function parseInteger(raw: string): number {
  const n = strictInteger(raw);
  if (n === undefined) throw new InvalidArgumentError(`'${raw}' is not a whole number (decimal digits, e.g. 2).`);
  return n;
}

/** Seconds: `90`, `1.5`, `30s`, `2m`, `1h`. */
export function parseSeconds(raw: string): number {
  const m = /^([\d.]+)(s|m|min|h)?$/.exec(raw);
  const base = m ? strictDecimal(m[1]!) : undefined;
  if (base === undefined) throw new InvalidArgumentError(`'${raw}' is not a duration in seconds (e.g. 60, 30s, 5m, 1h).`);
  const v = base * (m![2] === 'h' ? 3600 : m![2] === 'm' || m![2] === 'min' ? 60 : 1);
  if (v <= 0) throw new InvalidArgumentError(`'${raw}' must be positive.`);
  return v;
}

/** Bytes: `2G`, `512M`, `1.5GiB`, `100000000`. Powers of 1024. */
export function parseBytes(raw: string): number {
  const m = /^([\d.]+)([kKmMgGtT]?)(i?[bB])?$/.exec(raw);
  const base = m ? strictDecimal(m[1]!) : undefined;
  if (base === undefined) throw new InvalidArgumentError(`'${raw}' is not a memory size (e.g. 512M, 2G).`);
  const exp = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m![2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const v = Math.round(base * 1024 ** exp);
  if (v <= 0) throw new InvalidArgumentError(`'${raw}' must be positive.`);
  return v;
}

/** A whole number in min..max (the error quotes the input and names the range). */
export function parseRange(raw: string, min: number, max: number, what: string): number {
  const n = strictInteger(raw);
  if (n === undefined || n < min || n > max) throw new InvalidArgumentError(`'${raw}' is not ${what} (a whole number from ${min} to ${max}).`);
  return n;
}

/**
 * An option that names one model parameter (`--ops 2`): given again with another value it is an
 * error, as `-p ops=2 -p ops=3` is, not a silent choice of the last one.
 */
export function once<T>(parse: (raw: string) => T): (raw: string, prev: T | undefined) => T {
  return (raw, prev) => {
    const value = parse(raw);
    if (prev !== undefined && prev !== value) throw new InvalidArgumentError(`'${raw}': the parameter is already given as '${String(prev)}'.`);
    return value;
  };
}

/** `name=value` (repeatable): collected into a record. */
export function collectParam(raw: string, prev: Record<string, string> = {}): Record<string, string> {
  const i = raw.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`'${raw}' is not name=value.`);
  const name = raw.slice(0, i).trim();
  const value = raw.slice(i + 1);
  if (name in prev && prev[name] !== value) throw new InvalidArgumentError(`'${raw}': parameter ${name} is already given as '${prev[name]}'.`);
  return { ...prev, [name]: value };
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
  return parseRange(raw, 1, 64, 'a number of worker threads');
}

/** `matrix --jobs`: variants checked at once (0 would check none). */
export function parseJobs(raw: string): number {
  return parseRange(raw, 1, 256, 'a number of jobs');
}

/** `--shard i/n`: part i (0-based) of n. */
export function parseShard(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (!m) throw new InvalidArgumentError(`'${raw}' is not a shard i/n (e.g. 0/4, 3/4).`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new InvalidArgumentError(`'${raw}': need 0 <= i < n (shards are numbered from 0).`);
  return { index, count };
}
