import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAuthError, type AuthError } from '../auth/auth-error.js';
import { AppError, ERROR_CATALOGUE, fromPoolError, isAppError } from './errors.js';
import type { Detail } from './errors.js';
import type { Metrics } from '../observability/metrics.js';
import { routeLabel } from '../observability/request-logging.js';
import { answerMisrouted } from './misrouted.js';
import { toValidationIssues } from './validation.js';
import type { AjvErrorLike } from './validation.js';

/**
 * The one place where a thrown error becomes a response: `{detail, request_id}` with the catalogued status
 * (src/http/errors.ts). Unknown errors are 500 "Internal server error", logged with their stack and the request id;
 * the client never sees a stack trace or an internal message. Pool refusals (shed load) are logged at debug only.
 */

interface HttpAnswer {
  readonly status: number;
  readonly detail: Detail;
  readonly headers: Readonly<Record<string, string>>;
  readonly code: string;
}

/** Fastify's own error codes that are the client's doing, mapped to catalogued answers. */
const FASTIFY_CODES: Readonly<Record<string, AppError['code']>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_HTTP_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ERR_HTTP_BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'ERR_HTTP_BAD_REQUEST',
};

/** Seconds a client should wait when authentication is unavailable and the authenticator gave no better estimate. */
const AUTH_RETRY_AFTER_SECONDS = 5;

/** An authentication refusal as a catalogued AppError: 401s carry WWW-Authenticate, a 503 carries Retry-After. */
function fromAuthError(error: AuthError): AppError {
  const code = error.code;
  switch (code) {
    case 'ERR_AUTH_MISSING_TOKEN':
    case 'ERR_AUTH_INVALID_TOKEN':
    case 'ERR_AUTH_UNKNOWN_KID':
      return new AppError(code, { headers: { 'www-authenticate': 'Bearer' }, cause: error });
    case 'ERR_AUTH_INSUFFICIENT_SCOPE':
      return new AppError(code, { detail: `Permission '${error.scope ?? ''}' required`, cause: error });
    case 'ERR_AUTH_UNAVAILABLE':
      return new AppError(code, {
        headers: { 'retry-after': String(error.retryAfterSeconds ?? AUTH_RETRY_AFTER_SECONDS) },
        cause: error,
      });
  }
}

function answerFor(error: unknown, request: FastifyRequest): HttpAnswer {
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvErrorLike[] };
  if (Array.isArray(fastifyError.validation)) {
    return {
      status: 422,
      detail: toValidationIssues(fastifyError.validation, request.body),
      headers: {},
      code: 'ERR_HTTP_VALIDATION',
    };
  }
  const wrapped = isAuthError(error) ? fromAuthError(error) : fromPoolError(error);
  if (isAppError(wrapped)) {
    return { status: wrapped.statusCode, detail: wrapped.detail, headers: wrapped.headers, code: wrapped.code };
  }
  const code = typeof fastifyError.code === 'string' ? fastifyError.code : undefined;
  const mapped = code === undefined ? undefined : FASTIFY_CODES[code];
  if (mapped !== undefined) {
    return {
      status: ERROR_CATALOGUE[mapped].status,
      detail: ERROR_CATALOGUE[mapped].detail,
      headers: {},
      code: mapped,
    };
  }
  // Other 4xx errors raised by Fastify or a plugin (e.g. a rate limiter) keep their status; their messages are
  // written for clients.
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, detail: fastifyError.message || 'Bad request', headers: {}, code: code ?? 'ERR_HTTP_BAD_REQUEST' };
  }
  return { status: 500, detail: ERROR_CATALOGUE.ERR_HTTP_INTERNAL.detail, headers: {}, code: 'ERR_HTTP_INTERNAL' };
}

/** Answers that refuse work the pool has no room for: expected under overload, not faults. */
const SHED_CODES: ReadonlySet<string> = new Set(['ERR_POOL_SATURATED', 'ERR_POOL_QUEUE_TIMEOUT', 'ERR_POOL_CLOSED']);

export interface ErrorHandlingOptions {
  readonly metrics: Pick<Metrics, 'payloadTooLargeTotal'>;
}

export function sendError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  options: ErrorHandlingOptions,
): FastifyReply {
  const answer = answerFor(error, request);
  if (reply.raw.destroyed) {
    // The client left (its pricing work was aborted): nobody reads this answer, and it is not a server fault.
    request.log.info({ event: 'request.abandoned', code: answer.code }, 'client disconnected before the response');
  } else if (SHED_CODES.has(answer.code)) {
    // Load shed by design: counted by ope_threadpool_rejections_total and on the access line (503). A stack trace
    // per refusal would turn an overload into a log flood that costs more CPU than the refusals themselves.
    request.log.debug({ event: 'request.shed', code: answer.code }, 'request shed: pricing pool full');
  } else if (answer.status >= 500) {
    request.log.error({ event: 'request.error', code: answer.code, err: error }, 'request failed');
  } else {
    request.log.debug({ event: 'request.rejected', code: answer.code, status_code: answer.status }, 'request rejected');
  }
  if (answer.code === 'ERR_HTTP_PAYLOAD_TOO_LARGE' || answer.code === 'ERR_HTTP_STRING_TOO_LONG') {
    options.metrics.payloadTooLargeTotal.inc({ route: routeLabel(request) });
  }
  reply.code(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  return reply.type('application/json; charset=utf-8').send({ detail: answer.detail, request_id: request.id });
}

export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, options));
  app.setNotFoundHandler((request, reply) => {
    try {
      if (answerMisrouted(app, request, reply)) return reply;
    } catch (error) {
      return sendError(error, request, reply, options);
    }
    return sendError(new AppError('ERR_HTTP_NOT_FOUND'), request, reply, options);
  });
}
