import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { fakeClock, recordingLogger } from '../auth/auth-fixture.js';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import { rawRequest } from '../helpers/raw-http.js';
import { SECURITY_HEADERS, startServer } from './support.js';
import type { TestServer } from './support.js';

/**
 * What a hostile client can still try below the routes (docs/SECURITY.md, "HTTP server limits"), against a real
 * listener: unknown routes with big bodies, text/plain, Expect: 100-continue, two Host lines, absolute-form
 * request lines, oversized heads, malformed request lines and slow clients.
 */

function assertOpeFormat(
  response: { status: number; headers: Readonly<Record<string, string>>; body: string },
  status: number,
): void {
  assert.equal(response.status, status);
  const body = JSON.parse(response.body) as { detail?: unknown; request_id?: unknown };
  assert.equal(typeof body.detail, 'string');
  assert.equal(typeof body.request_id, 'string');
  assert.equal(response.headers['x-request-id'], body.request_id);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers[name], value, name);
}

describe('refusals before the routes', () => {
  let server: TestServer;
  let host: string;
  before(async () => {
    server = await startServer({
      env: {
        RATE_LIMIT_DEFAULT: '5/minute',
        OPE_HTTP_HEADERS_TIMEOUT_SECONDS: '1',
        OPE_HTTP_REQUEST_TIMEOUT_SECONDS: '2',
      },
    });
    host = new URL(server.url).host;
  });
  after(async () => server.close());

  it('answers an unknown route 404 before reading its body', async () => {
    const head = `POST /nope HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\nX-Forwarded-For: 1\r\n\r\n`;
    // The announced megabyte never comes: only an answer given before reading it can arrive.
    const response = await rawRequest(server.url, head, { timeoutMs: 2000 });
    assertOpeFormat(response, 404);
    assert.equal(JSON.parse(response.body).detail, 'Not Found');
  });

  it('answers a text/plain body 415', async () => {
    const token = await server.token(['pricing:read'], 'tess');
    const response = await server.request('/api/v1/pricing/single', {
      token,
      body: '{"contracts": []}',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(response.status, 415);
    assert.equal(response.json.detail, 'Unsupported media type');
  });

  it('does not answer 100 Continue to a request that authentication refuses', async () => {
    const head = `POST /api/v1/pricing/single HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`;
    const response = await rawRequest(server.url, head, { timeoutMs: 2000 });
    assert.equal(response.status, 401, 'the first line the client sees is the refusal, not 100 Continue');
  });

  it('does not answer 100 Continue to a body larger than MAX_BODY_BYTES', async () => {
    const token = await server.token(['pricing:read'], 'uma');
    const head = `POST /api/v1/pricing/single HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\nExpect: 100-continue\r\n\r\n`;
    const response = await rawRequest(server.url, head, { timeoutMs: 2000 });
    assert.equal(response.status, 413);
  });

  it('answers 100 Continue once the checks pass, then prices the body', async () => {
    const token = await server.token(['pricing:read'], 'vic');
    const body = JSON.stringify({
      contracts: [
        { symbol: 'X', strike_price: 100, time_to_expiry: 0.5, option_type: 'call', exercise_style: 'european' },
      ],
      market_data: { spot_price: 100, risk_free_rate: 0.01, dividend_yield: 0, volatility: 0.2 },
      model: 'black_scholes',
    });
    const socket = connect({ port: Number(new URL(server.url).port), host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.write(
      `POST /api/v1/pricing/single HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    for (let i = 0; i < 100 && !received.includes('100 Continue'); i += 1) await new Promise((r) => setTimeout(r, 20));
    assert.match(received, /^HTTP\/1\.1 100 Continue/);
    socket.write(body);
    for (let i = 0; i < 250 && !/HTTP\/1\.1 200/.test(received); i += 1) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    assert.match(received, /HTTP\/1\.1 200 OK/);
  });

  it('refuses two Host header lines with 400, even when the first is allowed', async () => {
    const response = await rawRequest(
      server.url,
      `GET /api/v1/models HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\n\r\n`,
      { timeoutMs: 2000 },
    );
    assertOpeFormat(response, 400);
    assert.equal(JSON.parse(response.body).detail, 'Invalid host header');
  });

  it('refuses an absolute-form request line naming a foreign authority with 400', async () => {
    const response = await rawRequest(
      server.url,
      `GET http://evil.example/api/v1/models HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      { timeoutMs: 2000 },
    );
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).detail, 'Invalid host header');
  });

  it("answers a 100 KB header 431 in OPE's error format", async () => {
    const response = await rawRequest(
      server.url,
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
      { timeoutMs: 2000 },
    );
    assertOpeFormat(response, 431);
  });

  it("answers a malformed request line 400 in OPE's error format", async () => {
    const response = await rawRequest(server.url, 'GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n', {
      timeoutMs: 2000,
    });
    assertOpeFormat(response, 400);
  });

  it('closes a slowloris connection (one header byte at a time) at the headers timeout, with 408', async () => {
    const parts = Array.from({ length: 100 }, () => 'a');
    const response = await rawRequest(server.url, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `, {
      parts,
      gapMs: 100,
      timeoutMs: 8000,
    });
    assertOpeFormat(response, 408);
    assert.ok(response.partsSent < 60, `parts sent before the refusal: ${response.partsSent}`);
  });

  it('closes a request whose body trickles past the request timeout, with 408', async () => {
    const token = await server.token(['pricing:read'], 'walt');
    const head = `POST /api/v1/pricing/single HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
    const response = await rawRequest(server.url, head, {
      parts: Array.from({ length: 100 }, () => ' '),
      gapMs: 100,
      timeoutMs: 8000,
    });
    assertOpeFormat(response, 408);
  });

  it("counts unknown routes against the client's rate-limit budget", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1)
      statuses.push((await server.request(`/nope-${i}`, { token: null, body: { a: 1 } })).status);
    assert.ok(statuses.includes(429), `statuses: ${statuses.join(',')}`);
  });
});

describe('graceful shutdown with a slowloris connection open', () => {
  it('finishes: the slow connection is cut at the headers timeout instead of holding close() open', async () => {
    const server = await startServer({
      env: { OPE_HTTP_HEADERS_TIMEOUT_SECONDS: '1', OPE_HTTP_REQUEST_TIMEOUT_SECONDS: '2' },
    });
    const socket = connect({ port: Number(new URL(server.url).port), host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nX-Slow: `);
    const drip = setInterval(() => socket.writable && socket.write('a'), 200);
    let deadline: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        server.app.close().then(() => 'closed'),
        new Promise((resolve) => (deadline = setTimeout(resolve, 8_000, 'still open after 8 s'))),
      ]);
      assert.equal(outcome, 'closed');
    } finally {
      // A pending deadline would keep this file's process alive for the rest of its 8 s.
      clearTimeout(deadline);
      clearInterval(drip);
      socket.destroy();
      await server.close();
    }
  });
});

describe('/livez and /readyz', () => {
  it('/readyz is 503 before the first key set and while failing closed; /livez stays 200', async () => {
    const idp = await startIdentityProvider();
    await idp.setMode('down');
    const clock = fakeClock();
    const config = loadConfig({ ...testEnv(idp), OPE_JWKS_MAX_STALENESS_SECONDS: '600' });
    const metrics = createMetrics({ defaultMetrics: false });
    const authenticator = createAuthenticator({ config: config.auth, metrics, clock, logger: recordingLogger() });
    const app = await buildApp({
      config,
      metrics,
      authenticator,
      pool: { run: () => Promise.reject(new Error('unused')) },
      logger: createLogger({ level: 'silent' }),
    });
    const probe = async (url: string) => {
      const response = await app.inject({ method: 'GET', url, headers: { host: 'localhost' } });
      return { status: response.statusCode, body: response.json() as { status: string; reasons?: string[] } };
    };
    try {
      await authenticator.settled();
      const before = await probe('/readyz');
      assert.equal(before.status, 503, 'before the first key set');
      assert.deepEqual(before.body.reasons, ['authentication_unavailable']);
      assert.equal((await probe('/livez')).status, 200);
      assert.equal((await probe('/healthz')).status, 200, '/healthz is unchanged');

      await idp.setMode('up');
      await authenticator.refresh();
      assert.equal((await probe('/readyz')).status, 200);

      await idp.setMode('down');
      clock.advance(601_000);
      assert.equal((await probe('/readyz')).status, 503, 'failing closed');
      assert.equal((await probe('/livez')).status, 200);
    } finally {
      await app.close();
      authenticator.close();
      await idp.close();
    }
  });

  it('/readyz is 503 while draining; /livez stays 200', async () => {
    const server = await startServer();
    try {
      assert.equal((await server.request('/readyz', { token: null })).status, 200);
      assert.deepEqual((await server.request('/livez', { token: null })).json, { status: 'alive' });
      server.app.lifecycle.startDraining();
      const draining = await server.request('/readyz', { token: null });
      assert.equal(draining.status, 503);
      assert.deepEqual(draining.json.reasons, ['draining']);
      assert.equal((await server.request('/livez', { token: null })).status, 200);
    } finally {
      await server.close();
    }
  });
});
