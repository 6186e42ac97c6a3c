import { availableParallelism } from 'node:os';

/**
 * Environment -> validated, frozen Config. Every variable of .env.example (and docs/RUNBOOK.md) is read here and nowhere else.
 * A bad value stops start-up with a ConfigError naming the variable; nothing is silently replaced by a default.
 */

export type Environment = 'development' | 'staging' | 'production';

/** OPE_ENVIRONMENT's values, and the Python service's short forms, case-insensitive. */
const ENVIRONMENTS: Readonly<Record<string, Environment>> = {
  development: 'development',
  dev: 'development',
  staging: 'staging',
  production: 'production',
  prod: 'production',
};

/** pino's level names: LOG_LEVEL must be one of them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface RateLimitSpec {
  readonly max: number;
  readonly windowMs: number;
  /** The text as configured, e.g. "60/minute". */
  readonly text: string;
}

/** The worker pool's settings, in the shape PricingPoolOptions takes them (src/pool/pricing-pool.ts). */
export interface PoolConfig {
  /** OPE_THREADS. */
  readonly threads: number;
  /** OPE_THREAD_QUEUE_MAX. */
  readonly queueMax: number;
  /** OPE_THREAD_QUEUE_TIMEOUT_SECONDS. */
  readonly queueTimeoutSeconds: number;
  /** OPE_THREAD_TASK_TIMEOUT_SECONDS. */
  readonly taskTimeoutSeconds: number;
}

/** The authenticator's settings (src/auth/authenticator.ts). */
export interface AuthConfig {
  /** OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL: all three or none. */
  readonly oidc: { readonly issuer: string; readonly audience: string; readonly jwksUrl: string } | null;
  /** DEV_JWT_SECRET then DEV_JWT_ADDITIONAL_SECRETS, decoded. */
  readonly devJwtSecrets: readonly Uint8Array[];
  /** OPE_JWKS_MAX_STALENESS_SECONDS. */
  readonly jwksMaxStalenessSeconds: number;
  /** OPE_ENVIRONMENT=production: the authenticator then refuses every HMAC secret. */
  readonly isProduction: boolean;
}

/** The HTTP layer's settings (src/http/app.ts and its plugins, and the listener in src/main.ts). */
export interface HttpConfig {
  /** OPE_ALLOWED_HOSTS. */
  readonly allowedHosts: readonly string[];
  /** OPE_ALLOWED_ORIGINS. */
  readonly allowedOrigins: readonly string[];
  /** OPE_CORS_ALLOW_CREDENTIALS. */
  readonly corsAllowCredentials: boolean;
  /** RATE_LIMIT_DEFAULT. */
  readonly rateLimit: RateLimitSpec;
  /** OPE_RATE_LIMIT_REDIS_URL: null keeps the counters in this process. */
  readonly rateLimitRedisUrl: string | null;
  /** MAX_BODY_BYTES. */
  readonly maxBodyBytes: number;
  /** PORT. */
  readonly port: number;
  /** HOST. */
  readonly host: string;
  /** OPE_HTTP_HEADERS_TIMEOUT_SECONDS: a request's head must arrive within this (slowloris). */
  readonly headersTimeoutSeconds: number;
  /** OPE_HTTP_REQUEST_TIMEOUT_SECONDS: the whole request, head and body, must arrive within this. */
  readonly requestTimeoutSeconds: number;
  /** OPE_FAIR_SHARE_SECONDS: estimated seconds of work per thread one client may have in the pool at once; 0 = off. */
  readonly fairShareSeconds: number;
  /** OPE_PLAYGROUND. */
  readonly playground: boolean;
}

export interface Config {
  /** The pool's settings as one group: `new PricingPool({ ...config.pool, metrics })`. */
  readonly pool: PoolConfig;
  readonly environment: Environment;
  readonly isProduction: boolean;
  /** What the authenticator reads: `createAuthenticator({ config: config.auth, ... })`. */
  readonly auth: AuthConfig;
  /** What the HTTP layer (app, listener, plugins) reads. */
  readonly http: HttpConfig;
  readonly maxContracts: number;
  readonly maxRiskContracts: number;
  readonly monteCarloSeed: bigint | null;
  readonly cacheSize: number;
  readonly cacheTtlSeconds: number;
  readonly shutdownGraceSeconds: number;
  readonly logLevel: string;
  readonly store: StoreConfig;
  /** OPE_VOLATILITY_MAX_POINTS: the most points the volatility surface holds (an upsert past it gets 422). */
  readonly volatilityMaxPoints: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces are exported (OTLP over HTTP) only when it is set. */
  readonly otlpEndpoint: string | null;
  /** OPE_BUILD_ID (alias OPTIONS_ENGINE_BUILD_ID), default "local-dev": part of every quote capsule id. */
  readonly buildId: string;
  /** OPE_CAPSULE_RETENTION_DAYS, default 30: how long quote capsules can be replayed. */
  readonly capsuleRetentionDays: number;
}

/** Where market data and documents are kept (docs/architecture.md, "The store"). */
export interface StoreConfig {
  /** OPE_DATA_DIR: the embedded store's directory, created at start (used when databaseUrl is null). */
  readonly dataDir: string;
  /** OPE_DATABASE_URL: PostgreSQL shared by every instance; null selects the embedded store. */
  readonly databaseUrl: string | null;
  /** OPE_SURFACE_MAX_STALENESS_SECONDS: how old the last loaded surface may grow during a store outage. */
  readonly surfaceMaxStalenessSeconds: number;
}

function storeConfig(env: Env): StoreConfig {
  const databaseUrl = raw(env, 'OPE_DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/./.test(databaseUrl)) {
    throw new ConfigError('OPE_DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  return {
    dataDir: raw(env, 'OPE_DATA_DIR') ?? './data',
    databaseUrl,
    surfaceMaxStalenessSeconds: seconds(env, 'OPE_SURFACE_MAX_STALENESS_SECONDS', 300, 1),
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_CONFIG_INVALID';
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  if (!/^[+]?\d+$/.test(text)) throw new ConfigError(name, `must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min) throw new ConfigError(name, `must be at least ${min}, got ${value}`);
  if (value > max) throw new ConfigError(name, `must be at most ${max}, got ${value}`);
  return value;
}

function seconds(env: Env, name: string, fallback: number, min = 0): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(value)) {
    throw new ConfigError(name, `must be a number of seconds, got "${text}"`);
  }
  if (value < min) throw new ConfigError(name, `must be at least ${min}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const lower = text.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, `must be true or false (or on/off, 1/0), got "${text}"`);
}

function list(env: Env, name: string): string[] | undefined {
  const text = raw(env, name);
  if (text === undefined) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const WINDOWS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Parses `N/second|minute|hour|day` (also the plural and "per": "100 per minute"). */
export function parseRateLimit(text: string, variable = 'RATE_LIMIT_DEFAULT'): RateLimitSpec {
  const match = /^\s*(\d+)\s*(?:\/|per)\s*(second|minute|hour|day)s?\s*$/i.exec(text);
  if (!match) throw new ConfigError(variable, `must look like "60/minute" (N/second|minute|hour|day), got "${text}"`);
  const max = Number(match[1]);
  if (!Number.isSafeInteger(max) || max < 1)
    throw new ConfigError(variable, `the count must be at least 1, got "${text}"`);
  return { max, windowMs: WINDOWS[match[2]!.toLowerCase()]!, text: text.trim() };
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT63_MAX = (1n << 63n) - 1n;

function seed(env: Env, name: string): bigint | null {
  const text = raw(env, name);
  if (text === undefined) return null;
  if (!/^\d+$/.test(text)) throw new ConfigError(name, `must be a whole number from 0 to 2^63-1, got "${text}"`);
  const value = BigInt(text);
  if (value > INT63_MAX || value > UINT64_MAX) throw new ConfigError(name, `must be at most 2^63-1, got ${text}`);
  return value;
}

/** Decodes a DEV_JWT_SECRET value: plain text, `base64:...` or `hex:...`; at least 32 bytes after decoding. */
export function decodeSecret(text: string, variable: string): Uint8Array {
  let bytes: Uint8Array;
  if (text.startsWith('base64:')) {
    const body = text.slice(7);
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(body)) throw new ConfigError(variable, 'is not valid base64');
    bytes = new Uint8Array(Buffer.from(body, body.includes('-') || body.includes('_') ? 'base64url' : 'base64'));
  } else if (text.startsWith('hex:')) {
    const body = text.slice(4);
    if (!/^([0-9a-fA-F]{2})*$/.test(body)) throw new ConfigError(variable, 'is not valid hex');
    bytes = new Uint8Array(Buffer.from(body, 'hex'));
  } else {
    bytes = new TextEncoder().encode(text);
  }
  if (bytes.length < 32) throw new ConfigError(variable, `must decode to at least 32 bytes, got ${bytes.length}`);
  return bytes;
}

function environmentOf(env: Env): Environment {
  const text = raw(env, 'OPE_ENVIRONMENT');
  if (text === undefined) return 'development';
  const environment = ENVIRONMENTS[text.toLowerCase()];
  if (environment === undefined)
    throw new ConfigError(
      'OPE_ENVIRONMENT',
      `must be development, staging or production (or dev, prod), got "${text}"`,
    );
  return environment;
}

function logLevelOf(env: Env): string {
  const text = raw(env, 'LOG_LEVEL');
  if (text === undefined) return 'info';
  const level = text.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
  return level;
}

function otlpEndpointOf(env: Env): string | null {
  const text = raw(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (text === undefined) return null;
  if (!/^https?:\/\/[^/]/.test(text) || !URL.canParse(text))
    throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT', `must be an http(s) URL, got "${text}"`);
  return text;
}

/**
 * What is allowed but probably a mistake, for the caller to log once at start-up (the config itself stays pure):
 * more pricing threads than CPUs only adds context switches.
 */
export function configWarnings(config: Config, cpus: number = availableParallelism()): string[] {
  const warnings: string[] = [];
  if (config.pool.threads > cpus)
    warnings.push(
      `OPE_THREADS=${config.pool.threads} is above the ${cpus} CPUs this process can use: the extra threads only take turns`,
    );
  return warnings;
}

// The Python service's three defaults (http://localhost, :3000, :8000) plus the same ports on 127.0.0.1.
const LOCAL_ORIGINS = [
  'http://localhost:8000',
  'http://127.0.0.1:8000',
  'http://localhost:3000',
  'http://127.0.0.1:3000',
  'http://localhost',
];

export function loadConfig(env: Env = process.env): Config {
  const environment = environmentOf(env);
  const isProduction = environment === 'production';

  const issuer = raw(env, 'OIDC_ISSUER');
  const audience = raw(env, 'OIDC_AUDIENCE');
  const jwksUrl = raw(env, 'OIDC_JWKS_URL');
  const oidcSet = [issuer, audience, jwksUrl].filter((v) => v !== undefined).length;
  if (oidcSet > 0 && oidcSet < 3) {
    const missing = ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'].filter((n) => raw(env, n) === undefined);
    throw new ConfigError(missing.join(', '), 'must be set together with the other OIDC variables');
  }
  if (isProduction && oidcSet === 0) {
    throw new ConfigError('OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL', 'required when OPE_ENVIRONMENT=production');
  }
  if (jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new ConfigError('OIDC_JWKS_URL', `is not a URL: "${jwksUrl}"`);
    }
    const loopback =
      ['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname) || url.hostname.startsWith('127.');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new ConfigError('OIDC_JWKS_URL', 'must use https (plain http is accepted only on loopback)');
    }
  }

  const devSecretText = raw(env, 'DEV_JWT_SECRET');
  const devAdditional = list(env, 'DEV_JWT_ADDITIONAL_SECRETS');
  if (isProduction && devSecretText !== undefined)
    throw new ConfigError('DEV_JWT_SECRET', 'must not be set when OPE_ENVIRONMENT=production');
  if (isProduction && devAdditional !== undefined) {
    throw new ConfigError('DEV_JWT_ADDITIONAL_SECRETS', 'must not be set when OPE_ENVIRONMENT=production');
  }
  if (devSecretText === undefined && devAdditional !== undefined) {
    throw new ConfigError('DEV_JWT_ADDITIONAL_SECRETS', 'requires DEV_JWT_SECRET');
  }
  const devJwtSecrets: Uint8Array[] = [];
  if (devSecretText !== undefined) devJwtSecrets.push(decodeSecret(devSecretText, 'DEV_JWT_SECRET'));
  for (const s of devAdditional ?? []) devJwtSecrets.push(decodeSecret(s, 'DEV_JWT_ADDITIONAL_SECRETS'));

  const hosts = list(env, 'OPE_ALLOWED_HOSTS');
  if (isProduction && hosts === undefined)
    throw new ConfigError('OPE_ALLOWED_HOSTS', 'required when OPE_ENVIRONMENT=production');
  const origins = list(env, 'OPE_ALLOWED_ORIGINS');

  const maxContracts = integer(env, 'OPE_MAX_CONTRACTS', 1000, 1, 1_000_000);
  const rateText = raw(env, 'RATE_LIMIT_DEFAULT') ?? '60/minute';
  const playgroundText = raw(env, 'OPE_PLAYGROUND');
  if (playgroundText !== undefined && !['on', 'off'].includes(playgroundText.toLowerCase())) {
    throw new ConfigError('OPE_PLAYGROUND', `must be "on" or "off", got "${playgroundText}"`);
  }

  const pool: PoolConfig = Object.freeze({
    threads: integer(env, 'OPE_THREADS', availableParallelism(), 1, 256),
    queueMax: integer(env, 'OPE_THREAD_QUEUE_MAX', 32, 0),
    queueTimeoutSeconds: seconds(env, 'OPE_THREAD_QUEUE_TIMEOUT_SECONDS', 0.5),
    taskTimeoutSeconds: seconds(env, 'OPE_THREAD_TASK_TIMEOUT_SECONDS', 30),
  });
  const httpHeadersTimeoutSeconds = seconds(env, 'OPE_HTTP_HEADERS_TIMEOUT_SECONDS', 10, 0.1);
  const httpRequestTimeoutSeconds = seconds(env, 'OPE_HTTP_REQUEST_TIMEOUT_SECONDS', 30, 0.1);
  if (httpHeadersTimeoutSeconds > httpRequestTimeoutSeconds) {
    throw new ConfigError(
      'OPE_HTTP_HEADERS_TIMEOUT_SECONDS',
      `(${httpHeadersTimeoutSeconds}) must not exceed OPE_HTTP_REQUEST_TIMEOUT_SECONDS (${httpRequestTimeoutSeconds}): the head is part of the request`,
    );
  }

  const auth: AuthConfig = Object.freeze({
    oidc:
      issuer !== undefined && audience !== undefined && jwksUrl !== undefined ? { issuer, audience, jwksUrl } : null,
    devJwtSecrets,
    jwksMaxStalenessSeconds: seconds(env, 'OPE_JWKS_MAX_STALENESS_SECONDS', 86_400, 1),
    isProduction,
  });
  const http: HttpConfig = Object.freeze({
    allowedHosts: hosts ?? ['localhost', '127.0.0.1'],
    allowedOrigins: origins ?? (isProduction ? [] : LOCAL_ORIGINS),
    corsAllowCredentials: boolean(env, 'OPE_CORS_ALLOW_CREDENTIALS', true),
    rateLimit: parseRateLimit(rateText),
    rateLimitRedisUrl: raw(env, 'OPE_RATE_LIMIT_REDIS_URL') ?? null,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1_048_576, 1024),
    port: integer(env, 'PORT', 8000, 0, 65_535),
    host: raw(env, 'HOST') ?? '0.0.0.0',
    headersTimeoutSeconds: httpHeadersTimeoutSeconds,
    requestTimeoutSeconds: httpRequestTimeoutSeconds,
    fairShareSeconds: seconds(env, 'OPE_FAIR_SHARE_SECONDS', 2),
    playground: playgroundText === undefined ? !isProduction : playgroundText.toLowerCase() === 'on',
  });

  const config: Config = {
    pool,
    auth,
    http,
    environment,
    isProduction,
    maxContracts,
    maxRiskContracts: integer(env, 'OPE_MAX_RISK_CONTRACTS', maxContracts, 1, 1_000_000),
    monteCarloSeed: seed(env, 'OPE_MONTE_CARLO_SEED'),
    cacheSize: integer(env, 'OPE_CACHE_SIZE', 10_000, 0),
    cacheTtlSeconds: seconds(env, 'OPE_CACHE_TTL_SECONDS', 5),
    shutdownGraceSeconds: seconds(env, 'OPE_SHUTDOWN_GRACE_SECONDS', 25),
    logLevel: logLevelOf(env),
    otlpEndpoint: otlpEndpointOf(env),
    store: storeConfig(env),
    volatilityMaxPoints: integer(env, 'OPE_VOLATILITY_MAX_POINTS', 5000, 4, 100_000),
    buildId: raw(env, 'OPE_BUILD_ID') ?? raw(env, 'OPTIONS_ENGINE_BUILD_ID') ?? 'local-dev',
    capsuleRetentionDays: integer(env, 'OPE_CAPSULE_RETENTION_DAYS', 30, 1, 36_500),
  };
  return Object.freeze(config);
}
