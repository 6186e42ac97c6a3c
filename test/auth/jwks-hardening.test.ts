import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import type { IdentityProvider } from '../helpers/identity-provider.js';
import { JwksCache } from '../../src/auth/jwks-cache.js';
import { buildAuthApp, fakeClock } from './auth-fixture.js';
import type { AuthApp, FakeClock } from './auth-fixture.js';

/**
 * What a sick identity provider can still do (docs/SECURITY.md, "Identity provider"): hang, trickle, rotate keys
 * just after a refresh, or be configured with a staleness limit shorter than the refresh interval.
 */

const CHILD = fileURLToPath(new URL('./fixtures/jwks-gc-child.ts', import.meta.url));

/** The Node binaries to try the collection test on: this one, and older system ones (the bug lived on Node 20). */
function nodeBinaries(): string[] {
  const found = [process.execPath];
  for (const path of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(path) || found.includes(path)) continue;
    const major = Number(/^v(\d+)/.exec(execFileSync(path, ['--version'], { encoding: 'utf8' }))?.[1]);
    if (major >= 20) found.push(path);
  }
  return found;
}

describe('JWKS fetch deadline', () => {
  for (const node of nodeBinaries()) {
    test(`a hanging fetch fails at its deadline although the garbage collector runs every 10 ms (${node})`, () => {
      const child = spawnSync(node, ['--expose-gc', '--import', 'tsx', CHILD], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(child.error, undefined, `the fetch never failed: the deadline was lost (${String(child.error)})`);
      assert.equal(child.status, 0, child.stderr);
      const { elapsedMs, status } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
        elapsedMs: number;
        status: { ready: boolean; consecutiveFailures: number };
      };
      assert.equal(status.consecutiveFailures, 1);
      assert.equal(status.ready, false);
      assert.ok(elapsedMs < 10_000, `failed after ${elapsedMs} ms`);
    });
  }

  test('a body that trickles one byte every 50 ms fails at the deadline, not when it ends', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const cache = new JwksCache({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, timeoutMs: 300 });
    try {
      const outcome = await Promise.race([
        cache.settled().then(() => 'settled'),
        new Promise((resolve) => setTimeout(resolve, 10_000, 'still reading')),
      ]);
      assert.equal(outcome, 'settled');
      assert.equal(cache.status().consecutiveFailures, 1);
    } finally {
      cache.close();
      server.closeAllConnections();
      server.close();
    }
  });

  test("the cache keeps its state in private fields, like jose's remote key set", () => {
    const cache = new JwksCache({ url: 'http://127.0.0.1:9/jwks', fetch: () => new Promise(() => undefined) });
    try {
      assert.deepEqual(Object.keys(cache), []);
      assert.equal(cache instanceof JwksCache, true);
    } finally {
      cache.close();
    }
  });
});

describe('JWKS rotation, manual refresh and staleness', () => {
  let idp: IdentityProvider;
  let clock: FakeClock;
  let auth: AuthApp | undefined;
  /** When set, the next JWKS fetch hangs until its signal aborts. */
  let hangNext = false;
  let fetches = 0;

  const hangingFetch: typeof fetch = (input, init) => {
    fetches += 1;
    if (!hangNext) return fetch(input, init);
    hangNext = false;
    return new Promise((_resolve, reject) => {
      const signal = init?.signal;
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  };

  beforeEach(async () => {
    idp = await startIdentityProvider({ publish: ['A'] });
    clock = fakeClock();
    hangNext = false;
    fetches = 0;
  });
  afterEach(async () => {
    await auth?.close();
    auth = undefined;
    await idp.close();
  });

  const token = (kid: string): Promise<string> =>
    idp.mintToken({ kid, scopes: ['pricing:read'], now: clock.seconds() });

  test('SIGHUP (refresh) aborts a fetch stuck on a hanging provider instead of queueing behind it', async () => {
    auth = await buildAuthApp(testEnv(idp), { clock, fetch: hangingFetch, jwks: { timeoutMs: 120_000 } });
    await auth.authenticator.ready();
    hangNext = true;
    clock.advance(5 * 60_000 + 1_000);
    assert.equal((await auth.call(await token('A'))).status, 200, 'the scheduled refresh runs in the background');
    assert.equal(fetches, 2, 'the scheduled refresh is hanging');
    idp.publish(['B']);
    const outcome = await Promise.race([
      auth.authenticator.refresh().then(() => 'refreshed'),
      new Promise((resolve) => setTimeout(resolve, 10_000, 'queued behind the stuck fetch')),
    ]);
    assert.equal(outcome, 'refreshed');
    assert.deepEqual(auth.authenticator.status().jwks?.currentKids, ['B']);
    assert.equal(
      (await auth.metrics.jwksRefreshFailuresTotal.get()).values[0]?.value ?? 0,
      0,
      'an aborted fetch is not a provider failure',
    );
  });

  test('a kid published inside the unknown-kid cooldown verifies on its first request; forged kids still cause one fetch per 30 s', async () => {
    auth = await buildAuthApp(testEnv(idp), { clock });
    await auth.authenticator.ready();
    // A forged kid causes the one permitted refetch.
    assert.equal((await auth.call(await idp.mintToken({ headerKid: 'forged', now: clock.seconds() }))).status, 401);
    assert.equal(idp.fetchCount, 2);
    // A scheduled refresh lands, then B is published and used at once, 10 s into the cooldown.
    clock.advance(5 * 60_000 + 1_000);
    assert.equal((await auth.call(await token('A'))).status, 200);
    await auth.authenticator.settled();
    assert.equal(idp.fetchCount, 3);
    idp.publish(['A', 'B']);
    clock.advance(1_000);
    assert.equal((await auth.call(await token('B'))).status, 200, 'the first B token after publication');
    assert.equal(idp.fetchCount, 4);
    for (let i = 0; i < 20; i += 1)
      assert.equal(
        (await auth.call(await idp.mintToken({ headerKid: `forged-${i}`, now: clock.seconds() }))).status,
        401,
      );
    assert.equal(idp.fetchCount, 4, 'inside the cooldown forged kids cause no fetch');
  });

  test('OPE_JWKS_MAX_STALENESS_SECONDS below the refresh interval does not fail closed with a healthy provider', async () => {
    auth = await buildAuthApp({ ...testEnv(idp), OPE_JWKS_MAX_STALENESS_SECONDS: '60' }, { clock });
    await auth.authenticator.ready();
    clock.advance(61_000);
    assert.equal((await auth.call(await token('A'))).status, 200);
    assert.equal(auth.authenticator.isReady, true);
    clock.advance(29_000);
    assert.equal((await auth.call(await token('A'))).status, 200);
    await auth.authenticator.settled();
    assert.ok(idp.fetchCount >= 2, `fetches: ${idp.fetchCount}`);
    assert.equal(await auth.failures('jwks_unavailable'), 0);
  });
});
