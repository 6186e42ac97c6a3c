import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config/config.js';
import { compileHostAllowlist, hostNameOf } from '../../src/http/plugins/host-allowlist.js';
import { rawRequest } from '../helpers/raw-http.js';
import type { RawResponse } from '../helpers/raw-http.js';
import { SECURITY_HEADERS, startServer } from './support.js';
import type { TestServer } from './support.js';

/** OPE_ALLOWED_HOSTS: the Host header allow-list, checked before anything else except on probe and scrape routes. */

describe('Host header parsing', () => {
  it('drops the port and canonicalises case, IPv6 spelling and a trailing dot', () => {
    assert.equal(hostNameOf('API.Example.COM:8443'), 'api.example.com');
    assert.equal(hostNameOf('api.example.com.'), 'api.example.com');
    assert.equal(hostNameOf('[::1]:8000'), '[::1]');
    assert.equal(hostNameOf('[0:0:0:0:0:0:0:1]'), '[::1]');
    assert.equal(hostNameOf('127.0.0.1:80'), '127.0.0.1');
  });

  it('refuses values that are not a host: userinfo, paths, bad ports, unbracketed IPv6, empty, absent', () => {
    for (const value of [
      'good.example.com@evil.com',
      'evil.com/path',
      'evil.com#x',
      'a.com:99999',
      'a.com:x',
      '::1',
      '',
      ' a.com',
      'a b.com',
    ]) {
      assert.equal(hostNameOf(value), null, JSON.stringify(value));
    }
    assert.equal(hostNameOf(undefined), null);
  });
});

describe('OPE_ALLOWED_HOSTS entries', () => {
  it('match exact names, subdomains of a *. entry at any depth (not the apex), and IPv6 written with or without brackets', () => {
    const allowed = compileHostAllowlist(['api.example.com', '*.ope.example.org', '::1', '[fe80::1]', '10.0.0.7']);
    for (const host of [
      'api.example.com',
      'a.ope.example.org',
      'a.b.ope.example.org',
      '[::1]',
      '[fe80::1]',
      '10.0.0.7',
    ]) {
      assert.equal(allowed(host), true, host);
    }
    for (const host of [
      'example.com',
      'ope.example.org',
      'evilope.example.org',
      'x.api.example.com',
      '[::2]',
      '10.0.0.70',
    ]) {
      assert.equal(allowed(host), false, host);
    }
  });

  it('accept everything with "*"', () => {
    assert.equal(compileHostAllowlist(['*'])('anything.test'), true);
  });

  it('refuse, naming the variable, an entry with a port or scheme, a bare "*." or a wildcard IP', () => {
    for (const entry of [
      'example.com:80',
      'example.com:8443',
      '[::1]:8000',
      'http://example.com',
      '*.',
      '*.[::1]',
      'a/b',
      '',
    ]) {
      assert.throws(
        () => compileHostAllowlist([entry]),
        (error: unknown) => error instanceof ConfigError && error.variable === 'OPE_ALLOWED_HOSTS',
        JSON.stringify(entry),
      );
    }
  });
});

describe('Host allow-list on a real server', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startServer({ env: { OPE_ALLOWED_HOSTS: 'api.example.com,*.ope.example.org,::1,127.0.0.1' } });
    token = await server.token(['pricing:read']);
  });
  after(async () => {
    await server.close();
  });

  function get(path: string, host: string | null, extra = ''): Promise<RawResponse> {
    const hostLine = host === null ? '' : `Host: ${host}\r\n`;
    const version = host === null ? '1.0' : '1.1';
    return rawRequest(
      server.url,
      `GET ${path} HTTP/${version}\r\n${hostLine}Authorization: Bearer ${token}\r\nConnection: close\r\n${extra}\r\n`,
    );
  }

  function assertInvalidHost(response: RawResponse, what: string): void {
    assert.equal(response.status, 400, what);
    assert.deepEqual(
      JSON.parse(response.body),
      { detail: 'Invalid host header', request_id: response.headers['x-request-id'] },
      what,
    );
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      assert.equal(response.headers[name], value, `${what}: ${name}`);
  }

  it('serves listed hosts whatever their port and case, wildcard subdomains and IPv6 literals', async () => {
    for (const host of [
      'api.example.com',
      'api.example.com:8443',
      'API.EXAMPLE.COM',
      'eu.ope.example.org',
      'a.b.ope.example.org:443',
      '[::1]:8000',
      '127.0.0.1',
    ]) {
      const response = await get('/api/v1/models', host);
      assert.equal(response.status, 200, host);
    }
  });

  it('answers 400 "Invalid host header" for other hosts, the wildcard apex, look-alikes and a missing Host', async () => {
    for (const host of [
      'evil.com',
      'ope.example.org',
      'evilope.example.org',
      'api.example.com.evil.com',
      'localhost',
      '[::2]',
      'api.example.com@evil.com',
      null,
    ]) {
      assertInvalidHost(await get('/api/v1/models', host), String(host));
    }
  });

  it('checks the host before the token and before the body: no 401, no 413, no waiting for a body', async () => {
    const head =
      'POST /api/v1/pricing/batch HTTP/1.1\r\nHost: evil.com\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n';
    assertInvalidHost(await rawRequest(server.url, head, { timeoutMs: 2000 }), 'no token, huge announced body');
    assertInvalidHost(await get('/no-such-page', 'evil.com'), 'unknown path');
  });

  it('answers /healthz, /health and /metrics whatever the Host: probes and scrapes address the pod IP', async () => {
    for (const path of ['/healthz', '/health', '/metrics']) {
      const response = await get(path, '10.1.2.3:8000');
      assert.equal(response.status, 200, path);
    }
  });
});

describe('Host allow-list defaults', () => {
  let server: TestServer;
  before(async () => {
    // testEnv sets no OPE_ALLOWED_HOSTS: the default localhost,127.0.0.1 applies.
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it('serve localhost and 127.0.0.1 and refuse other names', async () => {
    const ask = (host: string) =>
      rawRequest(server.url, `GET /api/v1/no-such HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal((await ask('localhost:8000')).status, 404);
    assert.equal((await ask('127.0.0.1')).status, 404);
    assert.equal((await ask('example.com')).status, 400);
  });
});

describe('start-up with a malformed security setting', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));

  function startMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', OPE_THREADS: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  }

  it('refuses to start with one line naming the variable: a host entry with a port, a Redis URL of another scheme', async () => {
    const [host, redis] = await Promise.all([
      startMain({ OPE_ALLOWED_HOSTS: 'api.example.com:443' }),
      startMain({ OPE_RATE_LIMIT_REDIS_URL: 'http://127.0.0.1:6379' }),
    ]);
    assert.equal(host.code, 1);
    assert.match(host.stderr, /^ope: cannot start: OPE_ALLOWED_HOSTS: "api\.example\.com:443" is not a host name/m);
    assert.equal(redis.code, 1);
    assert.match(redis.stderr, /^ope: cannot start: OPE_RATE_LIMIT_REDIS_URL: must use redis:\/\/ or rediss:\/\//m);
  });
});
