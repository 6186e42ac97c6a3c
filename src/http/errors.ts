import type { AuthErrorCode } from '../auth/auth-error.js';
import type { CoreErrorCode } from '../core/errors.js';
import { isPoolError, type PoolErrorCode } from '../pool/pool-error.js';
import { withoutStackTrace } from '../pool/stackless-error.js';

/**
 * Every error the service can answer, with its HTTP status and the `detail` clients see. The HTTP error
 * handler is the only place that turns one of these into a response; docs/errors.md documents each code.
 * Core refusals (CoreErrorCode) and pool failures (ERR_POOL_*) are wrapped here so one table decides the
 * status for all of them.
 */

export type { PoolErrorCode } from '../pool/pool-error.js';

export type HttpErrorCode =
  | 'ERR_HTTP_VALIDATION'
  | 'ERR_HTTP_MALFORMED_JSON'
  | 'ERR_HTTP_PAYLOAD_TOO_LARGE'
  | 'ERR_HTTP_STRING_TOO_LONG'
  | 'ERR_HTTP_TOO_MANY_CONTRACTS'
  | 'ERR_HTTP_NO_CONTRACTS'
  | 'ERR_HTTP_SINGLE_EXPECTS_ONE'
  | 'ERR_HTTP_NO_QUOTES'
  | 'ERR_HTTP_TOO_MANY_QUOTES'
  | 'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_HTTP_BAD_REQUEST'
  | 'ERR_HTTP_NOT_FOUND'
  | 'ERR_HTTP_METHOD_NOT_ALLOWED'
  | 'ERR_HTTP_INTERNAL';

/** Answered by the rate limiter and the Host allow-list, outside the route handlers. */
export type GuardErrorCode = 'ERR_RATE_LIMITED' | 'ERR_HTTP_INVALID_HOST';

/** The store could not commit a write, or the surface a request needs is older than OPE_SURFACE_MAX_STALENESS_SECONDS. */
export type StoreErrorCode = 'ERR_STORE_UNAVAILABLE' | 'ERR_SURFACE_STALE';

export type AppErrorCode =
  HttpErrorCode | PoolErrorCode | AuthErrorCode | GuardErrorCode | CoreErrorCode | StoreErrorCode;

/** One FastAPI-style validation problem: `loc` is the JSON path of the offending value. */
export interface ValidationIssue {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
  /** pydantic's echo of the offending value (absent when the value itself is absent). */
  readonly input?: unknown;
  /** pydantic's context of the rule, e.g. { gt: 0 }. */
  readonly ctx?: Readonly<Record<string, unknown>>;
}

export type Detail = string | readonly ValidationIssue[];

interface CatalogueEntry {
  readonly status: number;
  /** The `detail` sent when the thrower gives none. */
  readonly detail: string;
}

export const ERROR_CATALOGUE: Readonly<Record<AppErrorCode, CatalogueEntry>> = {
  ERR_HTTP_VALIDATION: { status: 422, detail: 'Request validation failed' },
  ERR_HTTP_MALFORMED_JSON: { status: 422, detail: 'JSON decode error' },
  ERR_HTTP_PAYLOAD_TOO_LARGE: { status: 413, detail: 'Payload too large' },
  ERR_HTTP_STRING_TOO_LONG: { status: 413, detail: 'Payload too large' },
  ERR_HTTP_TOO_MANY_CONTRACTS: { status: 413, detail: 'Too many contracts' },
  ERR_HTTP_NO_CONTRACTS: { status: 400, detail: 'No contracts provided' },
  ERR_HTTP_SINGLE_EXPECTS_ONE: { status: 400, detail: 'Single pricing endpoint expects exactly one contract' },
  ERR_HTTP_NO_QUOTES: { status: 400, detail: 'No quotes provided' },
  ERR_HTTP_TOO_MANY_QUOTES: { status: 413, detail: 'Too many quotes' },
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, detail: 'Unsupported media type' },
  ERR_HTTP_BAD_REQUEST: { status: 400, detail: 'Bad request' },
  ERR_HTTP_NOT_FOUND: { status: 404, detail: 'Not Found' },
  ERR_HTTP_METHOD_NOT_ALLOWED: { status: 405, detail: 'Method Not Allowed' },
  ERR_HTTP_INTERNAL: { status: 500, detail: 'Internal server error' },

  ERR_POOL_SATURATED: { status: 503, detail: 'Pricing engine unavailable' },
  ERR_POOL_QUEUE_TIMEOUT: { status: 503, detail: 'Pricing engine unavailable' },
  ERR_POOL_TASK_TIMEOUT: { status: 503, detail: 'Pricing engine unavailable' },
  ERR_POOL_CLOSED: { status: 503, detail: 'Pricing engine unavailable' },
  // A defect, not a capacity problem: the worker threw outside the per-contract handling or its thread died.
  ERR_POOL_WORKER_FAILED: { status: 500, detail: 'Internal server error' },

  // The auth plugin answers these itself (src/auth/auth-error.ts fixes the same statuses); listed so one table
  // names every answer. The 403 detail names the scope: "Permission 'pricing:read' required".
  ERR_AUTH_MISSING_TOKEN: { status: 401, detail: 'Credentials required' },
  ERR_AUTH_INVALID_TOKEN: { status: 401, detail: 'Invalid credentials' },
  ERR_AUTH_UNKNOWN_KID: { status: 401, detail: 'Invalid credentials' },
  ERR_AUTH_INSUFFICIENT_SCOPE: { status: 403, detail: 'Permission denied' },
  ERR_AUTH_UNAVAILABLE: { status: 503, detail: 'Authentication unavailable' },
  ERR_RATE_LIMITED: { status: 429, detail: 'Rate limit exceeded' },
  ERR_HTTP_INVALID_HOST: { status: 400, detail: 'Invalid host header' },

  // The core refused the inputs of a single contract: the client's request is at fault.
  ERR_CORE_INVALID_INPUT: { status: 400, detail: 'Invalid pricing input' },
  ERR_CORE_UNSUPPORTED_EXERCISE: { status: 400, detail: 'The model does not price this exercise style' },
  ERR_CORE_UNKNOWN_MODEL: { status: 400, detail: 'Unknown model' },
  ERR_CORE_PRICE_BELOW_INTRINSIC: { status: 400, detail: 'Price is below the no-arbitrage lower bound' },
  ERR_CORE_PRICE_ABOVE_MAXIMUM: { status: 400, detail: 'Price is above the no-arbitrage upper bound' },
  ERR_CORE_NO_CONVERGENCE: { status: 400, detail: 'The numerical method did not converge for these inputs' },

  // Store outages (docs/RUNBOOK.md, "The store"): nothing was written, retry later.
  ERR_STORE_UNAVAILABLE: { status: 503, detail: 'Market data store unavailable' },
  ERR_SURFACE_STALE: { status: 503, detail: 'Volatility surface is stale' },
};

export function isAppErrorCode(value: unknown): value is AppErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

export interface AppErrorOptions {
  /** Overrides the catalogue's default detail. */
  readonly detail?: Detail;
  /** Extra response headers, e.g. Retry-After or WWW-Authenticate. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/** An error with a catalogued code: the HTTP layer answers `statusCode` with `{detail, request_id}`. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: AppErrorCode;
  readonly statusCode: number;
  readonly detail: Detail;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: AppErrorCode, options: AppErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    const detail = options.detail ?? entry.detail;
    super(
      typeof detail === 'string' ? detail : entry.detail,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.statusCode = entry.status;
    this.detail = detail;
    this.headers = options.headers ?? {};
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Whole seconds a client should wait before retrying a 503 from the pool; at least 1. */
export function retryAfterHeader(seconds: unknown): string {
  const n = typeof seconds === 'number' && Number.isFinite(seconds) ? Math.ceil(seconds) : 1;
  return String(Math.max(1, n));
}

/**
 * Wraps anything the pool threw: a PoolError becomes an AppError (503 with Retry-After for capacity problems);
 * anything else is returned unchanged.
 */
export function fromPoolError(error: unknown): unknown {
  if (!isPoolError(error)) return error;
  const code: PoolErrorCode = error.code;
  if (ERROR_CATALOGUE[code].status !== 503) return new AppError(code, { cause: error });
  const headers = { 'Retry-After': retryAfterHeader(error.retryAfterSeconds) };
  return withoutStackTrace(() => new AppError(code, { headers, cause: error }));
}
