import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ConfigError } from '../../config/config.js';
import { AppError } from '../errors.js';

/**
 * The Host header allow-list (OPE_ALLOWED_HOSTS): a request whose Host is not listed is answered 400
 * `{"detail": "Invalid host header"}` before anything else runs: no token check, no body read. This stops Host
 * header poisoning and DNS rebinding (a browser pointed at OPE through a hostile name sends that name as Host).
 *
 * Matching is on the host name without its port, in canonical form (lower case, IPv6 compressed in brackets, no
 * trailing dot). Entries: a host name or IP address (`::1` and `[::1]` both work), `*.example.com` for any
 * subdomain of example.com at any depth (not example.com itself), or `*` for any host.
 *
 * Two Host header lines, or an absolute-form request line (`GET http://other.example/...`) whose authority is not
 * allowed or disagrees with Host, are refused the same way on every route (RFC 9112 section 3.2).
 *
 * Exempt: /healthz, /health, /livez, /readyz and /metrics. Kubelet probes and Prometheus scrapes address the pod IP, which no
 * allow-list can name in advance, and these routes build no links from the Host and need no token.
 */

export const HOST_CHECK_EXEMPT_ROUTES: ReadonlySet<string> = new Set([
  '/healthz',
  '/health',
  '/livez',
  '/readyz',
  '/metrics',
]);

/** Distinct Host header texts whose decision is remembered. */
const HOST_DECISIONS_KEPT = 256;

/** RFC 3986 host (reg-name or bracketed IP literal) and optional port; anything else is not a Host header. */
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/;

/** The canonical host name of a `host[:port]` text, or null. */
function parseHost(text: string): string | null {
  if (!HOST_HEADER.test(text)) return null;
  let url: URL;
  try {
    // The WHATWG parser canonicalises: lower case, IPv6 compressed, IPv4 in dotted decimal; the pattern above has
    // already excluded the characters (`@`, `/`, `?`, `#`) that would make it read something else as the host.
    url = new URL(`http://${text}`);
  } catch {
    return null;
  }
  const hostname = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  return hostname === '' ? null : hostname;
}

/** The canonical host name of a Host header value (port dropped), or null when it is not a valid Host. */
export function hostNameOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  return parseHost(header);
}

/** OPE_ALLOWED_HOSTS entries -> a predicate on canonical host names. A malformed entry is a ConfigError. */
export function compileHostAllowlist(entries: readonly string[]): (hostname: string) => boolean {
  if (entries.includes('*')) return () => true;
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const invalid = () =>
      new ConfigError(
        'OPE_ALLOWED_HOSTS',
        `"${entry}" is not a host name, an IP address, "*.domain" or "*" (entries carry no port or scheme)`,
      );
    const wildcard = entry.startsWith('*.');
    const bare = wildcard ? `x.${entry.slice(2)}` : entry;
    // An unbracketed IPv6 address (`::1`) is accepted as written in most configuration.
    const text =
      !wildcard && bare.includes(':') && !bare.startsWith('[') && bare.split(':').length > 2 ? `[${bare}]` : bare;
    const hostname = parseHost(text);
    // A port (even the default one, which the URL parser drops silently) means the entry was misunderstood.
    const hasPort = /:\d+$/.test(text.replace(/^\[[^\]]*\]/, ''));
    if (hostname === null || hasPort) throw invalid();
    if (wildcard) {
      const suffix = hostname.slice(1);
      if (!suffix.startsWith('.') || suffix.length < 2) throw invalid();
      suffixes.push(suffix);
    } else {
      exact.add(hostname);
    }
  }
  return (hostname) =>
    exact.has(hostname) || suffixes.some((suffix) => hostname.length > suffix.length && hostname.endsWith(suffix));
}

/**
 * RFC 9112 section 3.2: a request with more than one Host field line is refused, and a request in absolute form
 * is judged by the authority in its request line, which takes the place of Host. Returns the host text to check
 * against the allow-list, or null when the request must be refused whatever the list says.
 */
export function effectiveHost(request: FastifyRequest): { host: string | undefined } | null {
  const raw = request.raw.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts += 1;
  if (hosts > 1) return null;
  const target = request.raw.url ?? '';
  if (target.startsWith('/') || target === '*') return { host: request.headers.host };
  let authority: URL;
  try {
    authority = new URL(target);
  } catch {
    return null;
  }
  if (authority.protocol !== 'http:' && authority.protocol !== 'https:') return null;
  // The authority replaces Host; a Host header naming another server is a smuggling attempt.
  const header = hostNameOf(request.headers.host);
  if (header !== null && header !== hostNameOf(authority.host)) return null;
  return { host: authority.host };
}

export interface HostAllowlistOptions {
  /** OPE_ALLOWED_HOSTS. */
  readonly allowedHosts: readonly string[];
}

function isExempt(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return !request.is404 && route !== undefined && HOST_CHECK_EXEMPT_ROUTES.has(route);
}

const hostAllowlistAsync: FastifyPluginAsync<HostAllowlistOptions> = async (app, options) => {
  const allowed = compileHostAllowlist(options.allowedHosts);
  // A service sees a handful of distinct Host values, and parsing one (a URL object) costs more than the rest of
  // this hook: decisions are remembered per header text, in a map cleared when a scanner floods it with variety.
  const decisions = new Map<string, boolean>();
  const isAllowed = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    let decision = decisions.get(header);
    if (decision === undefined) {
      const hostname = hostNameOf(header);
      decision = hostname !== null && allowed(hostname);
      if (decisions.size >= HOST_DECISIONS_KEPT) decisions.clear();
      decisions.set(header, decision);
    }
    return decision;
  };
  app.addHook('onRequest', (request, _reply, done) => {
    const target = effectiveHost(request);
    if (target !== null && (isExempt(request) || isAllowed(target.host))) done();
    else done(new AppError('ERR_HTTP_INVALID_HOST'));
  });
};

/** Register before every other plugin with an onRequest hook: hooks run in registration order. */
export const hostAllowlist = fp(hostAllowlistAsync, { name: 'ope-host-allowlist', fastify: '5.x' });
