import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthResponse } from '../schemas.js';
import { createSystemUsage } from '../system-usage.js';
import type { SystemUsage } from '../system-usage.js';

/**
 * GET /healthz and GET /health: liveness and readiness, no token, never rate limited. 200 `status: "ok"` while
 * serving; 503 `status: "draining"` from the moment shutdown begins, so load balancers stop sending new work.
 * The body also carries the Python service's fields (timestamp, uptime_seconds, system) for its clients.
 */

export interface Lifecycle {
  readonly draining: boolean;
  /** Called once when SIGTERM/SIGINT starts the graceful shutdown. */
  startDraining(): void;
}

export function createLifecycle(): Lifecycle {
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
  };
}

export interface HealthRoutesOptions {
  readonly lifecycle: Lifecycle;
  readonly environment: string;
  readonly version: string;
  /** process.uptime, injectable for tests. */
  readonly uptimeSeconds?: () => number;
  /** The Python service's `system` block, injectable for tests. */
  readonly systemUsage?: () => SystemUsage;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  const { lifecycle, environment, version } = options;
  const uptime = options.uptimeSeconds ?? (() => process.uptime());
  const systemUsage = options.systemUsage ?? createSystemUsage();
  for (const url of ['/healthz', '/health']) {
    app.get(
      url,
      {
        schema: {
          tags: ['operations'],
          summary: 'Liveness and readiness',
          response: { 200: HealthResponse, 503: HealthResponse },
        },
      },
      async (request, reply) => {
        const seconds = uptime();
        // Ours (environment, uptime, version) plus the Python service's fields (docs/api.md, "Routes").
        const body = {
          environment,
          uptime: seconds,
          version,
          timestamp: new Date().toISOString().replace('Z', '+00:00'),
          uptime_seconds: Math.round(seconds * 1000) / 1000,
          system: systemUsage(),
        };
        if (lifecycle.draining)
          return reply.code(503).send({ status: 'draining' as const, ...body, request_id: request.id });
        return { status: 'ok' as const, ...body };
      },
    );
  }
};
