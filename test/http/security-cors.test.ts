import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config.js';
import { compileOriginAllowlist } from '../../src/http/plugins/cors.js';
import { startServer } from './support.js';
import type { TestResponse, TestServer } from './support.js';

/** OPE_ALLOWED_ORIGINS and OPE_CORS_ALLOW_CREDENTIALS on a real server: preflights as Starlette's CORSMiddleware. */

const ALLOWED = 'https://app.example.com';
const OTHER = 'https://evil.example.net';

function accessControlHeaders(response: TestResponse): string[] {
  return [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
}

function preflight(server: TestServer, origin: string, path = '/api/v1/pricing/single'): Promise<TestResponse> {
  return server.request(path, {
    method: 'OPTIONS',
    token: null,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });
}

describe('OPE_ALLOWED_ORIGINS entries', () => {
  it('match the origin browsers send, whatever the case or default port of the entry', () => {
    const allowed = compileOriginAllowlist(['HTTPS://App.Example.com:443/', 'http://localhost:3000']);
    assert.equal(allowed('https://app.example.com'), true);
    assert.equal(allowed('http://localhost:3000'), true);
    for (const origin of [
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://x.app.example.com',
      'http://localhost:8000',
      'null',
    ]) {
      assert.equal(allowed(origin), false, origin);
    }
  });

  it('refuse, naming the variable, an entry with a path, no scheme, or another scheme', () => {
    for (const entry of [
      'https://app.example.com/api',
      'app.example.com',
      'ftp://app.example.com',
      'https://user@app.example.com',
      'https://a.com?x=1',
    ]) {
      assert.throws(
        () => compileOriginAllowlist([entry]),
        (error: unknown) => error instanceof ConfigError && error.variable === 'OPE_ALLOWED_ORIGINS',
        entry,
      );
    }
  });
});

describe('CORS with an origin allow-list and credentials', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: { OPE_ALLOWED_ORIGINS: `${ALLOWED},http://localhost:3000`, RATE_LIMIT_DEFAULT: '2/minute' },
    });
  });
  after(async () => {
    await server.close();
  });

  it('answers a preflight from an allowed origin with 200 OK and the Access-Control-* headers, without a token', async () => {
    const response = await preflight(server, ALLOWED);
    assert.equal(response.status, 200);
    assert.equal(response.text, 'OK');
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
    assert.equal(
      response.headers.get('access-control-allow-headers'),
      'Accept, Accept-Language, Authorization, Content-Language, Content-Type, X-Request-ID',
    );
    assert.equal(response.headers.get('access-control-max-age'), '600');
    assert.match(response.headers.get('vary') ?? '', /Origin/);
    assert.ok(response.headers.get('x-request-id'), 'the common headers too');
    assert.equal((await preflight(server, ALLOWED, '/no-such-path')).status, 200, 'before routing, on any path');
  });

  it('refuses a preflight from any other origin with 400 and no Access-Control-Allow-Origin', async () => {
    for (const origin of [OTHER, 'http://app.example.com', 'null']) {
      const response = await preflight(server, origin);
      assert.equal(response.status, 400, origin);
      assert.equal(response.text, 'Disallowed CORS origin', origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('names every refused part of a preflight: origin, method, headers', async () => {
    const ask = (origin: string, method: string, headers?: string): Promise<TestResponse> =>
      server.request('/api/v1/pricing/single', {
        method: 'OPTIONS',
        token: null,
        headers: {
          origin,
          'access-control-request-method': method,
          ...(headers === undefined ? {} : { 'access-control-request-headers': headers }),
        },
      });
    assert.equal((await ask(ALLOWED, 'DELETE')).text, 'Disallowed CORS method');
    assert.equal((await ask(ALLOWED, 'POST', 'x-custom-header')).text, 'Disallowed CORS headers');
    assert.equal((await ask(OTHER, 'PUT', 'x-custom-header')).text, 'Disallowed CORS origin, method, headers');
    assert.equal((await ask(ALLOWED, 'POST', 'Accept-Language, X-Request-ID, Content-Language')).status, 200);
  });

  it('lets an allowed origin read responses, errors included, and the headers clients need; others get none', async () => {
    const token = await server.token(['pricing:read'], 'browser-user');
    const ok = await server.request('/api/v1/models', { token, headers: { origin: ALLOWED } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(
      ok.headers.get('access-control-expose-headers'),
      'X-Request-ID, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
    );
    const unauthorised = await server.request('/api/v1/models', { token: null, headers: { origin: ALLOWED } });
    assert.equal(unauthorised.status, 401);
    assert.equal(unauthorised.headers.get('access-control-allow-origin'), ALLOWED, 'a browser can read the 401');
    const other = await server.request('/api/v1/models', { token, headers: { origin: OTHER } });
    assert.equal(other.status, 200, 'CORS is enforced by the browser; the server answers but grants nothing');
    assert.deepEqual(accessControlHeaders(other), []);
  });

  it('never counts preflights against a rate limit', async () => {
    for (let i = 0; i < 5; i += 1) assert.equal((await preflight(server, ALLOWED)).status, 200, `preflight ${i + 1}`);
  });

  it('lets an allowed origin read a 429 and its Retry-After', async () => {
    const token = await server.token(['pricing:read'], 'browser-heavy-user');
    for (let i = 0; i < 2; i += 1)
      assert.equal((await server.request('/api/v1/models', { token, headers: { origin: ALLOWED } })).status, 200);
    const refused = await server.request('/api/v1/models', { token, headers: { origin: ALLOWED } });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('access-control-allow-origin'), ALLOWED);
    assert.ok(refused.headers.get('retry-after'));
  });
});

describe('CORS without credentials, and with any origin', () => {
  let strict: TestServer;
  let open: TestServer;
  before(async () => {
    [strict, open] = await Promise.all([
      startServer({ env: { OPE_ALLOWED_ORIGINS: ALLOWED, OPE_CORS_ALLOW_CREDENTIALS: 'false' } }),
      startServer({ env: { OPE_ALLOWED_ORIGINS: '*' } }),
    ]);
  });
  after(async () => {
    await Promise.all([strict.close(), open.close()]);
  });

  it('omits Access-Control-Allow-Credentials when OPE_CORS_ALLOW_CREDENTIALS=false', async () => {
    const response = await preflight(strict, ALLOWED);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
  });

  it('answers "*" for any origin and never allows credentials with it', async () => {
    const response = await preflight(open, OTHER);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
  });
});
