import type { ValidationIssue } from '../errors.js';

/**
 * An answer of the quote API that the v1 error catalogue has no shape for: a status, a `detail` code from the
 * spec (invalid_request, capsule_not_found, build_conflict, idempotency_key_reused, cost_guard_triggered) and,
 * for cost guards, which guard and its limit. The quote plugin's error handler writes it (routes.ts).
 */
export class QuoteApiError extends Error {
  override readonly name = 'QuoteApiError';
  readonly statusCode: number;
  readonly detail: string | readonly ValidationIssue[];
  readonly extra: Readonly<Record<string, string | number>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    detail: string | readonly ValidationIssue[],
    options: { extra?: Record<string, string | number>; headers?: Record<string, string> } = {},
  ) {
    super(typeof detail === 'string' ? detail : (detail[0]?.msg ?? 'invalid_request'));
    this.statusCode = statusCode;
    this.detail = detail;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }
}

/** 400 invalid_request naming the field: the inputs are well-formed but outside what can be priced. */
export function invalidRequest(loc: readonly (string | number)[], msg: string): QuoteApiError {
  return new QuoteApiError(400, [{ loc: ['body', ...loc], msg, type: 'invalid_request' }]);
}

export function isQuoteApiError(value: unknown): value is QuoteApiError {
  return value instanceof QuoteApiError;
}
