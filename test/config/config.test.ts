import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, parseRateLimit, decodeSecret } from '../../src/config/config.js';

function fails(env: Record<string, string>, variable: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && variable.test(err.variable),
    `expected ${variable} for ${JSON.stringify(env)}`,
  );
}

const OIDC = {
  OIDC_ISSUER: 'https://idp.example.com/',
  OIDC_AUDIENCE: 'ope',
  OIDC_JWKS_URL: 'https://idp.example.com/jwks',
};

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    assert.equal(c.environment, 'development');
    assert.equal(c.isProduction, false);
    assert.equal(c.auth.oidc, null);
    assert.deepEqual(c.http.allowedHosts, ['localhost', '127.0.0.1']);
    assert.equal(c.http.corsAllowCredentials, true);
    assert.ok(c.pool.threads >= 1);
    assert.equal(c.pool.queueMax, 32);
    assert.equal(c.pool.queueTimeoutSeconds, 0.5);
    assert.equal(c.pool.taskTimeoutSeconds, 30);
    assert.equal(c.maxContracts, 1000);
    assert.equal(c.maxRiskContracts, 1000);
    assert.equal(c.monteCarloSeed, null);
    assert.equal(c.cacheSize, 10000);
    assert.equal(c.cacheTtlSeconds, 5);
    assert.deepEqual(c.http.rateLimit, { max: 60, windowMs: 60_000, text: '60/minute' });
    assert.equal(c.http.maxBodyBytes, 1048576);
    assert.equal(c.http.port, 8000);
    assert.equal(c.http.host, '0.0.0.0');
    assert.equal(c.shutdownGraceSeconds, 25);
    assert.equal(c.auth.jwksMaxStalenessSeconds, 86400);
    assert.equal(c.http.playground, true);
    assert.ok(Object.isFrozen(c));
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      ...OIDC,
      OPE_ENVIRONMENT: 'staging',
      OPE_THREADS: '3',
      OPE_THREAD_QUEUE_MAX: '0',
      OPE_THREAD_QUEUE_TIMEOUT_SECONDS: '0',
      OPE_THREAD_TASK_TIMEOUT_SECONDS: '1.5',
      OPE_MAX_CONTRACTS: '50',
      OPE_MONTE_CARLO_SEED: '9223372036854775807',
      OPE_CACHE_SIZE: '0',
      OPE_CACHE_TTL_SECONDS: '10',
      RATE_LIMIT_DEFAULT: '5/second',
      MAX_BODY_BYTES: '2048',
      PORT: '0',
      HOST: '127.0.0.1',
      OPE_ALLOWED_HOSTS: 'api.example.com, *.example.org',
      OPE_ALLOWED_ORIGINS: 'https://app.example.com',
      OPE_CORS_ALLOW_CREDENTIALS: 'false',
      OPE_PLAYGROUND: 'off',
    });
    assert.deepEqual(c.auth.oidc, { issuer: OIDC.OIDC_ISSUER, audience: 'ope', jwksUrl: OIDC.OIDC_JWKS_URL });
    assert.equal(c.pool.threads, 3);
    assert.equal(c.pool.queueMax, 0);
    assert.equal(c.pool.taskTimeoutSeconds, 1.5);
    assert.equal(c.maxContracts, 50);
    assert.equal(c.maxRiskContracts, 50, 'OPE_MAX_RISK_CONTRACTS defaults to OPE_MAX_CONTRACTS');
    assert.equal(c.monteCarloSeed, 9223372036854775807n, 'the seed is read exactly, not through a double');
    assert.equal(c.cacheSize, 0);
    assert.deepEqual(c.http.rateLimit, { max: 5, windowMs: 1000, text: '5/second' });
    assert.deepEqual(c.http.allowedHosts, ['api.example.com', '*.example.org']);
    assert.deepEqual(c.http.allowedOrigins, ['https://app.example.com']);
    assert.equal(c.http.corsAllowCredentials, false);
    assert.equal(c.http.playground, false);
  });

  it('refuses bad values and names the variable', () => {
    fails({ OPE_THREADS: 'four' }, /^OPE_THREADS$/);
    fails({ OPE_THREADS: '0' }, /^OPE_THREADS$/);
    fails({ OPE_THREAD_QUEUE_MAX: '-1' }, /^OPE_THREAD_QUEUE_MAX$/);
    fails({ OPE_THREAD_QUEUE_TIMEOUT_SECONDS: 'soon' }, /^OPE_THREAD_QUEUE_TIMEOUT_SECONDS$/);
    fails({ MAX_BODY_BYTES: '1023' }, /^MAX_BODY_BYTES$/);
    fails({ RATE_LIMIT_DEFAULT: '60/fortnight' }, /^RATE_LIMIT_DEFAULT$/);
    fails({ RATE_LIMIT_DEFAULT: '0/minute' }, /^RATE_LIMIT_DEFAULT$/);
    fails({ OPE_MONTE_CARLO_SEED: '9223372036854775808' }, /^OPE_MONTE_CARLO_SEED$/);
    fails({ OPE_MONTE_CARLO_SEED: '1.5' }, /^OPE_MONTE_CARLO_SEED$/);
    fails({ PORT: '70000' }, /^PORT$/);
    fails({ OPE_CORS_ALLOW_CREDENTIALS: 'maybe' }, /^OPE_CORS_ALLOW_CREDENTIALS$/);
    fails({ OPE_PLAYGROUND: 'sometimes' }, /^OPE_PLAYGROUND$/);
  });

  it('makes OIDC and the host allow-list mandatory in production and forbids the dev secrets there', () => {
    fails({ OPE_ENVIRONMENT: 'production', OPE_ALLOWED_HOSTS: 'api.example.com' }, /OIDC_ISSUER/);
    fails({ OPE_ENVIRONMENT: 'production', ...OIDC }, /^OPE_ALLOWED_HOSTS$/);
    fails(
      { OPE_ENVIRONMENT: 'production', ...OIDC, OPE_ALLOWED_HOSTS: 'a.example.com', DEV_JWT_SECRET: 'x'.repeat(32) },
      /^DEV_JWT_SECRET$/,
    );
    fails(
      {
        OPE_ENVIRONMENT: 'production',
        ...OIDC,
        OPE_ALLOWED_HOSTS: 'a.example.com',
        DEV_JWT_ADDITIONAL_SECRETS: 'x'.repeat(32),
      },
      /^DEV_JWT_ADDITIONAL_SECRETS$/,
    );
    const c = loadConfig({ OPE_ENVIRONMENT: 'production', ...OIDC, OPE_ALLOWED_HOSTS: 'a.example.com' });
    assert.equal(c.isProduction, true);
    assert.equal(c.http.playground, false);
    assert.deepEqual(c.http.allowedOrigins, []);
  });

  it('names the missing OIDC variables when only some are set', () => {
    fails({ OIDC_ISSUER: 'https://idp.example.com/' }, /OIDC_AUDIENCE, OIDC_JWKS_URL/);
  });

  it('requires https for the JWKS except on loopback', () => {
    fails({ ...OIDC, OIDC_JWKS_URL: 'http://idp.example.com/jwks' }, /^OIDC_JWKS_URL$/);
    assert.equal(
      loadConfig({ ...OIDC, OIDC_JWKS_URL: 'http://127.0.0.1:9999/jwks' }).auth.oidc?.jwksUrl,
      'http://127.0.0.1:9999/jwks',
    );
    assert.equal(
      loadConfig({ ...OIDC, OIDC_JWKS_URL: 'http://localhost:9999/jwks' }).auth.oidc?.jwksUrl,
      'http://localhost:9999/jwks',
    );
  });
});

describe('decodeSecret', () => {
  it('decodes plain, base64 and hex secrets and refuses short ones', () => {
    assert.equal(decodeSecret('a'.repeat(32), 'DEV_JWT_SECRET').length, 32);
    assert.equal(decodeSecret(`base64:${Buffer.alloc(32, 7).toString('base64')}`, 'DEV_JWT_SECRET').length, 32);
    assert.equal(decodeSecret(`hex:${'ab'.repeat(32)}`, 'DEV_JWT_SECRET').length, 32);
    assert.throws(() => decodeSecret('short', 'DEV_JWT_SECRET'), ConfigError);
    assert.throws(() => decodeSecret(`hex:${'ab'.repeat(31)}`, 'DEV_JWT_SECRET'), /at least 32 bytes/);
    assert.throws(() => decodeSecret('hex:zz', 'DEV_JWT_SECRET'), /not valid hex/);
  });
});

describe('parseRateLimit', () => {
  it('accepts each window', () => {
    assert.equal(parseRateLimit('10/second').windowMs, 1000);
    assert.equal(parseRateLimit('10/minute').windowMs, 60_000);
    assert.equal(parseRateLimit('10/hour').windowMs, 3_600_000);
    assert.equal(parseRateLimit('10/day').windowMs, 86_400_000);
    assert.equal(parseRateLimit('100 per minute').max, 100);
  });
});
