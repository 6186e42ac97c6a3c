import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { createDevIdentity } from '../../src/auth/dev-identity.js';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import {
  DEFAULT_PLAYGROUND_DIR,
  PLAYGROUND_PAGE_FILES,
  PLAYGROUND_VENDOR_FILES,
} from '../../src/http/playground/playground-assets.js';
import { PLAYGROUND_CSP, PLAYGROUND_TOKEN_TTL_SECONDS, isLoopbackAddress } from '../../src/http/routes/playground.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import { SECURITY_HEADERS, pricingRequest, startServer } from '../http/support.js';
import type { TestServer } from '../http/support.js';
import { startDevIdentityServer } from './dev-identity-server.js';
import type { DevIdentityServer } from './dev-identity-server.js';

/**
 * The playground's routes: the page and its files from a fixed table (nothing else reachable), served with a strict
 * Content-Security-Policy; GET /playground/token only with the embedded development identity, only to loopback,
 * same-origin callers, and only pricing:read for 15 minutes.
 */

const ALL_ASSET_URLS = [...Object.keys(PLAYGROUND_PAGE_FILES), ...Object.keys(PLAYGROUND_VENDOR_FILES)];

describe('the playground page and its files', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  it('serves the page at / as HTML with the security headers and a CSP that allows only this origin and no inline code', async () => {
    const response = await server.request('/', { token: null });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.text, readFileSync(`${DEFAULT_PLAYGROUND_DIR}index.html`, 'utf8'));
    assert.equal(response.headers.get('content-security-policy'), PLAYGROUND_CSP);
    assert.doesNotMatch(PLAYGROUND_CSP, /unsafe-inline|unsafe-eval|https?:|\*/);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers.get(name), value, name);
    assert.ok(response.headers.get('x-request-id'));
    // Every script and stylesheet the page names is one of ours, and the page has no inline script or style.
    const referenced = [...response.text.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1]!)
      .filter((u) => !u.startsWith('#') && u !== 'data:,');
    assert.deepEqual(
      referenced.filter((u) => !ALL_ASSET_URLS.includes(u)),
      [],
    );
    assert.doesNotMatch(response.text, /<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves every listed file with its content type, a strong ETag, and 304 for a matching If-None-Match', async () => {
    for (const url of ALL_ASSET_URLS) {
      const response = await server.request(url, { token: null });
      assert.equal(response.status, 200, url);
      const type = url.endsWith('.js')
        ? 'text/javascript; charset=utf-8'
        : url.endsWith('.css')
          ? 'text/css; charset=utf-8'
          : 'text/html; charset=utf-8';
      assert.equal(response.headers.get('content-type'), type, url);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const etag = response.headers.get('etag');
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]{43}"$/, url);
      const again = await server.request(url, { token: null, headers: { 'if-none-match': etag! } });
      assert.equal(again.status, 304, url);
      assert.equal(again.text, '');
    }
    const uplot = await server.request('/playground/vendor/uPlot.esm.js', { token: null });
    assert.equal(
      uplot.text,
      readFileSync(new URL('../../node_modules/uplot/dist/uPlot.esm.js', import.meta.url), 'utf8'),
    );
  });

  it('lists exactly the files of public/playground, so a new file cannot be forgotten and no stray file is served', () => {
    assert.deepEqual(Object.values(PLAYGROUND_PAGE_FILES).sort(), readdirSync(DEFAULT_PLAYGROUND_DIR).sort());
  });

  it('answers the ordinary JSON 404 for anything not in the table, traversal attempts included', async () => {
    for (const path of [
      '/playground/',
      '/playground/index.html',
      '/playground/../package.json',
      '/playground/..%2f..%2fpackage.json',
      '/playground/%2e%2e/%2e%2e/package.json',
      '/playground/vendor/uPlot.cjs.js',
      '/playground/vendor/../../../package.json',
      '/playground/MAIN.JS',
    ]) {
      const response = await server.request(path, { token: null });
      assert.equal(response.status, 404, path);
      assert.equal(response.json.detail, 'Not Found', path);
      assert.doesNotMatch(response.text, /"name": ?"ope"/, path);
    }
    // A trailing slash on a file of the table is FastAPI's 307 to the file (docs/api.md, "HTTP conventions").
    const slash = await fetch(`${server.url}/playground/main.js/`, { redirect: 'manual' });
    assert.equal(slash.status, 307);
    assert.equal(slash.headers.get('location'), `${server.url}/playground/main.js`);
  });

  it('has no token route when OIDC is configured: the page asks the user to paste a token', async () => {
    const response = await server.request('/playground/token', { token: null });
    assert.equal(response.status, 404);
    assert.equal(response.json.detail, 'Not Found');
  });

  it('leaves the playground out of the OpenAPI document', async () => {
    const response = await server.request('/openapi.json', { token: null });
    assert.equal(response.status, 200);
    assert.deepEqual(
      Object.keys(response.json.paths).filter((p) => p === '/' || p.startsWith('/playground')),
      [],
    );
  });
});

describe('OPE_PLAYGROUND', () => {
  it('off: neither the page nor its files nor the token route exist', async () => {
    const server = await startServer({ env: { OPE_PLAYGROUND: 'off' } });
    try {
      for (const path of ['/', '/playground/main.js', '/playground/vendor/uPlot.esm.js', '/playground/token']) {
        assert.equal((await server.request(path, { token: null })).status, 404, path);
      }
    } finally {
      await server.close();
    }
  });

  it('in production: off by default; when switched on, the page is served and still no token route exists, even if a development identity is passed', async () => {
    const idp = await startIdentityProvider();
    const metrics = createMetrics({ defaultMetrics: false });
    const logger = createLogger({ level: 'silent' });
    const pool = { run: async () => Promise.reject(new Error('not used')) };
    try {
      for (const [playground, served] of [
        [undefined, false],
        ['on', true],
      ] as const) {
        const config = loadConfig({
          ...testEnv(idp),
          OPE_ENVIRONMENT: 'production',
          OPE_ALLOWED_HOSTS: 'localhost',
          ...(playground === undefined ? {} : { OPE_PLAYGROUND: playground }),
        });
        const authenticator = createAuthenticator({ config: config.auth, metrics, logger });
        const app = await buildApp({
          config,
          metrics,
          pool: pool as never,
          authenticator,
          logger,
          devIdentity: createDevIdentity(),
        });
        try {
          assert.equal((await app.inject({ url: '/' })).statusCode, served ? 200 : 404, `OPE_PLAYGROUND=${playground}`);
          assert.equal((await app.inject({ url: '/playground/main.js' })).statusCode, served ? 200 : 404);
          assert.equal((await app.inject({ url: '/playground/token' })).statusCode, 404);
        } finally {
          await app.close();
          authenticator.close();
        }
      }
    } finally {
      await idp.close();
    }
  });
});

describe('GET /playground/token with the embedded development identity', () => {
  let server: DevIdentityServer;
  before(async () => {
    server = await startDevIdentityServer();
  });
  after(async () => server.close());

  it('hands a loopback, same-origin caller a 15-minute token with only pricing:read, never cached, and logs the issue without the token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await fetch(`${server.url}/playground/token`, { headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, PLAYGROUND_TOKEN_TTL_SECONDS);
    assert.equal(PLAYGROUND_TOKEN_TTL_SECONDS, 900);
    assert.equal(body.scope, 'pricing:read');
    const claims = decodeJwt(body.access_token as string);
    assert.equal(claims.scope, 'pricing:read');
    assert.equal(claims.sub, 'playground');
    assert.equal(claims.exp! - claims.iat!, 900);
    assert.ok(claims.iat! >= before - 1);
    const issued = server.logs.filter((l) => l.event === 'playground.token_issued');
    assert.equal(issued.length, 1);
    assert.doesNotMatch(JSON.stringify(server.logs), new RegExp(String(body.access_token).split('.')[2]!));
  });

  it('gives a token that prices and lists models, and is refused (403) for risk and market-data routes', async () => {
    const { access_token: token } = (await (await fetch(`${server.url}/playground/token`)).json()) as {
      access_token: string;
    };
    const call = (path: string, body?: unknown) =>
      fetch(server.url + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.equal((await call('/api/v1/pricing/single', pricingRequest())).status, 200);
    assert.equal((await call('/api/v1/models')).status, 200);
    const risk = await call('/api/v1/risk/aggregate-greeks', pricingRequest());
    assert.equal(risk.status, 403);
    assert.equal(((await risk.json()) as { detail: string }).detail, "Permission 'risk:read' required");
    assert.equal((await call('/api/v1/market-data/volatility')).status, 403);
    assert.equal(
      (await call('/api/v1/market-data/volatility', { strike: 100, maturity: 1, volatility: 0.2 })).status,
      403,
    );
  });

  it('is the ordinary 404 for a caller that is not on loopback, or a page of another site, and logs why', async () => {
    const refusals: [Record<string, string>, string | undefined, string][] = [
      [{}, '10.0.0.7', 'not_loopback'],
      [{}, '192.168.1.20', 'not_loopback'],
      [{}, '::ffff:10.0.0.7', 'not_loopback'],
      [{}, 'fe80::1', 'not_loopback'],
      [{ 'x-forwarded-for': '127.0.0.1' }, '10.0.0.7', 'not_loopback'],
      [{ 'sec-fetch-site': 'cross-site' }, undefined, 'cross_site'],
      [{ 'sec-fetch-site': 'same-site' }, undefined, 'cross_site'],
    ];
    for (const [headers, remoteAddress, reason] of refusals) {
      server.logs.length = 0;
      const response = await server.app.inject({
        url: '/playground/token',
        headers,
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
      });
      assert.equal(response.statusCode, 404, `${JSON.stringify(headers)} ${remoteAddress}`);
      assert.equal(response.json().detail, 'Not Found');
      assert.equal(response.headers['cache-control'], undefined);
      assert.equal(server.logs.findLast((l) => l.event === 'playground.token_refused')?.reason, reason);
    }
    for (const [headers, remoteAddress] of [
      [{ 'sec-fetch-site': 'none' }, '127.0.0.1'],
      [{}, '::1'],
      [{}, '::ffff:127.0.0.1'],
      [{}, '127.0.0.2'],
    ] as const) {
      assert.equal(
        (await server.app.inject({ url: '/playground/token', headers, remoteAddress })).statusCode,
        200,
        remoteAddress,
      );
    }
  });

  it('recognises loopback addresses only', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'])
      assert.equal(isLoopbackAddress(address), true, address);
    for (const address of [
      undefined,
      '',
      '10.0.0.1',
      '::',
      '::2',
      '128.0.0.1',
      '127.0.0.1.example.com',
      '::ffff:10.0.0.1',
      'localhost',
    ]) {
      assert.equal(isLoopbackAddress(address), false, String(address));
    }
  });
});

describe('npm start (src/main.ts) with the playground', () => {
  async function startMain(env: Record<string, string> = {}): Promise<{ port: number; stop: () => Promise<void> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('../..', import.meta.url),
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', OPE_THREADS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.resume();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const match = /"event":"service\.start"[^\n]*"port":(\d+)/.exec(out);
      if (match) {
        const stop = async (): Promise<void> => {
          child.kill('SIGTERM');
          await exited;
        };
        return { port: Number(match[1]), stop };
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`src/main.ts did not start:\n${out}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('serves the page and hands it a working token when it runs with the embedded development identity', async () => {
    const { port, stop } = await startMain({});
    try {
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
      const response = await fetch(`http://127.0.0.1:${port}/playground/token`);
      assert.equal(response.status, 200);
      const { access_token: token } = (await response.json()) as { access_token: string };
      const priced = await fetch(`http://127.0.0.1:${port}/api/v1/pricing/single`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(pricingRequest()),
      });
      assert.equal(priced.status, 200);
    } finally {
      await stop();
    }
  });
});
