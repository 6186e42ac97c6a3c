import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { bindRequestLogger } from './access-log.js';

/**
 * The trace id of a request, for its log lines (`trace_id`): the id of its OpenTelemetry span when tracing is on
 * (which continues an incoming W3C `traceparent`), else the trace id of a valid incoming `traceparent`, so logs
 * line up with the caller's trace even when this process exports none.
 */

/** Paths polled by load balancers, the kubelet and Prometheus: neither traced nor logged at info when they succeed. */
export const PROBE_AND_SCRAPE_PATHS: ReadonlySet<string> = new Set([
  '/healthz',
  '/health',
  '/livez',
  '/readyz',
  '/metrics',
]);

// version-traceid-parentid-flags (W3C Trace Context, section 3.2); version ff is invalid, 00 has nothing after.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

/** The trace id of a `traceparent` header value, or undefined if the value is not a valid one. */
export function traceIdFromTraceparent(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID) return undefined;
  return traceId;
}

interface OtelRequest {
  opentelemetry?: () => { instrumented?: boolean; span?: { spanContext(): { traceId: string } } | null };
}

export function traceIdOf(request: FastifyRequest): string | undefined {
  const otel = (request as unknown as OtelRequest).opentelemetry?.();
  if (otel?.instrumented === true && otel.span !== undefined && otel.span !== null) {
    const traceId = otel.span.spanContext().traceId;
    if (traceId !== ZERO_TRACE_ID) return traceId;
  }
  return traceIdFromTraceparent(request.headers.traceparent);
}

/** Binds `trace_id` to request.log when the request has one (register after the tracing plugin). */
const traceLoggingAsync: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', (request, _reply, done) => {
    const traceId = traceIdOf(request);
    if (traceId !== undefined) request.log = bindRequestLogger(request.log, { trace_id: traceId });
    done();
  });
};

export const traceLogging = fp(traceLoggingAsync, { name: 'ope-trace-logging', fastify: '5.x' });
