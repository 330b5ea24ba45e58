/**
 * The explorer's URLs: `?init=I&path=ID,ID,...` where each step id is percent-encoded (so a comma
 * inside an id is `%2C` and only literal commas separate ids). Anything else in a URL is refused
 * with a message saying what is wrong; nothing here trusts the URL beyond its syntax.
 */

export interface Location {
  readonly init: number;
  readonly path: readonly string[];
}

export class BadLocation extends Error {}

/** Longest path a URL may ask for (a guard against huge requests, far above any shortest trace). */
export const MAX_PATH = 5000;

/** Parse the raw query string (without `?`); ids are decoded one by one. */
export function parseLocation(rawQuery: string): Location {
  let init = 0;
  let path: string[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const raw = eq < 0 ? '' : part.slice(eq + 1);
    if (key === 'init') init = parseInit(raw);
    else if (key === 'path') path = raw === '' ? [] : raw.split(',').map(decodeId);
    else throw new BadLocation(`unknown URL parameter '${clip(safeDecode(key))}' (the explorer's URLs have only init and path)`);
  }
  if (path.length > MAX_PATH) throw new BadLocation(`the path has ${path.length} steps; at most ${MAX_PATH} are accepted`);
  return { init, path };
}

function parseInit(raw: string): number {
  if (!/^\d{1,6}$/.test(raw)) throw new BadLocation(`init=${clip(safeDecode(raw))} is not the number of an initial state`);
  return Number(raw);
}

function decodeId(raw: string, k: number): string {
  try {
    const id = decodeURIComponent(raw.replace(/\+/g, ' '));
    if (id === '') throw new BadLocation(`step ${k + 1} of the path is empty`);
    return id;
  } catch (e) {
    if (e instanceof BadLocation) throw e;
    throw new BadLocation(`step ${k + 1} of the path is not valid percent-encoding: '${clip(raw)}'`);
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 59)}…` : s);
