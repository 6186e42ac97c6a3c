import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metric names, labels and buckets below are a contract with existing dashboards and alert rules
 * (docs/RUNBOOK.md): change none of them. One registry per app instance, so tests can
 * build several apps in one process without "metric already registered" clashes.
 */

export const REQUEST_LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const MODEL_LATENCY_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
export const QUEUE_WAIT_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];

/** The `route` label value shared by every path that matched no route, so scanners cannot explode cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

export type AuthFailureReason =
  'missing_token' | 'jwt_error' | 'unknown_kid' | 'insufficient_scope' | 'jwks_unavailable';

export interface Metrics {
  readonly registry: Registry;
  readonly requestTotal: Counter<'method' | 'route' | 'status_code'>;
  readonly requestErrorsTotal: Counter<'method' | 'route' | 'status_code'>;
  readonly requestLatency: Histogram<'method' | 'route'>;
  readonly modelLatency: Histogram<'model'>;
  readonly modelErrorsTotal: Counter<'model'>;
  readonly authFailuresTotal: Counter<'reason'>;
  readonly rateLimitRejectionsTotal: Counter<'route'>;
  readonly payloadTooLargeTotal: Counter<'route'>;
  readonly threadpoolWorkers: Gauge<'engine'>;
  readonly threadpoolTasksInFlight: Gauge<'engine'>;
  readonly threadpoolQueueDepth: Gauge<'engine'>;
  readonly threadpoolQueueWait: Histogram<'engine'>;
  readonly threadpoolRejectionsTotal: Counter<'engine'>;
  readonly threadpoolSaturationTotal: Counter<'engine'>;
  /** Beyond the contract: JWKS refresh health, for the JWKS alert. */
  readonly jwksRefreshFailuresTotal: Counter;
  readonly jwksLastSuccessTimestamp: Gauge;
  /** Beyond the contract: the store (docs/RUNBOOK.md, "The store"). */
  readonly storeErrorsTotal: Counter<'operation'>;
  readonly surfaceVersion: Gauge;
  readonly surfaceAgeSeconds: Gauge;
  readonly quoteCostGuardTotal: Counter<'guard' | 'action'>;
  readonly quoteRecordsSweptTotal: Counter;
}

export interface MetricsOptions {
  /** Collect prom-client's default process metrics (CPU, memory, event-loop lag). Default true. */
  readonly defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requestTotal: new Counter({
      name: 'ope_request_total',
      help: 'HTTP requests',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    }),
    requestErrorsTotal: new Counter({
      name: 'ope_request_errors_total',
      help: 'HTTP requests answered with status >= 500',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    }),
    requestLatency: new Histogram({
      name: 'ope_request_latency_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: REQUEST_LATENCY_BUCKETS,
      registers,
    }),
    modelLatency: new Histogram({
      name: 'ope_model_latency_seconds',
      help: 'Pricing model compute time per contract',
      labelNames: ['model'],
      buckets: MODEL_LATENCY_BUCKETS,
      registers,
    }),
    modelErrorsTotal: new Counter({
      name: 'ope_model_errors_total',
      help: 'Pricing model failures',
      labelNames: ['model'],
      registers,
    }),
    authFailuresTotal: new Counter({
      name: 'ope_auth_failures_total',
      help: 'Authentication and authorisation failures',
      labelNames: ['reason'],
      registers,
    }),
    rateLimitRejectionsTotal: new Counter({
      name: 'ope_rate_limit_rejections_total',
      help: 'Requests refused with 429',
      labelNames: ['route'],
      registers,
    }),
    payloadTooLargeTotal: new Counter({
      name: 'ope_payload_too_large_total',
      help: 'Requests refused with 413 for body size',
      labelNames: ['route'],
      registers,
    }),
    threadpoolWorkers: new Gauge({
      name: 'ope_threadpool_workers',
      help: 'Configured pricing worker threads',
      labelNames: ['engine'],
      registers,
    }),
    threadpoolTasksInFlight: new Gauge({
      name: 'ope_threadpool_tasks_in_flight',
      help: 'Pricing tasks running now',
      labelNames: ['engine'],
      registers,
    }),
    threadpoolQueueDepth: new Gauge({
      name: 'ope_threadpool_queue_depth',
      help: 'Pricing tasks waiting for a thread',
      labelNames: ['engine'],
      registers,
    }),
    threadpoolQueueWait: new Histogram({
      name: 'ope_threadpool_queue_wait_seconds',
      help: 'Time a pricing task waited for a thread',
      labelNames: ['engine'],
      buckets: QUEUE_WAIT_BUCKETS,
      registers,
    }),
    threadpoolRejectionsTotal: new Counter({
      name: 'ope_threadpool_rejections_total',
      help: 'Pricing tasks refused with 503',
      labelNames: ['engine'],
      registers,
    }),
    threadpoolSaturationTotal: new Counter({
      name: 'ope_threadpool_saturation_total',
      help: 'Hard rejections because the wait queue was full',
      labelNames: ['engine'],
      registers,
    }),
    jwksRefreshFailuresTotal: new Counter({
      name: 'ope_jwks_refresh_failures_total',
      help: 'Failed JWKS fetches',
      registers,
    }),
    jwksLastSuccessTimestamp: new Gauge({
      name: 'ope_jwks_last_success_timestamp_seconds',
      help: 'Unix time of the last successful JWKS fetch',
      registers,
    }),
    storeErrorsTotal: new Counter({
      name: 'ope_store_errors_total',
      help: 'Store operations that failed (upsert, load, probe, as_of)',
      labelNames: ['operation'],
      registers,
    }),
    surfaceVersion: new Gauge({
      name: 'ope_volatility_surface_version',
      help: 'Version of the volatility surface this instance prices with',
      registers,
    }),
    surfaceAgeSeconds: new Gauge({
      name: 'ope_volatility_surface_age_seconds',
      help: 'Seconds since the store last confirmed the loaded volatility surface is current',
      registers,
    }),
    quoteCostGuardTotal: new Counter({
      name: 'ope_quote_cost_guard_total',
      help: 'Quote API cost guards tripped (action: refused with 429, or clamped)',
      labelNames: ['guard', 'action'],
      registers,
    }),
    quoteRecordsSweptTotal: new Counter({
      name: 'ope_quote_records_swept_total',
      help: 'Expired capsules and idempotency records removed by the sweeper',
      registers,
    }),
  };
}
