import type { AuthFailureReason } from '../observability/metrics.js';

/**
 * Every way authentication or authorisation can fail, as a literal union you can `switch` on. Each code fixes
 * the `ope_auth_failures_total` reason here, and its HTTP status and client `detail` in the one error catalogue
 * (src/http/errors.ts), so the plugin, the logs and the dashboards can never disagree about what happened.
 */
export type AuthErrorCode =
  | 'ERR_AUTH_MISSING_TOKEN'
  | 'ERR_AUTH_INVALID_TOKEN'
  | 'ERR_AUTH_UNKNOWN_KID'
  | 'ERR_AUTH_INSUFFICIENT_SCOPE'
  | 'ERR_AUTH_UNAVAILABLE';

interface CodeInfo {
  readonly reason: AuthFailureReason;
}

export const AUTH_ERRORS: Readonly<Record<AuthErrorCode, CodeInfo>> = {
  ERR_AUTH_MISSING_TOKEN: { reason: 'missing_token' },
  ERR_AUTH_INVALID_TOKEN: { reason: 'jwt_error' },
  ERR_AUTH_UNKNOWN_KID: { reason: 'unknown_kid' },
  ERR_AUTH_INSUFFICIENT_SCOPE: { reason: 'insufficient_scope' },
  ERR_AUTH_UNAVAILABLE: { reason: 'jwks_unavailable' },
};

export interface AuthErrorOptions {
  readonly cause?: unknown;
  /** For ERR_AUTH_INSUFFICIENT_SCOPE: the scope that was required. */
  readonly scope?: string;
  /** For ERR_AUTH_UNAVAILABLE: when a retry has a chance (the next JWKS attempt), in whole seconds. */
  readonly retryAfterSeconds?: number;
}

/**
 * The message is for logs and may name the failed check (never the token). Clients only ever see the catalogue's
 * detail, which is deliberately vague for 401s: telling a caller which check failed helps an attacker more than a client.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly reason: AuthFailureReason;
  readonly scope: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = AUTH_ERRORS[code].reason;
    this.scope = options.scope;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
