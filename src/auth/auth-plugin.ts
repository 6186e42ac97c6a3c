import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { AuthError, isAuthError } from './auth-error.js';
import type { Authenticator, Principal } from './authenticator.js';

/**
 * Bearer authentication and scope checks for Fastify (a fastify-plugin, so the decorations reach sibling plugins).
 *
 * Interface agreed with src/http:
 *
 *   await app.register(authPlugin, { authenticator, metrics });
 *   app.get('/api/v1/models', { onRequest: app.requireScope(null) }, handler);          // any valid token
 *   app.post('/api/v1/pricing/single', { onRequest: app.requireScope('pricing:read') }, handler);
 *   request.principal  // Principal | null: set before the handler runs; `sub` is the log `user` and rate-limit key
 *
 * requireScope runs as an onRequest hook, so a refused request is answered before its body is read. It throws an
 * AuthError; the HTTP error handler (src/http/error-handler.ts) renders it from the one catalogue
 * (src/http/errors.ts). Answers (docs/api.md), every body also carrying `request_id` = request.id:
 *   no bearer token                      401, WWW-Authenticate: Bearer, {"detail": "Credentials required"}
 *   bad signature/claims/alg/unknown kid 401, WWW-Authenticate: Bearer, {"detail": "Invalid credentials"}
 *   missing scope                        403, {"detail": "Permission 'pricing:read' required"}
 *   JWKS not loaded yet / past staleness 503, Retry-After, {"detail": "Authentication unavailable"}
 * Each refusal increments ope_auth_failures_total{reason} once (missing_token, jwt_error, unknown_kid,
 * insufficient_scope, jwks_unavailable) and is logged at info level with its reason, never with the token.
 */

export type { Principal } from './authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The one verification of this request's bearer token, shared by the rate limiter and the scope check. */
    tokenVerification: TokenVerification | null;
  }
  interface FastifyInstance {
    /** An onRequest hook that requires a valid bearer token carrying `scope` (null: any valid token). */
    requireScope(scope: string | null): onRequestHookHandler;
  }
}

export interface AuthPluginOptions {
  readonly authenticator: Authenticator;
  readonly metrics: Pick<Metrics, 'authFailuresTotal'>;
}

/** What a hook needs of the authenticator: verify(), and the synchronous cache lookup when it has one. */
export type TokenVerifier = Pick<Authenticator, 'verify'> & Partial<Pick<Authenticator, 'verifyCached'>>;

interface TokenVerification {
  readonly token: string;
  readonly authenticator: TokenVerifier;
  /** The principal when it was known at once (a cached token), else null and `result` is the pending verify(). */
  readonly principal: Principal | null;
  result: Promise<Principal> | null;
}

/**
 * Verifies `token` for `request` once: the rate limiter (which keys on the verified `sub`) and the route's scope
 * check both ask, and the second asker gets the first one's answer instead of hashing and looking the token up again.
 */
export function verifyRequestToken(
  request: FastifyRequest,
  authenticator: TokenVerifier,
  token: string,
): Promise<Principal> {
  const earlier = request.tokenVerification;
  if (earlier !== null && earlier.token === token && earlier.authenticator === authenticator) {
    return (earlier.result ??= Promise.resolve(earlier.principal!));
  }
  const result = authenticator.verify(token);
  request.tokenVerification = { token, authenticator, principal: null, result };
  return result;
}

/**
 * The principal of `token` when it is known without waiting: this request's earlier verification, or a token the
 * authenticator has verified and still caches. null otherwise (and when the lookup itself fails: verifyRequestToken
 * then gives the failure as verify() reports it). Most requests of a client carry the token its earlier ones did,
 * so the hooks that need the principal answer them without a promise.
 */
export function knownPrincipal(request: FastifyRequest, authenticator: TokenVerifier, token: string): Principal | null {
  const earlier = request.tokenVerification;
  if (earlier !== null && earlier.token === token && earlier.authenticator === authenticator) return earlier.principal;
  if (authenticator.verifyCached === undefined) return null;
  let principal: Principal | null;
  try {
    principal = authenticator.verifyCached(token);
  } catch {
    return null;
  }
  if (principal !== null) request.tokenVerification = { token, authenticator, principal, result: null };
  return principal;
}

/** `Bearer <token>`, scheme case-insensitive (RFC 7235). Anything else counts as no bearer token. */
export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const match = /^Bearer +([^ ]+) *$/i.exec(authorization);
  return match === null ? null : match[1]!;
}

const authPluginAsync: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  const { authenticator, metrics } = options;
  app.decorateRequest('principal', null);
  app.decorateRequest('tokenVerification', null);

  /** Counts and logs a refusal and returns it for throwing: the HTTP error handler renders it from its catalogue. */
  function refused(request: FastifyRequest, error: AuthError): AuthError {
    metrics.authFailuresTotal.inc({ reason: error.reason });
    request.log.info(
      { event: 'auth.refused', reason: error.reason, code: error.code, error: error.message },
      'request refused by authentication',
    );
    return error;
  }

  /** Sets the request's principal, then passes it on, or refuses it without `scope`. */
  function admit(
    request: FastifyRequest,
    principal: Principal,
    scope: string | null,
    done: (error?: Error) => void,
  ): void {
    request.principal = principal;
    if (scope !== null && !principal.scopes.has(scope)) {
      done(refused(request, new AuthError('ERR_AUTH_INSUFFICIENT_SCOPE', `scope ${scope} missing`, { scope })));
    } else done();
  }

  app.decorate('requireScope', function requireScope(scope: string | null): onRequestHookHandler {
    // Callback style, not async: a token verified earlier is admitted without a promise or a microtask.
    return function authenticate(request, _reply, done) {
      const token = bearerToken(request.headers.authorization);
      if (token === null) {
        done(refused(request, new AuthError('ERR_AUTH_MISSING_TOKEN', 'no bearer token')));
        return;
      }
      const known = knownPrincipal(request, authenticator, token);
      if (known !== null) {
        admit(request, known, scope, done);
        return;
      }
      verifyRequestToken(request, authenticator, token).then(
        (principal) => admit(request, principal, scope, done),
        (error: unknown) => done(isAuthError(error) ? refused(request, error) : (error as Error)),
      );
    };
  });
};

const authPlugin = fp(authPluginAsync, { name: 'ope-auth', fastify: '5.x' });
export default authPlugin;
