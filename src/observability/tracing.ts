import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { FastifyPluginCallback } from 'fastify';
import { PROBE_AND_SCRAPE_PATHS } from './trace-context.js';

/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/RUNBOOK.md, "Tracing"): one span per
 * request (@fastify/otel) with a child span for the route handler, exported over OTLP/HTTP in batches. The tracer
 * provider is registered globally, with the W3C trace-context propagator, so an incoming `traceparent` makes the
 * request's span a child of the caller's. Probes and scrapes are not traced: they would outnumber real requests.
 */

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  readonly endpoint: string;
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly environment: string;
}

export interface Tracing {
  /** Register on the Fastify app before any route (buildApp does). */
  readonly plugin: FastifyPluginCallback;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The OTLP/HTTP traces URL for a collector base URL, as the OpenTelemetry specification builds it. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export function startTracing(options: TracingOptions): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.version': options.serviceVersion,
      'deployment.environment.name': options.environment,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(options.endpoint) }))],
  });
  // Global tracer provider, AsyncLocalStorage context manager, W3C trace-context and baggage propagators.
  provider.register();
  const instrumentation = new FastifyOtelInstrumentation({
    // Lifecycle hooks are ours and cheap; a span each would multiply the spans per request by ten.
    instrumentHooks: false,
    ignorePaths: ({ url }) => PROBE_AND_SCRAPE_PATHS.has(pathOf(url)),
  });
  instrumentation.setTracerProvider(provider);
  return {
    plugin: instrumentation.plugin(),
    shutdown: () => provider.shutdown(),
  };
}
