import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import type { IdentityProvider } from '../helpers/identity-provider.js';
import { buildAuthApp, fakeClock } from './auth-fixture.js';
import type { AuthApp, FakeClock } from './auth-fixture.js';
import type { JwksTimingOptions } from '../../src/auth/authenticator.js';

const MINUTE = 60_000;

/**
 * The JWKS life cycle of docs/RUNBOOK.md ("Token rotation"), against a real loopback JWKS
 * server. Time is a fake clock moved by hand; the authenticator runs with its production intervals (five-minute
 * refresh, 30 s unknown-kid cooldown, 30 s retry), so no test waits for real minutes.
 */
describe('JWKS cache life cycle', () => {
  let idp: IdentityProvider;
  let clock: FakeClock;
  let auth: AuthApp;

  async function start(env: Record<string, string> = {}, jwks: JwksTimingOptions = {}): Promise<void> {
    auth = await buildAuthApp({ ...testEnv(idp), ...env }, { clock, jwks });
  }
  const token = (kid: string, scopes = ['pricing:read']): Promise<string> =>
    idp.mintToken({ kid, scopes, now: clock.seconds() });
  const status = async (kid: string): Promise<number> => (await auth.call(await token(kid))).status;
  const settle = (): Promise<void> => auth.authenticator.settled();
  async function refreshFailures(): Promise<number> {
    return (await auth.metrics.jwksRefreshFailuresTotal.get()).values[0]?.value ?? 0;
  }
  async function lastSuccessSeconds(): Promise<number> {
    return (await auth.metrics.jwksLastSuccessTimestamp.get()).values[0]?.value ?? 0;
  }

  beforeEach(async () => {
    idp = await startIdentityProvider({ publish: ['A'] });
    clock = fakeClock();
  });
  afterEach(async () => {
    await auth?.close();
    await idp.close();
  });

  test('the first load happens once at start-up and later verifications make no fetch', async () => {
    await start();
    await auth.authenticator.ready();
    assert.equal(auth.authenticator.isReady, true);
    for (let i = 0; i < 5; i += 1) assert.equal(await status('A'), 200);
    assert.equal(idp.fetchCount, 1);
    assert.equal(await lastSuccessSeconds(), clock() / 1000);
  });

  test('rotation A -> A+B -> B: B is accepted after one refetch, A until the refresh and the retention window after it', async () => {
    await start();
    await auth.authenticator.ready();
    assert.equal(await status('A'), 200);

    // 1. The identity provider publishes B next to A, one second after the start-up fetch. The first B token
    //    waits for the one refetch it causes and verifies; the start-up fetch does not count as a cooldown.
    idp.publish(['A', 'B']);
    clock.advance(1_000);
    const before = await auth.failures('unknown_kid');
    assert.equal(await status('B'), 200, 'the first request with the new kid after publication is accepted');
    assert.equal(await auth.failures('unknown_kid'), before);
    await settle();
    assert.equal(idp.fetchCount, 2, 'exactly one refetch');
    assert.equal(await status('B'), 200);
    assert.equal(await status('A'), 200);

    // 2. The provider drops A. Until the next five-minute refresh the cache still holds [A, B].
    idp.publish(['B']);
    clock.advance(4 * MINUTE);
    assert.equal(await status('A'), 200);
    assert.equal(idp.fetchCount, 2);

    // 3. The refresh falls due: a request starts it in the background and is not held up by it.
    clock.advance(1 * MINUTE + 1_000);
    assert.equal(await status('A'), 200);
    await settle();
    assert.equal(idp.fetchCount, 3);
    assert.deepEqual(auth.authenticator.status().jwks?.currentKids, ['B']);
    assert.deepEqual(auth.authenticator.status().jwks?.previousKids, ['A', 'B'], 'the replaced set is retained');
    assert.equal(await status('A'), 200, 'A still verifies from the retained previous set');
    assert.equal(await status('B'), 200);

    // 4. One refresh interval later the previous set is released: A is refused, B still verifies.
    clock.advance(5 * MINUTE);
    assert.equal(await status('A'), 401);
    await settle();
    assert.deepEqual(auth.authenticator.status().jwks?.previousKids, []);
    assert.equal(await status('A'), 401);
    assert.equal(await status('B'), 200);
  });

  test('a manual refresh (SIGHUP) fetches at once and drops the previous set, revoking a removed key immediately', async () => {
    await start();
    await auth.authenticator.ready();
    const aToken = await token('A');
    assert.equal((await auth.call(aToken)).status, 200); // now also in the verified-token cache
    idp.publish(['B']);
    await auth.authenticator.refresh();
    assert.equal(idp.fetchCount, 2);
    assert.deepEqual(auth.authenticator.status().jwks?.currentKids, ['B']);
    assert.deepEqual(auth.authenticator.status().jwks?.previousKids, []);
    assert.equal((await auth.call(aToken)).status, 401, 'neither the retained set nor the token cache keeps A alive');
    assert.equal(await status('B'), 200);
  });

  test('a manual refresh that fails keeps the keys in use and reports the failure', async () => {
    await start();
    await auth.authenticator.ready();
    await idp.setMode('500');
    await assert.rejects(auth.authenticator.refresh(), { code: 'ERR_AUTH_UNAVAILABLE' });
    assert.equal(await status('A'), 200);
    assert.equal(await refreshFailures(), 1);
  });

  for (const mode of ['down', '500', 'garbage', 'hang'] as const) {
    test(`JWKS outage (${mode}): cached keys keep verifying, failures are counted, and it recovers`, async () => {
      await start({}, { timeoutMs: 300 });
      await auth.authenticator.ready();
      const successAt = await lastSuccessSeconds();
      await idp.setMode(mode);

      clock.advance(5 * MINUTE + 1_000);
      const res = await auth.call(await token('A'));
      assert.equal(res.status, 200, 'the request that starts the refresh does not wait for it');
      if (mode === 'hang') assert.equal(await refreshFailures(), 0, 'answered while the fetch was still hanging');
      await settle();
      assert.equal(await refreshFailures(), 1);
      assert.equal(await auth.failures('jwks_unavailable'), 1);
      assert.equal(await status('A'), 200);
      assert.equal(auth.authenticator.isReady, true);

      // Retries every 30 s, each failure counted, keys still in use.
      clock.advance(31_000);
      assert.equal(await status('A'), 200);
      await settle();
      assert.equal(await refreshFailures(), 2);
      assert.equal(await auth.failures('jwks_unavailable'), 2);
      assert.equal(await lastSuccessSeconds(), successAt);

      await idp.setMode('up');
      idp.publish(['A', 'B']);
      clock.advance(31_000);
      assert.equal(await status('A'), 200);
      await settle();
      assert.equal(await lastSuccessSeconds(), clock() / 1000);
      assert.equal(await status('B'), 200);
      assert.equal(await refreshFailures(), 2);
      assert.equal(await auth.failures('jwt_error'), 0);
    });
  }

  test('a flood of 500 tokens with forged kids causes at most one JWKS fetch', async () => {
    await start();
    await auth.authenticator.ready();
    clock.advance(31_000);
    const fetchesBefore = idp.fetchCount;
    const forged = await Promise.all(
      Array.from({ length: 500 }, () => idp.mintToken({ headerKid: randomUUID(), now: clock.seconds() })),
    );
    // Ten waves of 50 concurrent requests, each wave after the previous one's fetch (if any) has completed.
    for (let wave = 0; wave < 10; wave += 1) {
      const statuses = await Promise.all(
        forged.slice(wave * 50, wave * 50 + 50).map(async (t) => (await auth.call(t)).status),
      );
      assert.ok(statuses.every((s) => s === 401));
      await settle();
    }
    assert.ok(idp.fetchCount - fetchesBefore <= 1, `fetches during the flood: ${idp.fetchCount - fetchesBefore}`);
    assert.equal(await auth.failures('unknown_kid'), 500);
    // Inside the cooldown another flood makes no fetch at all.
    clock.advance(10_000);
    const again = idp.fetchCount;
    for (const t of forged.slice(0, 50)) assert.equal((await auth.call(t)).status, 401);
    assert.equal(idp.fetchCount, again);
  });

  test('past OPE_JWKS_MAX_STALENESS_SECONDS without a successful fetch it fails closed with 503, then recovers', async () => {
    await start({ OPE_JWKS_MAX_STALENESS_SECONDS: '600' });
    await auth.authenticator.ready();
    const valid = await token('A');
    await idp.setMode('down');

    clock.advance(590_000);
    assert.equal((await auth.call(valid)).status, 200, 'within the staleness limit');
    await settle();
    assert.equal(await refreshFailures(), 1);

    clock.advance(11_000);
    const failures = await auth.failures('jwks_unavailable');
    const res = await auth.call(await token('A'));
    assert.equal(res.status, 503);
    assert.equal(res.body.detail, 'Authentication unavailable');
    assert.equal(typeof res.body.request_id, 'string');
    assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/);
    assert.equal(await auth.failures('jwks_unavailable'), failures + 1);
    assert.equal(auth.authenticator.isReady, false);
    assert.equal((await auth.call(valid)).status, 503, 'a token in the verified-token cache is refused too');
    const loud = auth.logger.entries.find((e) => e.level === 'error');
    assert.ok(loud, 'an error-level log line while failing closed');
    assert.match(loud.msg, /FAILING CLOSED/);

    await idp.setMode('up');
    clock.advance(31_000);
    // Past the staleness limit there is nothing to serve from: the request that starts the retry waits for it.
    assert.equal((await auth.call(await token('A'))).status, 200, 'the request that starts the retry gets its result');
    await settle();
    assert.equal(auth.authenticator.isReady, true);
    assert.equal(await status('A'), 200);
  });

  test('before the first successful load requests get 503 and readiness is false; it becomes ready once the JWKS answers', async () => {
    await idp.setMode('down');
    await start();
    const res = await auth.call(await token('A'));
    assert.equal(res.status, 503);
    assert.equal(res.body.detail, 'Authentication unavailable');
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.equal(auth.authenticator.isReady, false);
    assert.equal(await refreshFailures(), 1);

    await idp.setMode('up');
    clock.advance(1_000); // the first retry backs off 1 s
    assert.equal(await status('A'), 200, 'the first load may be awaited by a request');
    assert.equal(auth.authenticator.isReady, true);
  });

  test('a request that arrives during the start-up fetch waits for it instead of failing', async () => {
    await start();
    assert.equal(auth.authenticator.isReady, false);
    assert.equal(await status('A'), 200);
    assert.equal(idp.fetchCount, 1);
  });
});

describe('JWKS documents the cache refuses to use', () => {
  const env = {
    OIDC_ISSUER: 'https://idp.example.com',
    OIDC_AUDIENCE: 'ope',
    OIDC_JWKS_URL: 'https://idp.example.com/jwks',
  };
  const serve =
    (body: string): typeof fetch =>
    async () =>
      new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });

  test('a published private key makes its tokens fail with 401, never a server error', async () => {
    const idp = await startIdentityProvider();
    const { exportJWK } = await import('jose');
    const privateJwk = { ...(await exportJWK(idp.keys.get('A')!.privateKey)), kid: 'A', alg: 'ES256' };
    const auth = await buildAuthApp(env, { fetch: serve(JSON.stringify({ keys: [privateJwk] })) });
    try {
      const res = await auth.call(await idp.mintToken({ iss: env.OIDC_ISSUER, aud: 'ope', scopes: ['pricing:read'] }));
      assert.equal(res.status, 401);
      assert.equal(await auth.failures('jwt_error'), 1);
    } finally {
      await auth.close();
      await idp.close();
    }
  });

  for (const [name, body, options] of [
    ['an empty key set', JSON.stringify({ keys: [] }), {}],
    [
      'a document larger than maxBytes',
      JSON.stringify({ keys: [{ kty: 'oct', k: 'x'.repeat(2_000) }] }),
      { maxBytes: 1_000 },
    ],
    ['JSON that is not a key set', JSON.stringify({ issuer: 'https://idp.example.com' }), {}],
  ] as const) {
    test(`${name} is a failed fetch: not ready, counted, 503`, async () => {
      const auth = await buildAuthApp(env, { fetch: serve(body), jwks: options });
      try {
        await auth.authenticator.settled();
        assert.equal(auth.authenticator.isReady, false);
        assert.equal((await auth.metrics.jwksRefreshFailuresTotal.get()).values[0]?.value, 1);
        assert.equal((await auth.call('x.y.z')).status, 401, 'a malformed token is refused before any key is needed');
        const idp = await startIdentityProvider();
        try {
          assert.equal(
            (await auth.call(await idp.mintToken({ iss: env.OIDC_ISSUER, aud: 'ope' }), '/any')).status,
            503,
          );
        } finally {
          await idp.close();
        }
      } finally {
        await auth.close();
      }
    });
  }
});
