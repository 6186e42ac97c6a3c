import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import type { Authenticator } from '../../src/auth/authenticator.js';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import type { IdentityProvider } from '../helpers/identity-provider.js';
import { fakeClock } from './auth-fixture.js';
import type { FakeClock } from './auth-fixture.js';

/**
 * The verified-token cache: a hit returns the very Principal object the first verification built (no signature
 * check, no claim checks); an entry lives min(exp - now, 60 s).
 */
describe('verified-token cache', () => {
  let idp: IdentityProvider;
  let clock: FakeClock;
  let authenticator: Authenticator;
  before(async () => {
    idp = await startIdentityProvider();
    clock = fakeClock();
    authenticator = createAuthenticator({
      config: loadConfig(testEnv(idp)).auth,
      metrics: createMetrics({ defaultMetrics: false }),
      clock,
    });
    await authenticator.ready();
  });
  after(async () => {
    authenticator.close();
    await idp.close();
  });

  test('a second verification of the same token is served from the cache', async () => {
    const token = await idp.mintToken({ now: clock.seconds() });
    const first = await authenticator.verify(token);
    assert.equal(await authenticator.verify(token), first);
    const other = await authenticator.verify(await idp.mintToken({ sub: 'bob', now: clock.seconds() }));
    assert.notEqual(other, first);
  });

  test('an entry expires after 60 s even when the token lives longer', async () => {
    const token = await idp.mintToken({ now: clock.seconds(), exp: clock.seconds() + 3600 });
    const first = await authenticator.verify(token);
    clock.advance(59_000);
    assert.equal(await authenticator.verify(token), first);
    clock.advance(2_000);
    const second = await authenticator.verify(token);
    assert.notEqual(second, first, 're-verified after 60 s');
    assert.deepEqual(second, first);
  });

  test('an entry never outlives the token: it expires at exp, and the token is then verified again', async () => {
    const now = clock.seconds();
    const token = await idp.mintToken({ now, exp: now + 10 });
    const first = await authenticator.verify(token);
    clock.advance(11_000);
    const second = await authenticator.verify(token); // still inside the 60 s skew, but no longer from the cache
    assert.notEqual(second, first);
    clock.advance(60_000);
    await assert.rejects(authenticator.verify(token), { code: 'ERR_AUTH_INVALID_TOKEN' });
  });

  test('verifyCached answers at once only for a token verify() accepted and still caches', async () => {
    const now = clock.seconds();
    const token = await idp.mintToken({ now, exp: now + 10 });
    assert.equal(authenticator.verifyCached(token), null, 'never verified');
    assert.equal(authenticator.verifyCached(''), null);
    const first = await authenticator.verify(token);
    assert.equal(authenticator.verifyCached(token), first);
    clock.advance(11_000);
    assert.equal(authenticator.verifyCached(token), null, 'past the entry: only verify() can tell');
    assert.equal(authenticator.verifyCached(`${token}x`), null, 'another token');
  });

  test('with the cache disabled every verification checks the token again', async () => {
    const uncached = createAuthenticator({
      config: loadConfig(testEnv(idp)).auth,
      metrics: createMetrics({ defaultMetrics: false }),
      clock,
      tokenCacheSize: 0,
    });
    try {
      const token = await idp.mintToken({ now: clock.seconds() });
      assert.notEqual(await uncached.verify(token), await uncached.verify(token));
      assert.equal(uncached.verifyCached(token), null);
    } finally {
      uncached.close();
    }
  });
});
