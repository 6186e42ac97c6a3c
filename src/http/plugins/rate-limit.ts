import { normalizeIP } from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isAuthError } from '../../auth/auth-error.js';
import { bearerToken, knownPrincipal, verifyRequestToken } from '../../auth/auth-plugin.js';
import type { TokenVerifier } from '../../auth/auth-plugin.js';
import type { Principal } from '../../auth/authenticator.js';
import type { RateLimitSpec } from '../../config/config.js';
import { AppError, retryAfterHeader } from '../errors.js';
import type { Metrics } from '../../observability/metrics.js';
import { routeLabel } from '../../observability/request-logging.js';
import type { RateLimitCounter, WindowCount } from './local-rate-limit-counter.js';

/**
 * RATE_LIMIT_DEFAULT on every /api/v1 route (docs/RUNBOOK.md): a fixed window of `max` requests per client
 * and route path, where the client is the verified token's `sub`, or the client IP (IPv6 by /64) when the request has no token or
 * one that does not verify. /healthz, /health, /metrics, /docs, /openapi.json, `/`, and CORS preflights are
 * never limited; unmatched paths are (they are answered 404 before their body is read), all on one budget per client.
 *
 * Over the limit: 429 `{"detail": "Rate limit exceeded", "request_id"}` with `Retry-After` (whole seconds until
 * the window ends) and `ope_rate_limit_rejections_total{route}`. Every limited response carries
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds).
 *
 * Order: the limiter is an onRequest hook that runs before the route's scope check and before the body is read,
 * so a client over its budget costs neither a body parse nor a pricing task. To key on the `sub` it verifies the
 * token itself (verifyRequestToken), and the auth plugin's own check reuses that one verification. A token refused
 * for any reason other than an unavailable key set counts against the IP's budget: a flood of bad tokens is
 * limited too. When the key set is unavailable the limiter steps aside and the auth plugin answers 503.
 */

export const RATE_LIMITED_PREFIX = '/api/v1/';

export interface RateLimitingOptions {
  /** RATE_LIMIT_DEFAULT. */
  readonly limit: RateLimitSpec;
  readonly counter: RateLimitCounter;
  readonly authenticator: TokenVerifier;
  readonly metrics: Pick<Metrics, 'rateLimitRejectionsTotal'>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route outside /api/v1/ that draws on the same budget (the quote API's routes). */
    rateLimited?: boolean;
  }
}

export function isRateLimitedRoute(request: FastifyRequest): boolean {
  // Unknown routes count too: they are answered 404 without reading the body, but a flood of them is still a flood.
  if (request.is404) return true;
  // Read once: Fastify builds a new routeOptions object on every access.
  const { url: route, config } = request.routeOptions;
  return route !== undefined && (route.startsWith(RATE_LIMITED_PREFIX) || config.rateLimited === true);
}

type Identity = Principal | 'anonymous' | 'auth-unavailable';

async function identify(request: FastifyRequest, authenticator: TokenVerifier, token: string): Promise<Identity> {
  try {
    return await verifyRequestToken(request, authenticator, token);
  } catch (error) {
    return isAuthError(error) && error.code === 'ERR_AUTH_UNAVAILABLE' ? 'auth-unavailable' : 'anonymous';
  }
}

/**
 * The budget a request draws on: one per client and route path, as the Python service keyed them, so a client that
 * prices and asks for risk has the full budget on each. The prefixes keep a `sub` that looks like an address apart
 * from addresses, and development-anchor subjects (already `dev:`-tagged) apart from any OIDC subject, even one
 * spelt `dev:...`; the route is the matched path (GET and POST of one path share a budget, as in Python), and every
 * unmatched path shares one budget, so a flood of made-up paths cannot mint budgets.
 */
export function rateLimitKey(request: FastifyRequest, principal: Principal | null): string {
  const client =
    principal === null
      ? `ip:${normalizeIP(request.ip)}`
      : principal.anchor === 'development'
        ? `dev-anchor:${principal.sub}`
        : `sub:${principal.sub}`;
  return `${client}|${request.is404 ? '<unmatched>' : (request.routeOptions.url ?? request.url)}`;
}

type Done = (error?: Error) => void;

const rateLimitingAsync: FastifyPluginAsync<RateLimitingOptions> = async (app, options) => {
  const { limit, counter, authenticator, metrics } = options;
  const { max, windowMs } = limit;

  await counter.ready();
  app.addHook('onClose', async () => counter.close());

  /** The window's count decides: the X-RateLimit-* headers on every limited answer, a 429 past the budget. */
  function decide(request: FastifyRequest, reply: FastifyReply, count: WindowCount, done: Done): void {
    const resetSeconds = retryAfterHeader(Math.ceil(count.ttl / 1000));
    reply.header('x-ratelimit-limit', String(max));
    reply.header('x-ratelimit-remaining', String(Math.max(0, max - count.current)));
    reply.header('x-ratelimit-reset', resetSeconds);
    if (count.current <= max) {
      done();
      return;
    }
    metrics.rateLimitRejectionsTotal.inc({ route: routeLabel(request) });
    done(new AppError('ERR_RATE_LIMITED', { headers: { 'Retry-After': resetSeconds } }));
  }

  function limitAs(request: FastifyRequest, reply: FastifyReply, identity: Identity, done: Done): void {
    if (identity === 'auth-unavailable') {
      done();
      return;
    }
    const principal = identity === 'anonymous' ? null : identity;
    // The auth plugin sets it again after its scope check; set here so a 429's log line names the user.
    if (principal !== null) request.principal = principal;
    const key = rateLimitKey(request, principal);
    if (counter.hitNow !== undefined) {
      decide(request, reply, counter.hitNow(key, windowMs), done);
      return;
    }
    counter.hit(key, windowMs).then(
      (count) => decide(request, reply, count, done),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  }

  // Callback style, not async: with a token verified earlier and an in-memory counter, a request is decided without
  // a promise or a microtask.
  app.addHook('onRequest', function limitRequest(request, reply, done) {
    if (!isRateLimitedRoute(request)) {
      done();
      return;
    }
    const token = bearerToken(request.headers.authorization);
    const known = token === null ? 'anonymous' : knownPrincipal(request, authenticator, token);
    if (known !== null) {
      limitAs(request, reply, known, done);
      return;
    }
    identify(request, authenticator, token!).then((identity) => limitAs(request, reply, identity, done), done);
  });
};

/** Register after the Host allow-list and CORS, before the routes. */
export const rateLimiting = fp(rateLimitingAsync, {
  name: 'ope-rate-limiting',
  fastify: '5.x',
  dependencies: ['ope-auth'],
});
