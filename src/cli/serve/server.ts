/**
 * The explorer's HTTP server: loopback only, four routes, in-memory state. It reads no file after
 * the model was loaded; a bad or tampered request gets a status and a message, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Model } from '../../engine/model.js';
import { explorerPage } from './explorer-page.js';
import { explorerState } from './explorer-state.js';
import { BadLocation, parseLocation } from './location.js';
import { Search, type SearchRequest } from './search.js';

export interface ServeConfig {
  readonly model: Model;
  /** `variant=seed-v2 vcpus=1 ...` for the page header. */
  readonly params: string;
  readonly search: SearchRequest;
}

export interface Running {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const HOST = '127.0.0.1';

export async function startServer(cfg: ServeConfig, port: number): Promise<Running> {
  const search = new Search(cfg.search);
  const page = explorerPage(cfg.model.name, cfg.params);
  const server = createServer((req, res) => {
    try {
      route(cfg, search, page, req, res);
    } catch (e) {
      send(res, 500, 'json', { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
    }
  });
  const actual = await listen(server, port);
  return {
    url: `http://${HOST}:${actual}/`,
    port: actual,
    close: async () => {
      await search.stop();
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(port, HOST, () => {
      server.off('error', rej);
      res((server.address() as AddressInfo).port);
    });
  });
}

function route(cfg: ServeConfig, search: Search, page: string, req: IncomingMessage, res: ServerResponse): void {
  // a page of another site must not reach this server through a DNS name that points here
  if (!hostAllowed(req.headers.host, (req.socket.localPort ?? 0))) return send(res, 403, 'text', `forbidden host '${req.headers.host ?? ''}': use ${HOST}\n`);
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? '' : raw.slice(q + 1);
  const method = req.method ?? 'GET';
  const only = (m: string): boolean => {
    if (method === m || (m === 'GET' && method === 'HEAD')) return true;
    res.setHeader('Allow', m);
    send(res, 405, 'json', { error: `${method} is not allowed on ${path}` });
    return false;
  };
  switch (path) {
    case '/':
      if (only('GET')) send(res, 200, 'html', page);
      return;
    case '/api/state':
      if (only('GET')) stateRoute(cfg.model, query, res);
      return;
    case '/api/search':
      if (method === 'POST') return send(res, 202, 'json', search.start());
      if (only('GET')) send(res, 200, 'json', search.status());
      return;
    default:
      send(res, 404, 'json', { error: `no such page: ${path.length > 80 ? `${path.slice(0, 79)}…` : path} (the explorer is at /)` });
  }
}

function stateRoute(model: Model, query: string, res: ServerResponse): void {
  try {
    send(res, 200, 'json', explorerState(model, parseLocation(query)));
  } catch (e) {
    if (e instanceof BadLocation) return send(res, 400, 'json', { error: e.message });
    throw e;
  }
}

function hostAllowed(host: string | undefined, port: number): boolean {
  return host !== undefined && [`${HOST}:${port}`, `localhost:${port}`].includes(host.toLowerCase());
}

const TYPES = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8', text: 'text/plain; charset=utf-8' } as const;

function send(res: ServerResponse, status: number, type: keyof typeof TYPES, body: unknown): void {
  const text = type === 'json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, {
    'Content-Type': TYPES[type],
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
