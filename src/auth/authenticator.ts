import { hash } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload, JWTVerifyOptions, ProtectedHeaderParameters } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthConfig } from '../config/config.js';
import type { Metrics } from '../observability/metrics.js';
import { AuthError } from './auth-error.js';
import type { AuthLogger } from './auth-logger.js';
import { DEV_ALGORITHM, DEV_AUDIENCE, DEV_ISSUER } from './dev-token.js';
import { createJwksCache } from './jwks-cache.js';
import type { JwksCache, JwksCacheOptions, JwksStatus } from './jwks-cache.js';
import { scopesFromClaims } from './scopes.js';

/**
 * Bearer token -> Principal. Two trust anchors, never crossed:
 *
 * - OIDC (config.oidc): RS256, PS256, ES256 or EdDSA, key from the JWKS by kid (required), iss = OIDC_ISSUER,
 *   aud contains OIDC_AUDIENCE.
 * - Development HMAC (config.devJwtSecrets, or the embedded identity's secret; never in production): HS256 only,
 *   iss "ope-dev", aud "ope".
 *
 * The header's alg only picks which anchor is consulted; each anchor verifies with its own fixed algorithm list and
 * its own keys, so `none`, HS256 signed with a public key, or an asymmetric alg against a dev secret all fail.
 * Both anchors require exp, nbf, iat and sub and allow 60 s of clock skew.
 *
 * Verified tokens are cached by SHA-256 of the token for min(exp - now, 60 s); an entry is ignored once the
 * JWKS key sets change or stop being usable, so a rotation or a manual refresh is never outlived by the cache.
 *
 * verify() does not count failures: the HTTP plugin counts each refused request once, by reason. The JWKS cache
 * counts its own failed fetches.
 */

/** The trust anchor that vouched for a token (docs/SECURITY.md, "Development identities"). */
export type TrustAnchor = 'oidc' | 'development';

/** Prefixed to the `sub` of every development-anchor token: its logs and rate-limit budget never pass for a real user's. */
export const DEV_SUBJECT_PREFIX = 'dev:';

export interface Principal {
  /** The token's `sub`; for development tokens prefixed with DEV_SUBJECT_PREFIX. */
  readonly sub: string;
  readonly anchor: TrustAnchor;
  readonly scopes: ReadonlySet<string>;
  readonly claims: Readonly<Record<string, unknown>>;
}

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export const CLOCK_SKEW_SECONDS = 60;
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'nbf', 'iat', 'sub'];
const TOKEN_CACHE_MAX_TTL_MS = 60_000;

/** Intervals of the JWKS cache; tests shorten them or pair them with an injected clock. */
export type JwksTimingOptions = Pick<
  JwksCacheOptions,
  'refreshIntervalMs' | 'cooldownMs' | 'retryIntervalMs' | 'timeoutMs' | 'previousRetentionMs' | 'maxBytes'
>;

export interface AuthenticatorOptions {
  readonly config: AuthConfig;
  readonly metrics: Pick<Metrics, 'jwksRefreshFailuresTotal' | 'jwksLastSuccessTimestamp' | 'authFailuresTotal'>;
  readonly logger?: AuthLogger;
  /** Milliseconds since the Unix epoch. Default Date.now. */
  readonly clock?: () => number;
  readonly fetch?: typeof globalThis.fetch;
  readonly jwks?: JwksTimingOptions;
  /** HS256 secrets beyond config.devJwtSecrets: the embedded development identity's (createDevIdentity). */
  readonly devSecrets?: readonly Uint8Array[];
  /** Verified-token cache entries. Default 10 000; 0 disables the cache. */
  readonly tokenCacheSize?: number;
}

export interface AuthenticatorStatus {
  readonly oidc: boolean;
  readonly devHmac: boolean;
  readonly jwks: JwksStatus | null;
}

export interface Authenticator {
  /** False until the first JWKS load, and again past the maximum staleness. Always true without OIDC. */
  readonly isReady: boolean;
  /** Resolves once tokens can be verified (the first JWKS load; at once without OIDC). */
  ready(): Promise<void>;
  /** Throws AuthError: ERR_AUTH_MISSING_TOKEN, ERR_AUTH_INVALID_TOKEN, ERR_AUTH_UNKNOWN_KID, ERR_AUTH_UNAVAILABLE. */
  verify(token: string): Promise<Principal>;
  /**
   * The principal of a token verify() has already accepted and still caches, at once; null when only verify() can
   * tell (not cached, expired, or cached under key sets that changed since). Throws ERR_AUTH_UNAVAILABLE as verify()
   * would. Lets a request whose token is known skip a promise per hook (src/http/plugins/rate-limit.ts).
   */
  verifyCached(token: string): Principal | null;
  /** Operator's manual JWKS refresh (SIGHUP): fetch now and keep only the served keys. Throws ERR_AUTH_UNAVAILABLE. */
  refresh(): Promise<void>;
  status(): AuthenticatorStatus;
  /** Resolves when no JWKS fetch is in flight (tests; an orderly shutdown). */
  settled(): Promise<void>;
  /** Stops the JWKS timers. */
  close(): void;
}

interface CacheEntry {
  readonly principal: Principal;
  readonly expiresAt: number;
  /** null for dev HMAC tokens, whose secrets never change while the process runs. */
  readonly generation: number | null;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { config, metrics, logger } = options;
  const clock = options.clock ?? Date.now;
  const hmacSecrets = [...config.devJwtSecrets, ...(options.devSecrets ?? [])];
  if (config.isProduction && hmacSecrets.length > 0) {
    throw new Error('createAuthenticator: development HMAC secrets are refused when OPE_ENVIRONMENT=production');
  }
  if (config.oidc === null && hmacSecrets.length === 0) {
    throw new Error(
      'createAuthenticator: nothing to trust: configure OIDC_ISSUER/OIDC_AUDIENCE/OIDC_JWKS_URL or DEV_JWT_SECRET, or pass a development identity',
    );
  }
  const oidc = config.oidc;
  const jwks: JwksCache | null =
    oidc === null
      ? null
      : createJwksCache({
          ...options.jwks,
          url: oidc.jwksUrl,
          metrics,
          ...(logger === undefined ? {} : { logger }),
          clock,
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          maxStalenessMs: config.jwksMaxStalenessSeconds * 1000,
        });
  const cacheSize = options.tokenCacheSize ?? 10_000;
  const tokenCache = cacheSize > 0 ? new LRUCache<string, CacheEntry>({ max: cacheSize }) : null;

  const verifyOptions = (issuer: string, audience: string, algorithms: readonly string[]): JWTVerifyOptions => ({
    algorithms: [...algorithms],
    issuer,
    audience,
    clockTolerance: CLOCK_SKEW_SECONDS,
    requiredClaims: REQUIRED_CLAIMS,
    currentDate: new Date(clock()),
  });

  function cached(hash: string, now: number): Principal | null {
    const entry = tokenCache?.get(hash);
    if (entry === undefined) return null;
    if (entry.expiresAt <= now) {
      tokenCache!.delete(hash);
      return null;
    }
    if (entry.generation !== null) {
      jwks!.assertUsable();
      if (entry.generation !== jwks!.generation()) return null;
    }
    return entry.principal;
  }

  function tokenHash(token: string): string {
    // One-shot hash(): no Hash object per request.
    return hash('sha256', token, 'base64url');
  }

  function verifyCached(token: string): Principal | null {
    if (token === '' || tokenCache === null) return null;
    return cached(tokenHash(token), clock());
  }

  async function verify(token: string): Promise<Principal> {
    if (token === '') throw new AuthError('ERR_AUTH_MISSING_TOKEN', 'no bearer token');
    const now = clock();
    const hash = tokenHash(token);
    const hit = cached(hash, now);
    if (hit !== null) return hit;

    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch (error) {
      throw invalid('malformed token', error);
    }
    const alg = header.alg;
    let payload: JWTPayload;
    let generation: number | null = null;
    let anchor: TrustAnchor = 'oidc';
    if (jwks !== null && oidc !== null && (ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(alg)) {
      if (typeof header.kid !== 'string' || header.kid === '') throw invalid('token header has no kid');
      generation = jwks.generation();
      let keys: CryptoKey[];
      try {
        keys = await jwks.keysFor(header);
      } catch (error) {
        // A published key jose cannot use (private, unsupported curve...) fails this token, not the request.
        if (error instanceof AuthError) throw error;
        throw invalid('the matching JWKS key is unusable', error);
      }
      payload = await verifyWithAny(token, keys, verifyOptions(oidc.issuer, oidc.audience, ASYMMETRIC_ALGORITHMS));
    } else if (hmacSecrets.length > 0 && alg === DEV_ALGORITHM) {
      payload = await verifyWithAny(token, hmacSecrets, verifyOptions(DEV_ISSUER, DEV_AUDIENCE, [DEV_ALGORITHM]));
      anchor = 'development';
    } else {
      throw invalid(`alg ${JSON.stringify(alg)} is not accepted here`);
    }

    const sub = payload.sub;
    if (typeof sub !== 'string' || sub === '') throw invalid('sub must be a non-empty string');
    if (typeof payload.iat === 'number' && payload.iat > now / 1000 + CLOCK_SKEW_SECONDS)
      throw invalid('iat is in the future');
    const principal: Principal = Object.freeze({
      // A dev-secret holder can mint any subject: tag it, so it never shares a budget or a log identity with the
      // OIDC user of the same name.
      sub: anchor === 'development' ? `${DEV_SUBJECT_PREFIX}${sub}` : sub,
      anchor,
      scopes: scopesFromClaims(payload),
      claims: Object.freeze({ ...payload }),
    });
    if (tokenCache !== null) {
      const ttl = Math.min((payload.exp as number) * 1000 - now, TOKEN_CACHE_MAX_TTL_MS);
      if (ttl > 0) tokenCache.set(hash, { principal, expiresAt: now + ttl, generation });
    }
    return principal;
  }

  return {
    get isReady() {
      return jwks === null || jwks.isReady;
    },
    ready: () => (jwks === null ? Promise.resolve() : jwks.ready()),
    verify,
    verifyCached,
    async refresh() {
      if (jwks === null) return;
      await jwks.refresh();
      tokenCache?.clear();
    },
    status: () => ({ oidc: oidc !== null, devHmac: hmacSecrets.length > 0, jwks: jwks?.status() ?? null }),
    settled: () => jwks?.settled() ?? Promise.resolve(),
    close() {
      jwks?.close();
      tokenCache?.clear();
    },
  };
}

/** Several candidate keys only when a key set holds duplicate kids, or for several dev secrets. */
async function verifyWithAny(
  token: string,
  keys: readonly (CryptoKey | Uint8Array)[],
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  let lastError: unknown = null;
  for (const key of keys) {
    try {
      return (await jwtVerify(token, key, options)).payload;
    } catch (error) {
      lastError = error;
      // Only a signature mismatch means "maybe another key"; any claim failure is final.
      if ((error as { code?: unknown }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') break;
    }
  }
  throw invalid('token verification failed', lastError);
}

function invalid(message: string, cause?: unknown): AuthError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const causeText = cause instanceof Error ? `: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}` : '';
  return new AuthError('ERR_AUTH_INVALID_TOKEN', `${message}${causeText}`, cause === undefined ? {} : { cause });
}
