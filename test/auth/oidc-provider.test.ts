import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import { decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { fakeClock } from './auth-fixture.js';
import { buildAuthApp } from './auth-fixture.js';
import type { AuthApp, FakeClock } from './auth-fixture.js';

/**
 * A real OpenID provider (panva/oidc-provider 9) on loopback issues client_credentials JWT access
 * tokens (RFC 9068, typ at+jwt, ES256) that our authenticator verifies through the provider's own /jwks.
 *
 * RFC 9068 access tokens carry no nbf, while OPE requires nbf (docs/SECURITY.md, as the Python service did):
 * the provider is configured to add nbf = iat, and one test pins down that a token without it is refused.
 */

const AUDIENCE = 'urn:ope:api';
const CLIENT = { id: 'ope-client', secret: 'ope-client-secret-0123456789-abcdef' };

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
}

function providerFor(issuer: string, keys: JWK[], options: { nbf: boolean }): Provider {
  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: 'ES256',
        scope: 'pricing:read risk:read',
      },
    ],
    jwks: { keys },
    scopes: ['pricing:read', 'risk:read'],
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'pricing:read risk:read',
          audience: AUDIENCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    ...(options.nbf
      ? {
          formats: {
            customizers: {
              jwt: (_ctx, _token, jwt) => {
                jwt.payload.nbf = jwt.payload.iat;
              },
            },
          },
        }
      : {}),
  };
  return new Provider(issuer, configuration);
}

describe('tokens from a real OpenID provider (oidc-provider 9, client_credentials)', () => {
  let server: Server;
  let issuer: string;
  let handler: RequestListener;
  let clock: FakeClock;
  let auth: AuthApp;
  let k1: JWK;
  let k2: JWK;

  async function accessToken(scope: string): Promise<string> {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  }

  before(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    [k1, k2] = await Promise.all([signingKey('k1'), signingKey('k2')]);
    handler = providerFor(issuer, [k1], { nbf: true }).callback();
    clock = fakeClock();
    auth = await buildAuthApp(
      { OIDC_ISSUER: issuer, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: `${issuer}/jwks` },
      { clock },
    );
    await auth.authenticator.ready();
  });
  after(async () => {
    await auth.close();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a client_credentials access token is accepted with the client as subject and the granted scope', async () => {
    const token = await accessToken('pricing:read');
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
    const res = await auth.call(token);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { sub: CLIENT.id, scopes: ['pricing:read'] });
    const forbidden = await auth.call(await accessToken('risk:read'));
    assert.equal(forbidden.status, 403);
  });

  test('the provider rotating to a second key: the new kid verifies after one refetch, the old one keeps verifying', async () => {
    const oldToken = await accessToken('pricing:read');
    handler = providerFor(issuer, [k2, k1], { nbf: true }).callback();
    const newToken = await accessToken('pricing:read');
    assert.equal(decodeProtectedHeader(newToken).kid, 'k2');
    // The first token with the new kid waits for the one refetch it causes and verifies.
    assert.equal((await auth.call(newToken)).status, 200);
    await auth.authenticator.settled();
    assert.equal((await auth.call(newToken)).status, 200);
    assert.equal((await auth.call(oldToken)).status, 200);
  });

  test('an RFC 9068 token without nbf is refused, because OPE requires nbf', async () => {
    handler = providerFor(issuer, [k2, k1], { nbf: false }).callback();
    const res = await auth.call(await accessToken('pricing:read'));
    assert.equal(res.status, 401);
    assert.equal(res.body.detail, 'Invalid credentials');
  });
});
