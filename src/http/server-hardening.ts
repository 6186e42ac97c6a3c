import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';
import { answerMisrouted } from './misrouted.js';
import { SECURITY_HEADERS } from './request-context.js';

/**
 * What the HTTP server refuses below and before the routes (docs/SECURITY.md, "HTTP server limits"):
 *
 * - Slow clients: the head must arrive within OPE_HTTP_HEADERS_TIMEOUT_SECONDS and the whole request within
 *   OPE_HTTP_REQUEST_TIMEOUT_SECONDS (Node's headersTimeout/requestTimeout, checked every second at most), so
 *   slowloris connections are closed with 408 and cannot hold a graceful shutdown open.
 * - Refusals Node makes before Fastify sees a request (a malformed request line, a head too large, a timeout):
 *   answered in OPE's error format, `{"detail", "request_id"}` with X-Request-ID and the security headers, then
 *   the connection is closed.
 * - `Expect: 100-continue` is answered only once the request has passed the host, rate-limit and token checks and
 *   its declared size fits MAX_BODY_BYTES: a client is never invited to send a body that will be refused.
 * - An unknown route is answered 404 before its body is read (after the rate limiter has counted it).
 */

export interface ServerLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** Fastify's `http` and `requestTimeout` options for these limits. */
export function serverOptions(limits: ServerLimits): {
  http: { headersTimeout: number; connectionsCheckingInterval: number };
  requestTimeout: number;
} {
  return {
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the two timeouts on this period; a 30 s default would let a 1 s limit last 31 s.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    requestTimeout: limits.requestTimeoutMs,
  };
}

const CLIENT_ERRORS: Readonly<Record<string, { status: number; reason: string; detail: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', detail: 'Request timeout' },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    detail: 'Request header fields too large',
  },
};
const BAD_REQUEST = { status: 400, reason: 'Bad Request', detail: 'Bad request' };

const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/** Fastify's clientErrorHandler: Node's own refusals in OPE's error format. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = CLIENT_ERRORS[error.code ?? ''] ?? BAD_REQUEST;
  if (socket.writable) {
    const requestId = randomUUID();
    const body = JSON.stringify({ detail: answer.detail, request_id: requestId });
    socket.write(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\n` +
        SECURITY_HEADER_LINES +
        'connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

/**
 * Without a 'checkContinue' listener Node answers `100 Continue` itself, before any check has run; with this one
 * the request goes through Fastify like any other and the hook below decides.
 */
export function deferContinue(server: Server): void {
  server.on('checkContinue', (request, response) => server.emit('request', request, response));
}

export interface RequestGuardsOptions {
  readonly maxBodyBytes: number;
}

function declaresBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const requestGuardsAsync: FastifyPluginAsync<RequestGuardsOptions> = async (app, options) => {
  // onRequest, registered after the rate limiter: a 404 costs neither a body read nor a parse, and counts.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    // The unread body would otherwise be drained from the socket: close it instead.
    if (declaresBody(request)) reply.header('connection', 'close');
    // FastAPI's answers for a known path with another method (405) or a trailing slash (307) come first.
    try {
      if (answerMisrouted(app, request, reply)) return;
    } catch (error) {
      return done(error as Error);
    }
    done(new AppError('ERR_HTTP_NOT_FOUND'));
  });
  // preParsing: after every onRequest check (host, rate limit, token, scope), before the first body byte.
  app.addHook('preParsing', (request, reply, payload, done) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
      reply.header('connection', 'close');
      return done(new AppError('ERR_HTTP_PAYLOAD_TOO_LARGE'));
    }
    if (request.headers.expect?.toLowerCase() === '100-continue') reply.raw.writeContinue();
    done(null, payload);
  });
};

export const requestGuards = fp(requestGuardsAsync, { name: 'ope-request-guards', fastify: '5.x' });

/**
 * Node stops checking the header and request timeouts once the server starts closing, so a connection still
 * sending its head would hold a graceful shutdown open until the grace period ran out. At close, every connection
 * without a request to answer (mid-head, or idle between keep-alive requests) is destroyed; connections with a
 * request in flight are left to finish it.
 */
export function closeUnansweredConnections(server: Server): () => void {
  const unanswered = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    unanswered.set(socket, 0);
    socket.once('close', () => unanswered.delete(socket));
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    unanswered.set(socket, (unanswered.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (unanswered.has(socket)) unanswered.set(socket, Math.max(0, unanswered.get(socket)! - 1));
    });
  });
  return () => {
    for (const [socket, inFlight] of unanswered) if (inFlight === 0) socket.destroy();
  };
}
