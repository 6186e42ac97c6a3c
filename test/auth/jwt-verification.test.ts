import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeJwt, exportSPKI, importJWK } from 'jose';
import type { CryptoKey } from 'jose';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import type { IdentityProvider, MintOptions } from '../helpers/identity-provider.js';
import { buildAuthApp } from './auth-fixture.js';
import type { AuthApp } from './auth-fixture.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT verification against the OIDC JWKS', () => {
  let idp: IdentityProvider;
  let auth: AuthApp;
  let nowSeconds: number;

  before(async () => {
    idp = await startIdentityProvider();
    await idp.addKey('P', 'PS256');
    await idp.addKey('E', 'EdDSA');
    await idp.addKey('X', 'ES384');
    idp.publish(['A', 'R', 'P', 'E', 'X']);
    auth = await buildAuthApp(testEnv(idp));
    await auth.authenticator.ready();
    nowSeconds = Math.floor(Date.now() / 1000);
  });
  after(async () => {
    await auth.close();
    await idp.close();
  });

  const mint = (options: MintOptions = {}): Promise<string> => idp.mintToken({ scopes: ['pricing:read'], ...options });

  async function assertInvalid(token: string, reason: 'jwt_error' | 'unknown_kid' = 'jwt_error'): Promise<void> {
    const before = await auth.failures(reason);
    const res = await auth.call(token);
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(Object.keys(res.body).sort(), ['detail', 'request_id']);
    assert.equal(res.body.detail, 'Invalid credentials');
    assert.equal(
      await auth.failures(reason),
      before + 1,
      `ope_auth_failures_total{reason="${reason}"} should rise by one`,
    );
  }

  test('a valid ES256 token with the required scope is accepted and names its subject', async () => {
    const res = await auth.call(await mint({ sub: 'alice' }));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { sub: 'alice', scopes: ['pricing:read'] });
  });

  for (const kid of ['R', 'P', 'E']) {
    test(`every allow-listed algorithm verifies (key ${kid})`, async () => {
      assert.equal((await auth.call(await mint({ kid }))).status, 200);
    });
  }

  test('an algorithm outside the allow-list (ES384) is refused even with a published key', async () => {
    await assertInvalid(await mint({ kid: 'X' }));
  });

  test('a request without a bearer token gets 401 "Credentials required"', async () => {
    const before = await auth.failures('missing_token');
    const res = await auth.call(null);
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.equal(res.body.detail, 'Credentials required');
    assert.equal(typeof res.body.request_id, 'string');
    assert.equal(await auth.failures('missing_token'), before + 1);
  });

  test('a Basic authorization header counts as no bearer token', async () => {
    const res = await auth.app.inject({ url: '/protected', headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().detail, 'Credentials required');
  });

  test('a token whose signature was made by another key is refused', async () => {
    await assertInvalid(await mint({ kid: 'B', headerKid: 'A' }));
  });

  test('a token whose payload was altered after signing is refused', async () => {
    const [header, , signature] = (await mint({ sub: 'alice' })).split('.');
    const payload = b64({ ...decodeJwt(await mint({ sub: 'alice' })), sub: 'mallory' });
    await assertInvalid(`${header}.${payload}.${signature}`);
  });

  test('garbage in the Authorization header is refused as an invalid token', async () => {
    await assertInvalid('not-a-jwt');
    await assertInvalid('a.b.c');
  });

  test('an expired token is refused once past the 60 s clock skew, and accepted within it', async () => {
    await assertInvalid(await mint({ exp: nowSeconds - 90, iat: nowSeconds - 600, nbf: nowSeconds - 600 }));
    assert.equal(
      (await auth.call(await mint({ exp: nowSeconds - 30, iat: nowSeconds - 600, nbf: nowSeconds - 600 }))).status,
      200,
    );
  });

  test('a token not yet valid (nbf) is refused beyond the skew, and accepted within it', async () => {
    await assertInvalid(await mint({ nbf: nowSeconds + 120 }));
    assert.equal((await auth.call(await mint({ nbf: nowSeconds + 30 }))).status, 200);
  });

  test('a token issued in the future (iat beyond the skew) is refused', async () => {
    await assertInvalid(await mint({ iat: nowSeconds + 300 }));
  });

  test('a token from another issuer is refused', async () => {
    await assertInvalid(await mint({ iss: 'https://evil.example.com' }));
  });

  test('a token for another audience is refused; an audience list containing ours is accepted', async () => {
    await assertInvalid(await mint({ aud: 'some-other-api' }));
    assert.equal((await auth.call(await mint({ aud: ['some-other-api', idp.audience] }))).status, 200);
  });

  for (const claim of ['sub', 'exp', 'nbf', 'iat', 'iss', 'aud'] as const) {
    test(`a token without the required "${claim}" claim is refused`, async () => {
      await assertInvalid(await mint({ [claim]: null }));
    });
  }

  test('an empty sub is refused', async () => {
    await assertInvalid(await mint({ sub: '' }));
  });

  test('a token without a kid in its header is refused', async () => {
    await assertInvalid(await mint({ headerKid: null }));
  });

  test('an unsigned token (alg "none") is refused', async () => {
    const payload = decodeJwt(await mint());
    await assertInvalid(`${b64({ alg: 'none', typ: 'JWT', kid: 'A' })}.${b64(payload)}.`);
  });

  test('an HS256 token signed with the RSA public key as the HMAC secret is refused', async () => {
    const publicJwk = idp.keys.get('R')!.publicJwk;
    const pem = await exportSPKI((await importJWK(publicJwk, 'RS256')) as CryptoKey);
    const payload = decodeJwt(await mint());
    for (const secret of [pem, JSON.stringify(publicJwk)]) {
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', kid: 'R' })
        .sign(new TextEncoder().encode(secret));
      await assertInvalid(forged);
    }
  });

  test('a token whose kid is not in the JWKS is refused with reason unknown_kid', async () => {
    await assertInvalid(await mint({ headerKid: 'no-such-key' }), 'unknown_kid');
  });

  test("a token without the route's scope gets 403 naming the permission", async () => {
    const before = await auth.failures('insufficient_scope');
    const res = await auth.call(await mint({ scopes: ['risk:read'] }));
    assert.equal(res.status, 403);
    assert.equal(res.headers['www-authenticate'], undefined);
    assert.deepEqual(Object.keys(res.body).sort(), ['detail', 'request_id']);
    assert.equal(res.body.detail, "Permission 'pricing:read' required");
    assert.equal(await auth.failures('insufficient_scope'), before + 1);
  });

  test('a route that needs any valid token accepts a token with no scopes at all', async () => {
    const res = await auth.call(await mint({ scopes: [] }), '/any');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { sub: 'alice', scopes: [] });
  });

  test('scopes are read from "scope" (space-separated), "scp" as a string and "scp" as an array', async () => {
    const scopes = ['pricing:read', 'market-data:write'];
    for (const scopeClaim of ['scope', 'scp-string', 'scp-array'] as const) {
      const token = await mint({ scopes, scopeClaim });
      assert.equal((await auth.call(token)).status, 200, scopeClaim);
      const res = await auth.call(token, '/write');
      assert.equal(res.status, 200, scopeClaim);
      assert.deepEqual(res.body.scopes, ['market-data:write', 'pricing:read']);
    }
  });

  test('"scope", when present, alone decides: "scp" is not added to it', async () => {
    const token = await mint({ scopes: ['pricing:read'], claims: { scp: ['market-data:write'] } });
    const res = await auth.call(token, '/write');
    assert.equal(res.status, 403);
  });

  test('an HS256 token is refused when no development secret is configured', async () => {
    const payload = decodeJwt(await mint());
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: 'A' })
      .sign(new Uint8Array(32).fill(7));
    await assertInvalid(token);
  });

  test('a correctly signed token with an unknown critical header parameter is refused', async () => {
    // jose will not sign an unknown crit, so sign the JWS by hand (ES256 = raw r||s over header.payload).
    const signingInput = `${b64({ alg: 'ES256', kid: 'A', crit: ['x-unknown'], 'x-unknown': true })}.${b64(decodeJwt(await mint()))}`;
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      idp.keys.get('A')!.privateKey,
      new TextEncoder().encode(signingInput),
    );
    await assertInvalid(`${signingInput}.${Buffer.from(signature).toString('base64url')}`);
  });

  test('the refusal log names the reason and never contains the token', async () => {
    const token = await mint({ iss: 'https://evil.example.com' });
    const lines: string[] = [];
    const app = (await import('fastify')).default({
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } },
    });
    const { default: authPlugin } = await import('../../src/auth/auth-plugin.js');
    const { installErrorHandling } = await import('../../src/http/error-handler.js');
    installErrorHandling(app, { metrics: auth.metrics });
    await app.register(authPlugin, { authenticator: auth.authenticator, metrics: auth.metrics });
    app.get('/p', { onRequest: app.requireScope('pricing:read') }, async () => ({}));
    const res = await app.inject({ url: '/p', headers: { authorization: `Bearer ${token}` } });
    await app.close();
    assert.equal(res.statusCode, 401);
    const refusal = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'auth.refused');
    assert.ok(refusal, 'an auth.refused line is logged');
    assert.equal(refusal.reason, 'jwt_error');
    assert.match(String(refusal.error), /iss/);
    for (const line of lines) assert.ok(!line.includes(token.split('.')[2]!), 'no log line contains the token');
  });
});
