import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, createMetrics } from '../../engine/index.ts';
import { createHttpServer, type DeskHttpServer } from '../../rpc/http-server.ts';
import { MAX_BODY_BYTES, readBody, sendJson } from '../../rpc/http-body.ts';
import { httpRequest } from './http-helpers.ts';

let current: DeskHttpServer | null = null;

async function start(health: () => Promise<Record<string, unknown>> = async () => ({ ok: true, mode: 'paper' })) {
  const metrics = createMetrics(false);
  const http = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger, metrics, health });
  current = http;
  const { port } = await http.listen();
  return { http, port, metrics };
}

afterEach(async () => {
  await current?.close();
  current = null;
});

describe('desk HTTP server', () => {
  it('answers GET /healthz with the health report as JSON', async () => {
    const { port } = await start(async () => ({ ok: true, mode: 'paper', feed: 'replay', lagMs: 12, uptimeMs: 5 }));
    const r = await httpRequest(port, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    expect(JSON.parse(r.body)).toEqual({ ok: true, mode: 'paper', feed: 'replay', lagMs: 12, uptimeMs: 5 });
  });

  it('answers 503 when the desk is not healthy, or when the health check itself fails', async () => {
    let mode: 'sick' | 'broken' = 'sick';
    const { port } = await start(async () => {
      if (mode === 'broken') throw new Error('db path /secret/x unreadable');
      return { ok: false, feed: 'stale' };
    });
    const sick = await httpRequest(port, 'GET', '/healthz');
    expect(sick.status).toBe(503);
    expect(JSON.parse(sick.body)).toEqual({ ok: false, feed: 'stale' });
    mode = 'broken';
    const broken = await httpRequest(port, 'GET', '/healthz');
    expect(broken.status).toBe(503);
    expect(broken.body).not.toContain('secret');
    expect(JSON.parse(broken.body)).toEqual({ ok: false });
  });

  it('serves Prometheus text at GET /metrics from the desk registry', async () => {
    const { port, metrics } = await start();
    metrics.frontendRequests.inc({ frontend: 'rpc', method: 'desk.status', outcome: 'ok' });
    const r = await httpRequest(port, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    expect(r.body).toContain('desk_frontend_requests_total{frontend="rpc",method="desk.status",outcome="ok"} 1');
  });

  it('answers 404 JSON for unknown paths and 405 with Allow for a wrong method', async () => {
    const { port } = await start();
    const nf = await httpRequest(port, 'GET', '/nope?x=1');
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body)).toEqual({ error: 'not_found' });
    const na = await httpRequest(port, 'POST', '/healthz', '{}');
    expect(na.status).toBe(405);
    expect(na.headers.allow).toBe('GET');
  });

  it('mounts exact and prefix routes, passing the query string through', async () => {
    const { http, port } = await start();
    http.addRoute({ method: 'POST', path: '/echo', handle: async (req, res) => sendJson(res, 200, { got: (await readBody(req)).toString() }) });
    http.addRoute({ path: '/hook', prefix: true, handle: (req, res) => sendJson(res, 200, { url: req.url, method: req.method }) });
    expect(JSON.parse((await httpRequest(port, 'POST', '/echo', 'hi')).body)).toEqual({ got: 'hi' });
    expect(JSON.parse((await httpRequest(port, 'PUT', '/hook/abc?q=1')).body)).toEqual({ url: '/hook/abc?q=1', method: 'PUT' });
    expect((await httpRequest(port, 'GET', '/hookx')).status).toBe(404);
    expect(() => http.addRoute({ method: 'POST', path: '/echo', handle: () => {} })).toThrow(/already mounted/);
  });

  it('refuses bodies over 1 MB with 413, declared or streamed, and keeps serving', async () => {
    const { http, port } = await start();
    http.addRoute({ method: 'POST', path: '/in', handle: async (req, res) => sendJson(res, 200, { n: (await readBody(req)).length }) });
    const ok = await httpRequest(port, 'POST', '/in', Buffer.alloc(MAX_BODY_BYTES, 0x61));
    expect(JSON.parse(ok.body)).toEqual({ n: MAX_BODY_BYTES });
    const declared = await httpRequest(port, 'POST', '/in', Buffer.alloc(MAX_BODY_BYTES + 1, 0x61));
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({ error: 'payload_too_large' });
    const chunked = await httpRequest(port, 'POST', '/in', Buffer.alloc(2 * MAX_BODY_BYTES, 0x61), { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect((await httpRequest(port, 'GET', '/healthz')).status).toBe(200);
  });

  it('turns a failing route into a 500 without leaking its message', async () => {
    const { http, port } = await start();
    http.addRoute({ path: '/boom', handle: () => { throw new Error('token=abc123 leaked'); } });
    const r = await httpRequest(port, 'GET', '/boom');
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('abc123');
  });

  it('routes upgrades by path and refuses unknown upgrade paths', async () => {
    const { http, port } = await start();
    http.addUpgrade('/ws', (_req, socket) => {
      socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    const raw = (path: string) =>
      new Promise<string>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
        });
        let buf = '';
        s.on('data', (d) => (buf += d.toString()));
        s.on('close', () => resolve(buf));
      });
    expect(await raw('/ws')).toMatch(/^HTTP\/1.1 418/);
    expect(await raw('/other')).toMatch(/^HTTP\/1.1 404/);
  });

  it('close() destroys idle keep-alive and hanging sockets and resolves', async () => {
    const { http, port } = await start();
    http.addRoute({ path: '/hang', handle: () => new Promise<void>(() => {}) });
    const hanging = httpRequest(port, 'GET', '/hang').then(
      () => 'answered',
      () => 'reset',
    );
    const idle = connect(port, '127.0.0.1');
    await new Promise((r) => idle.once('connect', r));
    await new Promise((r) => setTimeout(r, 50));
    const idleClosed = new Promise((r) => idle.once('close', r));
    await http.close();
    expect(await hanging).toBe('reset');
    await idleClosed;
    expect(http.server.listening).toBe(false);
    await http.close();
  });
});
