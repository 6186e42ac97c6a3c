import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { DevIdentity } from '../../auth/dev-identity.js';
import { SCOPES } from '../../auth/scopes.js';
import { AppError } from '../errors.js';
import { loadPlaygroundAssets } from '../playground/playground-assets.js';
import type { PlaygroundAsset } from '../playground/playground-assets.js';

/**
 * The pricing playground (OPE_PLAYGROUND, on by default outside production): a page at `/` that prices one contract
 * through the public API and charts price and greeks against spot, price against volatility and Monte Carlo
 * convergence. The page is static files (public/playground/) plus uPlot, all served from this origin; it calls
 * /api/v1 with a bearer token like any other client.
 *
 * GET /playground/token hands the page a token, and exists only when main.ts made the embedded development identity
 * (no OIDC, no DEV_JWT_SECRET, not production). The token is short-lived (15 minutes) and carries only pricing:read.
 * It is answered only to a loopback client whose browser says the call is same-origin (or sends no Fetch Metadata,
 * as curl does); anyone else gets the ordinary 404, as if the route did not exist. docs/SECURITY.md, "Playground".
 */

export const PLAYGROUND_TOKEN_URL = '/playground/token';
export const PLAYGROUND_TOKEN_TTL_SECONDS = 15 * 60;
export const PLAYGROUND_TOKEN_SCOPES: readonly string[] = Object.freeze([SCOPES.pricingRead]);
export const PLAYGROUND_TOKEN_SUBJECT = 'playground';

/**
 * Only files from this origin, no inline script or style, no framing, no form posts anywhere: the page's code is
 * ES modules and it styles elements through the CSSOM (as uPlot does), which style-src does not govern.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PlaygroundRoutesOptions {
  /** The embedded development identity when main.ts made one; null (OIDC, DEV_JWT_SECRET or production): no token route. */
  readonly devIdentity: Pick<DevIdentity, 'mintToken'> | null;
  /** Default: loadPlaygroundAssets() (public/playground/ and uPlot). */
  readonly assets?: readonly PlaygroundAsset[];
}

/** True for an IPv4 loopback address (127/8), also IPv4-mapped, and for ::1. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Why a token request is refused, or null when it may have one. */
function tokenRefusal(request: FastifyRequest): string | null {
  // The TCP peer, not request.ip: X-Forwarded-For is never trusted here, whatever trustProxy says.
  if (!isLoopbackAddress(request.raw.socket.remoteAddress)) return 'not_loopback';
  const site = request.headers['sec-fetch-site'];
  // A browser marks every request with where it came from; another site's page (even one CORS would let read
  // the answer) is refused. `none` is the user opening the URL themselves.
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross_site';
  return null;
}

export const playgroundRoutes: FastifyPluginAsync<PlaygroundRoutesOptions> = async (app, options) => {
  const assets = options.assets ?? loadPlaygroundAssets();

  for (const asset of assets) {
    app.get(asset.url, { schema: { hide: true } }, async (request, reply) => {
      reply
        .header('content-security-policy', PLAYGROUND_CSP)
        .header('cache-control', 'no-cache')
        .header('etag', asset.etag);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.contentType).send(asset.body);
    });
  }

  const identity = options.devIdentity;
  if (identity === null) return;
  app.get(PLAYGROUND_TOKEN_URL, { schema: { hide: true } }, async (request, reply) => {
    const refusal = tokenRefusal(request);
    if (refusal !== null) {
      request.log.info({ event: 'playground.token_refused', reason: refusal }, 'playground token refused');
      throw new AppError('ERR_HTTP_NOT_FOUND');
    }
    const token = await identity.mintToken({
      scopes: PLAYGROUND_TOKEN_SCOPES,
      sub: PLAYGROUND_TOKEN_SUBJECT,
      ttlSeconds: PLAYGROUND_TOKEN_TTL_SECONDS,
    });
    request.log.info(
      { event: 'playground.token_issued', scopes: PLAYGROUND_TOKEN_SCOPES, ttl_seconds: PLAYGROUND_TOKEN_TTL_SECONDS },
      'playground token issued',
    );
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: PLAYGROUND_TOKEN_TTL_SECONDS,
      scope: PLAYGROUND_TOKEN_SCOPES.join(' '),
    };
  });
};
