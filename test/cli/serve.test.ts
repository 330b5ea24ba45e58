/**
 * `serve` over HTTP (no browser): the routes, and every kind of bad or tampered request answered
 * with a status and a message while the server keeps running.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { cli } from './helpers.js';
import { serve, type Served } from './serve-helpers.js';

describe('serve: HTTP', () => {
  let s: Served;
  const get = (path: string, init?: RequestInit): Promise<Response> => fetch(new URL(path, s.url), init);
  const error = async (path: string, status: number, init?: RequestInit): Promise<string> => {
    const res = await get(path, init);
    assert.equal(res.status, status, path);
    return ((await res.json()) as { error: string }).error;
  };

  before(async () => {
    s = await serve(['--vcpus', '1']);
  });
  after(async () => {
    assert.equal(await s.stop(), 0, 'SIGTERM stops the server with exit 0');
  });

  test('listens on loopback and serves the page and the initial state', async () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<title>Explorer: xen-timer<\/title>/);
    const st = (await (await get('/api/state')).json()) as { path: string[]; steps: unknown[]; states: unknown[]; enabled: { id: string }[] };
    assert.deepEqual(st.path, []);
    assert.equal(st.states.length, 1);
    assert.ok(st.enabled.length > 0, 'steps are enabled in the initial state');
  });

  test('a path of step ids is replayed; percent-encoded ids round-trip', async () => {
    const first = ((await (await get('/api/state')).json()) as { enabled: { id: string }[] }).enabled[0]!.id;
    const st = (await (await get(`/api/state?init=0&path=${encodeURIComponent(first)}`)).json()) as { path: string[]; steps: { step: string }[] };
    assert.deepEqual(st.path, [first]);
    assert.equal(st.steps[0]!.step, first);
  });

  test('tampered paths get 400 and say why', async () => {
    assert.match(await error('/api/state?path=no-such-step', 400), /step 1 'no-such-step' is not a step of model xen-timer/);
    assert.match(await error('/api/state?path=%E0%A4%A', 400), /not valid percent-encoding/);
    assert.match(await error('/api/state?init=x', 400), /init=x is not the number of an initial state/);
    assert.match(await error('/api/state?init=7', 400), /initial state 7 does not exist/);
    assert.match(await error('/api/state?steps=1', 400), /unknown URL parameter 'steps'/);
    assert.match(await error('/api/state?path=a,,b', 400), /step 2 of the path is empty/);
    // a real first step repeated: the second is not enabled any more (the vCPU left its idle state)
    const first = ((await (await get('/api/state')).json()) as { enabled: { id: string }[] }).enabled[0]!.id;
    assert.match(await error(`/api/state?path=${encodeURIComponent(first)},${encodeURIComponent(first)}`, 400), /step 2 .* is not enabled/);
    assert.match(await error(`/api/state?path=${Array(5001).fill('x').join(',')}`, 400), /at most 5000/);
  });

  test('unknown pages, wrong methods and foreign Host headers are refused', async () => {
    assert.match(await error('/etc/passwd', 404), /no such page: \/etc\/passwd/);
    assert.match(await error('/../../package.json', 404), /no such page/);
    assert.match(await error('/', 405, { method: 'DELETE' }), /DELETE is not allowed/);
    // fetch() will not send a foreign Host header; node:http will (a DNS-rebinding page would)
    assert.equal(await rawStatus(s.url, '/', { Host: 'attacker.example:80' }), 403);
    assert.equal(await rawStatus(s.url, '/../../package.json', {}), 404, 'no file is served, whatever the path');
    const alive = await get('/');
    assert.equal(alive.status, 200, 'still serving after all that');
  });

  test('a port in use or out of range is bad input (exit 2)', () => {
    const taken = cli(['serve', '--port', new URL(s.url).port]);
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /cannot listen on 127\.0\.0\.1:\d+: the port is in use/);
    const bad = cli(['serve', '--port', '70000']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /'70000' is not a TCP port/);
  });

  test('the search runs once, reports progress, and returns shortest traces as step ids', async () => {
    const before = (await (await get('/api/search')).json()) as { status: string };
    assert.equal(before.status, 'idle', JSON.stringify(before));
    const started = await get('/api/search', { method: 'POST' });
    assert.equal(started.status, 202);
    let st: { status: string; violations?: { property: string; path: string[] }[] };
    do {
      await new Promise((r) => setTimeout(r, 200));
      st = (await (await get('/api/search')).json()) as typeof st;
    } while (st.status === 'running');
    assert.equal(st.status, 'done', JSON.stringify(st));
    const deadlock = st.violations?.find((v) => v.property === 'deadlock');
    // FINDINGS.md F1: the deadlock's shortest trace has 24 steps in seed-v2
    assert.equal(deadlock?.path.length, 24, JSON.stringify(st.violations?.map((v) => [v.property, v.path.length])));
    const at = (await (await get(`/api/state?path=${deadlock!.path.map(encodeURIComponent).join(',')}`)).json()) as { here: { property: string }[]; enabled: unknown[] };
    assert.deepEqual(at.enabled, []);
    assert.ok(at.here.some((h) => h.property === 'deadlock'));
  });
});

function rawStatus(base: string, path: string, headers: Record<string, string>): Promise<number> {
  const u = new URL(base);
  return new Promise((res, rej) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('error', rej);
    req.end();
  });
}
