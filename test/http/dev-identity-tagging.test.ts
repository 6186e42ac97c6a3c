import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mintDevToken } from '../../src/auth/dev-token.js';
import { startServer } from './support.js';
import type { TestServer } from './support.js';

/**
 * Staging with both trust anchors (OIDC and DEV_JWT_SECRET): a dev-secret holder can mint any subject. Its
 * requests are logged as `dev:<sub>` and draw on their own rate-limit budget, never on the OIDC user's of the
 * same name (docs/SECURITY.md, "Development identities").
 */
describe('development identities next to OIDC', () => {
  const secret = 'a-development-secret-of-at-least-32-bytes!';
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { DEV_JWT_SECRET: secret, RATE_LIMIT_DEFAULT: '3/minute' } });
  });
  after(async () => server.close());

  it("logs a dev token minted for an OIDC user's subject as dev:<sub>, and gives it its own budget", async () => {
    const devToken = await mintDevToken({
      secret: new TextEncoder().encode(secret),
      scopes: ['pricing:read'],
      sub: 'alice',
    });
    for (let i = 0; i < 3; i += 1)
      assert.equal((await server.request('/api/v1/models', { token: devToken })).status, 200);
    assert.equal((await server.request('/api/v1/models', { token: devToken })).status, 429, 'the dev budget is spent');
    const oidcToken = await server.token(['pricing:read'], 'alice');
    assert.equal(
      (await server.request('/api/v1/models', { token: oidcToken })).status,
      200,
      'the real alice still has her budget',
    );
    const users = server.logs.filter((l) => l.route === '/api/v1/models').map((l) => l.user);
    assert.deepEqual(users, ['dev:alice', 'dev:alice', 'dev:alice', 'dev:alice', 'alice']);
  });
});
