import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * What every response carries, errors and 404s included (docs/api.md, "Behaviour worth knowing"): the request id and
 * the security headers, and `request_id` in every JSON error body, including bodies written by plugins that do
 * not know about it. During shutdown every response also closes its connection.
 */

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

const SECURITY_HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Fastify's genReqId: the inbound X-Request-ID when it is 1-128 chars of [A-Za-z0-9._-], else a fresh UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const inbound = req.headers['x-request-id'];
  return typeof inbound === 'string' && REQUEST_ID.test(inbound) ? inbound : randomUUID();
}

/** The headers every response carries; also called directly for framework errors, which skip the hooks. */
export function setCommonHeaders(reply: FastifyReply, requestId: string): void {
  reply.header('x-request-id', requestId);
  for (const [name, value] of SECURITY_HEADER_ENTRIES) reply.header(name, value);
}

function withRequestId(payload: string, requestId: string): string {
  if (payload.includes('"request_id"')) return payload;
  try {
    const body: unknown = JSON.parse(payload);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return payload;
    return JSON.stringify({ ...body, request_id: requestId });
  } catch {
    return payload;
  }
}

export interface RequestContextOptions {
  /** True once graceful shutdown has begun. */
  readonly isDraining: () => boolean;
}

const requestContextAsync: FastifyPluginAsync<RequestContextOptions> = async (app, options) => {
  // Callback style, not async: nothing here waits, and an async hook costs every request a promise and a microtask.
  app.addHook('onSend', (request, reply, payload, done) => {
    setCommonHeaders(reply, request.id);
    // While draining, a keep-alive connection would outlive its last response and hold the shutdown open until
    // the grace period ends: tell the client to close it.
    if (options.isDraining()) reply.header('connection', 'close');
    if (reply.statusCode < 400 || typeof payload !== 'string') return done(null, payload);
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !type.includes('json')) return done(null, payload);
    done(null, withRequestId(payload, request.id));
  });
};

export const requestContext = fp(requestContextAsync, { name: 'ope-request-context', fastify: '5.x' });
