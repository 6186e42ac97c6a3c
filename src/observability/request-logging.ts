import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessLog } from './access-log.js';
import type { Metrics } from './metrics.js';
import { UNMATCHED_ROUTE } from './metrics.js';
import { PROBE_AND_SCRAPE_PATHS, traceIdOf } from './trace-context.js';

/**
 * One `request.complete` JSON line and the request metrics for every request, matched or not
 * (docs/RUNBOOK.md). The `route` label is the route template, never the raw path;
 * every unmatched path shares UNMATCHED_ROUTE so a scanner cannot explode label cardinality.
 */

export interface RequestLoggingOptions {
  readonly metrics: Pick<Metrics, 'requestTotal' | 'requestErrorsTotal' | 'requestLatency'>;
  /** Where the request.complete lines go (createAccessLog over the app's logger). */
  readonly accessLog: AccessLog;
}

/** The route template of a request, or UNMATCHED_ROUTE when no route matched (404s, framework errors). */
export function routeLabel(request: FastifyRequest): string {
  if (request.is404) return UNMATCHED_ROUTE;
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** The path without its query string: query values can carry secrets and have unbounded variety. */
function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function userOf(request: FastifyRequest): string | undefined {
  // Set by the auth plugin on authenticated routes; absent on public ones.
  const principal = (request as { principal?: { sub?: unknown } | null }).principal;
  return typeof principal?.sub === 'string' ? principal.sub : undefined;
}

const requestLoggingAsync: FastifyPluginAsync<RequestLoggingOptions> = async (app, options) => {
  const { metrics } = options;
  // Callback style, not async: nothing here waits, and an async hook costs every request a promise and a microtask.
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = routeLabel(request);
    const method = request.method;
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    const labels = { method, route, status_code: String(status) };
    metrics.requestTotal.inc(labels);
    if (status >= 500) metrics.requestErrorsTotal.inc(labels);
    metrics.requestLatency.observe({ method, route }, seconds);
    options.accessLog(
      request.id,
      {
        event: 'request.complete',
        method,
        route,
        path: pathOf(request),
        status_code: status,
        latency_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        user: userOf(request),
        trace_id: traceIdOf(request),
        // Probes and scrapes arrive every few seconds from every prober: at info they would drown the real traffic.
      },
      status < 400 && PROBE_AND_SCRAPE_PATHS.has(route) ? 'debug' : 'info',
    );
    done();
  });
};

export const requestLogging = fp(requestLoggingAsync, { name: 'ope-request-logging', fastify: '5.x' });
