import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SignJWT, decodeJwt, exportSPKI, importJWK } from 'jose';
import type { CryptoKey } from 'jose';
import { loadConfig } from '../../src/config/config.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import type { Authenticator } from '../../src/auth/authenticator.js';
import { createDevIdentity } from '../../src/auth/dev-identity.js';
import { DEV_AUDIENCE, DEV_ISSUER, mintDevToken } from '../../src/auth/dev-token.js';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import type { IdentityProvider } from '../helpers/identity-provider.js';

// Three secrets in the three spellings config.ts accepts; the bytes are computed here independently of config.ts.
const PLAIN = 'correct-horse-battery-staple-0123456789';
const BASE64_BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256));
const HEX_BYTES = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 91 + 3) % 256));
const DEV_ENV = {
  DEV_JWT_SECRET: PLAIN,
  DEV_JWT_ADDITIONAL_SECRETS: `base64:${BASE64_BYTES.toString('base64')},hex:${HEX_BYTES.toString('hex')}`,
};

const metrics = () => createMetrics({ defaultMetrics: false });
const devToken = (secret: Uint8Array, scopes = ['pricing:read'], sub = 'dev-alice') =>
  mintDevToken({ secret, scopes, sub });

describe('development HMAC tokens (DEV_JWT_SECRET, DEV_JWT_ADDITIONAL_SECRETS)', () => {
  let authenticator: Authenticator;
  before(() => {
    authenticator = createAuthenticator({ config: loadConfig(DEV_ENV).auth, metrics: metrics() });
  });
  after(() => authenticator.close());

  const secrets = [
    ['plain', new TextEncoder().encode(PLAIN)],
    ['base64:', new Uint8Array(BASE64_BYTES)],
    ['hex:', new Uint8Array(HEX_BYTES)],
  ] as const;
  for (const [spelling, secret] of secrets) {
    test(`a token signed with the ${spelling} secret is accepted with its subject and scopes`, async () => {
      const principal = await authenticator.verify(await devToken(secret, ['pricing:read', 'risk:read']));
      assert.equal(principal.sub, 'dev:dev-alice');
      assert.deepEqual([...principal.scopes].sort(), ['pricing:read', 'risk:read']);
      assert.equal(principal.claims.iss, 'ope-dev');
      assert.equal(principal.claims.aud, 'ope');
    });
  }

  test('dev tokens use iss "ope-dev" and aud "ope"', () => {
    assert.equal(DEV_ISSUER, 'ope-dev');
    assert.equal(DEV_AUDIENCE, 'ope');
  });

  test('a token signed with a secret that is not configured is refused', async () => {
    await assert.rejects(authenticator.verify(await devToken(new Uint8Array(32).fill(1))), {
      code: 'ERR_AUTH_INVALID_TOKEN',
    });
  });

  test('a dev token with another issuer or audience is refused', async () => {
    const secret = new TextEncoder().encode(PLAIN);
    const now = Math.floor(Date.now() / 1000);
    for (const [iss, aud] of [
      ['someone-else', 'ope'],
      ['ope-dev', 'another-api'],
    ]) {
      const token = await new SignJWT({ scope: 'pricing:read' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(iss!)
        .setAudience(aud!)
        .setSubject('x')
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 60)
        .sign(secret);
      await assert.rejects(authenticator.verify(token), { code: 'ERR_AUTH_INVALID_TOKEN' }, `${iss} / ${aud}`);
    }
  });

  test('a dev token needs sub, exp, nbf and iat like any other', async () => {
    const secret = new TextEncoder().encode(PLAIN);
    const now = Math.floor(Date.now() / 1000);
    const full: Record<string, unknown> = { iss: 'ope-dev', aud: 'ope', sub: 'x', iat: now, nbf: now, exp: now + 60 };
    for (const claim of ['sub', 'exp', 'nbf', 'iat']) {
      const { [claim]: _removed, ...payload } = full;
      const token = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(secret);
      await assert.rejects(authenticator.verify(token), { code: 'ERR_AUTH_INVALID_TOKEN' }, claim);
    }
  });

  test('an HMAC secret is never used with another algorithm (HS512 with the same secret is refused)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: 'ope-dev', aud: 'ope', sub: 'x', iat: now, nbf: now, exp: now + 60 })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(new Uint8Array(HEX_BYTES));
    await assert.rejects(authenticator.verify(token), { code: 'ERR_AUTH_INVALID_TOKEN' });
  });

  test('an asymmetric token is refused when no OIDC is configured', async () => {
    const idp = await startIdentityProvider();
    try {
      await assert.rejects(authenticator.verify(await idp.mintToken({ iss: 'ope-dev', aud: 'ope' })), {
        code: 'ERR_AUTH_INVALID_TOKEN',
      });
    } finally {
      await idp.close();
    }
  });
});

describe('OIDC and development secrets together', () => {
  let idp: IdentityProvider;
  let authenticator: Authenticator;
  const secret = new TextEncoder().encode(PLAIN);
  before(async () => {
    idp = await startIdentityProvider({ publish: ['A', 'R'] });
    authenticator = createAuthenticator({
      config: loadConfig({ ...testEnv(idp), DEV_JWT_SECRET: PLAIN }).auth,
      metrics: metrics(),
    });
    await authenticator.ready();
  });
  after(async () => {
    authenticator.close();
    await idp.close();
  });

  test('either kind of token is accepted', async () => {
    assert.equal((await authenticator.verify(await idp.mintToken({ sub: 'oidc-user' }))).sub, 'oidc-user');
    assert.equal((await authenticator.verify(await devToken(secret))).sub, 'dev:dev-alice');
  });

  test('the anchors never cross: a dev-secret token claiming the OIDC issuer, or an OIDC token claiming ope-dev, is refused', async () => {
    const oidcClaims = decodeJwt(await idp.mintToken());
    const hsWithOidcClaims = await new SignJWT(oidcClaims).setProtectedHeader({ alg: 'HS256', kid: 'A' }).sign(secret);
    await assert.rejects(authenticator.verify(hsWithOidcClaims), { code: 'ERR_AUTH_INVALID_TOKEN' });
    const oidcWithDevClaims = await idp.mintToken({ iss: 'ope-dev', aud: 'ope' });
    await assert.rejects(authenticator.verify(oidcWithDevClaims), { code: 'ERR_AUTH_INVALID_TOKEN' });
  });

  test('HS256 signed with the RSA public key is still refused when HS256 is accepted for dev tokens', async () => {
    const pem = await exportSPKI((await importJWK(idp.keys.get('R')!.publicJwk, 'RS256')) as CryptoKey);
    const now = Math.floor(Date.now() / 1000);
    for (const iss of [idp.issuer, 'ope-dev']) {
      const forged = await new SignJWT({
        iss,
        aud: iss === 'ope-dev' ? 'ope' : idp.audience,
        sub: 'x',
        iat: now,
        nbf: now,
        exp: now + 60,
      })
        .setProtectedHeader({ alg: 'HS256', kid: 'R' })
        .sign(new TextEncoder().encode(pem));
      await assert.rejects(authenticator.verify(forged), { code: 'ERR_AUTH_INVALID_TOKEN' });
    }
  });
});

describe('authenticator construction', () => {
  test('development secrets are refused in production', () => {
    const config = {
      oidc: { issuer: 'https://idp.example.com', audience: 'ope', jwksUrl: 'https://idp.example.com/jwks' },
      devJwtSecrets: [],
      isProduction: true,
      jwksMaxStalenessSeconds: 86_400,
    };
    assert.throws(
      () =>
        createAuthenticator({
          config,
          metrics: metrics(),
          devSecrets: createDevIdentity().authenticatorOptions.devSecrets,
        }),
      /refused when OPE_ENVIRONMENT=production/,
    );
  });

  test('with nothing to trust it refuses to start rather than reject every request', () => {
    assert.throws(() => createAuthenticator({ config: loadConfig({}).auth, metrics: metrics() }), /nothing to trust/);
  });
});

describe('the embedded development identity', () => {
  test('its start-up token carries every scope, lasts 12 hours and verifies with its own authenticator only', async () => {
    const identity = createDevIdentity();
    const authenticator = createAuthenticator({
      config: loadConfig({}).auth,
      metrics: metrics(),
      ...identity.authenticatorOptions,
    });
    const other = createDevIdentity();
    try {
      const token = await identity.mintStartupToken();
      const principal = await authenticator.verify(token);
      assert.deepEqual([...principal.scopes].sort(), [
        'market-data:read',
        'market-data:write',
        'pricing:read',
        'risk:read',
      ]);
      assert.equal(principal.claims.iss, 'ope-dev');
      assert.equal((principal.claims.exp as number) - (principal.claims.iat as number), 12 * 3600);
      await assert.rejects(authenticator.verify(await other.mintStartupToken()), { code: 'ERR_AUTH_INVALID_TOKEN' });
      const narrow = await authenticator.verify(
        await identity.mintToken({ scopes: ['risk:read'], sub: 'bob', ttlSeconds: 60 }),
      );
      assert.equal(narrow.sub, 'dev:bob');
      assert.deepEqual([...narrow.scopes], ['risk:read']);
    } finally {
      authenticator.close();
    }
  });
});

describe('npm run token (scripts/token.ts)', () => {
  const run = (args: string[], secret: string | undefined) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DEV_JWT_SECRET;
    if (secret !== undefined) env.DEV_JWT_SECRET = secret;
    return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], { env, encoding: 'utf8' });
  };

  test('prints a token the service accepts, with the requested scopes, subject and lifetime', async () => {
    const secret = `hex:${HEX_BYTES.toString('hex')}`;
    const result = run(['--scope', 'pricing:read,risk:read', '--sub', 'alice', '--ttl', '120'], secret);
    assert.equal(result.status, 0, result.stderr);
    const token = result.stdout.trim();
    const authenticator = createAuthenticator({
      config: loadConfig({ DEV_JWT_SECRET: secret }).auth,
      metrics: metrics(),
    });
    try {
      const principal = await authenticator.verify(token);
      assert.equal(principal.sub, 'dev:alice');
      assert.deepEqual([...principal.scopes].sort(), ['pricing:read', 'risk:read']);
      assert.equal((principal.claims.exp as number) - (principal.claims.iat as number), 120);
    } finally {
      authenticator.close();
    }
  });

  test('without DEV_JWT_SECRET it fails with a clear message', () => {
    const result = run(['--scope', 'pricing:read'], undefined);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /DEV_JWT_SECRET is not set/);
  });

  test('a secret shorter than 32 bytes, a missing scope or a bad ttl are refused with the reason', () => {
    assert.match(run(['--scope', 'pricing:read'], 'too-short').stderr, /at least 32 bytes/);
    assert.match(run([], PLAIN).stderr, /at least one --scope/);
    assert.match(run(['--scope', 'pricing:read', '--ttl', '0'], PLAIN).stderr, /--ttl must be/);
  });
});
