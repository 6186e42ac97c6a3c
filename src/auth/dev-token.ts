import { SignJWT } from 'jose';

/**
 * Development tokens: HS256, signed with DEV_JWT_SECRET (or the embedded identity's random secret), iss "ope-dev",
 * aud "ope", with sub, iat, nbf and exp like any other token. They carry no kid: the verifier tries each
 * configured dev secret (DEV_JWT_SECRET first, then DEV_JWT_ADDITIONAL_SECRETS), which is what lets a secret be
 * rotated by moving it to the additional list. Production refuses every dev secret at start-up (config.ts).
 */

export const DEV_ISSUER = 'ope-dev';
export const DEV_AUDIENCE = 'ope';
export const DEV_ALGORITHM = 'HS256';

export interface DevTokenOptions {
  readonly secret: Uint8Array;
  readonly scopes: readonly string[];
  /** Default "developer". */
  readonly sub?: string;
  /** Default 3600. */
  readonly ttlSeconds?: number;
  /** Unix seconds; default now. */
  readonly now?: number;
}

export async function mintDevToken(options: DevTokenOptions): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const ttl = options.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new RangeError(`ttlSeconds must be a whole number of seconds >= 1, got ${ttl}`);
  const sub = options.sub ?? 'developer';
  if (sub === '') throw new RangeError('sub must not be empty');
  return new SignJWT({ scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: DEV_ALGORITHM, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(sub)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ttl)
    .sign(options.secret);
}
