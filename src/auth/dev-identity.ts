import { randomBytes } from 'node:crypto';
import { DEV_AUDIENCE, DEV_ISSUER, mintDevToken } from './dev-token.js';
import { ALL_SCOPES } from './scopes.js';

/**
 * The embedded development identity (docs/SECURITY.md): when neither OIDC nor DEV_JWT_SECRET is configured outside
 * production, main.ts makes one of these so the service is usable straight after `npm start`.
 *
 * It is a random 32-byte HS256 secret that lives only in this process's memory: tokens are ordinary dev tokens
 * (iss "ope-dev", aud "ope", see dev-token.ts) and stop working when the process exits. Nothing is written to disk
 * and the secret is never printed; only the token is.
 *
 *   const identity = createDevIdentity();
 *   const authenticator = createAuthenticator({ config, metrics, logger, ...identity.authenticatorOptions });
 *   console.log(await identity.mintStartupToken());   // every scope, 12 h
 *
 * createAuthenticator refuses these secrets when OPE_ENVIRONMENT=production.
 */

export const DEV_IDENTITY_TOKEN_TTL_SECONDS = 12 * 3600;

export interface DevTokenRequest {
  readonly scopes: readonly string[];
  /** Default "developer". */
  readonly sub?: string;
  /** Default 12 h. */
  readonly ttlSeconds?: number;
}

export interface DevIdentity {
  readonly issuer: string;
  readonly audience: string;
  /** Spread into createAuthenticator's options. */
  readonly authenticatorOptions: { readonly devSecrets: readonly Uint8Array[] };
  mintToken(request: DevTokenRequest): Promise<string>;
  /** The token main.ts prints at start-up: every scope (pricing:read risk:read market-data:read market-data:write), 12 h. */
  mintStartupToken(): Promise<string>;
}

export interface DevIdentityOptions {
  /** Milliseconds since the Unix epoch, for tokens minted against an injected clock. Default Date.now. */
  readonly clock?: () => number;
}

export function createDevIdentity(options: DevIdentityOptions = {}): DevIdentity {
  const clock = options.clock ?? Date.now;
  const secret = new Uint8Array(randomBytes(32));
  const mintToken = (request: DevTokenRequest): Promise<string> =>
    mintDevToken({
      secret,
      scopes: request.scopes,
      sub: request.sub ?? 'developer',
      ttlSeconds: request.ttlSeconds ?? DEV_IDENTITY_TOKEN_TTL_SECONDS,
      now: Math.floor(clock() / 1000),
    });
  return {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    authenticatorOptions: Object.freeze({ devSecrets: Object.freeze([secret]) }),
    mintToken,
    mintStartupToken: () => mintToken({ scopes: ALL_SCOPES }),
  };
}
