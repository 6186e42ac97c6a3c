import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Lifecycle } from './health.js';

/**
 * Kubernetes-style probes beside /healthz (docs/RUNBOOK.md, "Probes"), no token, never rate limited:
 *
 *   GET /livez   200 {"status": "alive"} while the process can answer at all (draining included): a liveness
 *                probe that fails only when restarting the process is the cure.
 *   GET /readyz  200 {"status": "ready"} when new work should be sent here; 503 {"status": "not_ready",
 *                "reasons": [...]} before the first JWKS load, while authentication fails closed (JWKS past
 *                OPE_JWKS_MAX_STALENESS_SECONDS) and from the moment shutdown begins.
 */

export interface ProbeRoutesOptions {
  readonly lifecycle: Lifecycle;
  /** The authenticator's readiness: false before the first key set and while failing closed. */
  readonly authReady: () => boolean;
}

const Liveness = Type.Object({ status: Type.Literal('alive') });
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  reasons: Type.Array(Type.Union([Type.Literal('draining'), Type.Literal('authentication_unavailable')])),
  request_id: Type.Optional(Type.String()),
});

export const probeRoutes: FastifyPluginAsyncTypebox<ProbeRoutesOptions> = async (app, options) => {
  const { lifecycle, authReady } = options;
  app.get(
    '/livez',
    { schema: { tags: ['operations'], summary: 'Liveness', response: { 200: Liveness } } },
    async () => ({ status: 'alive' as const }),
  );
  app.get(
    '/readyz',
    { schema: { tags: ['operations'], summary: 'Readiness', response: { 200: Readiness, 503: Readiness } } },
    async (request, reply) => {
      const reasons: ('draining' | 'authentication_unavailable')[] = [];
      if (lifecycle.draining) reasons.push('draining');
      if (!authReady()) reasons.push('authentication_unavailable');
      if (reasons.length > 0)
        return reply.code(503).send({ status: 'not_ready' as const, reasons, request_id: request.id });
      return { status: 'ready' as const, reasons };
    },
  );
};
