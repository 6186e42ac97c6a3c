import { createLocalJWKSet } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWSHeaderParameters } from 'jose';
import type { Metrics } from '../observability/metrics.js';
import { AuthError } from './auth-error.js';
import type { AuthLogger } from './auth-logger.js';

/**
 * The JWKS behind OIDC_JWKS_URL, with the properties jose's createRemoteJWKSet lacks (TOOLCHAIN.md 3a, G5):
 *
 * - Requests never wait for a fetch, except before the very first successful load. Refreshes run in the
 *   background (every `refreshIntervalMs`, default five minutes), single-flight, each with a timeout.
 * - Each refresh that changes the document keeps the set it replaces as `previous` for `previousRetentionMs`
 *   (default: one refresh interval), so tokens signed with the previous kid keep verifying through a rotation.
 * - An unknown kid asks for a background refetch, granted at most once per `cooldownMs` (default 30 s) across all
 *   fetches, so a flood of forged kids cannot turn into a flood of JWKS requests.
 * - A failed fetch (down, hanging, 5xx, not a key set, no keys) keeps the last good sets; it counts in
 *   `ope_jwks_refresh_failures_total` and `ope_auth_failures_total{reason="jwks_unavailable"}`. After
 *   `maxStalenessMs` without a successful fetch the cache fails closed (ERR_AUTH_UNAVAILABLE -> 503), logged at
 *   error level on every failed attempt until a fetch succeeds again.
 * - `refresh()` (wired to SIGHUP) fetches at once and, on success, keeps only what the endpoint serves now: the
 *   previous set is dropped, exactly as a restart would, so removing a compromised key takes one signal.
 *
 * The clock and every interval are injectable; a request that finds a refresh due (by the injected clock) starts
 * it in the background, so tests move a fake clock instead of waiting five minutes.
 */

export interface JwksCacheOptions {
  readonly url: string;
  readonly metrics?: Pick<Metrics, 'jwksRefreshFailuresTotal' | 'jwksLastSuccessTimestamp' | 'authFailuresTotal'>;
  readonly logger?: AuthLogger;
  /** Milliseconds since the Unix epoch. Default Date.now. */
  readonly clock?: () => number;
  readonly fetch?: typeof globalThis.fetch;
  /** Default 300 000 (five minutes). */
  readonly refreshIntervalMs?: number;
  /** Minimum time between two fetches that an unknown kid may cause. Default 30 000. */
  readonly cooldownMs?: number;
  /** Delay before retrying after a failed fetch (the first load backs off from 1 s up to this). Default 30 000. */
  readonly retryIntervalMs?: number;
  /** Per-fetch timeout, connection to last byte. Default 5 000. */
  readonly timeoutMs?: number;
  /** How long a replaced key set keeps verifying. Default: refreshIntervalMs. */
  readonly previousRetentionMs?: number;
  /** Fail closed after this long without a successful fetch. Default 86 400 000 (24 h). */
  readonly maxStalenessMs?: number;
  /** Largest accepted JWKS document. Default 1 MiB. */
  readonly maxBytes?: number;
}

interface KeySet {
  readonly resolve: ReturnType<typeof createLocalJWKSet>;
  readonly kids: readonly string[];
  readonly fingerprint: string;
}

export interface JwksStatus {
  readonly ready: boolean;
  readonly stale: boolean;
  readonly lastSuccessAt: number | null;
  readonly consecutiveFailures: number;
  readonly currentKids: readonly string[];
  readonly previousKids: readonly string[];
}

export interface JwksCache {
  /** True once a key set is loaded and not past the maximum staleness. */
  readonly isReady: boolean;
  /** Resolves after the first successful load. */
  ready(): Promise<void>;
  /**
   * The keys that may verify a token with this header: the current set's matches, else the retained previous
   * set's. Throws AuthError ERR_AUTH_UNKNOWN_KID (and asks for a refetch) or ERR_AUTH_UNAVAILABLE.
   */
  keysFor(header: JWSHeaderParameters): Promise<CryptoKey[]>;
  /** Throws ERR_AUTH_UNAVAILABLE when no key set may be used (not loaded yet, or past the maximum staleness). */
  assertUsable(): void;
  /** Changes whenever the usable keys change, so verified-token caches can tell their entries are outdated. */
  generation(): number;
  /** Fetch now (operator's manual refresh); on success the previous set is dropped. Throws ERR_AUTH_UNAVAILABLE. */
  refresh(): Promise<void>;
  /** Resolves when no fetch is in flight (tests, orderly shutdown). */
  settled(): Promise<void>;
  status(): JwksStatus;
  close(): void;
}

const DEFAULTS = {
  refreshIntervalMs: 300_000,
  cooldownMs: 30_000,
  retryIntervalMs: 30_000,
  timeoutMs: 5_000,
  maxStalenessMs: 86_400_000,
  maxBytes: 1_048_576,
  firstRetryMs: 1_000,
};

class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';
}

export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const clock = options.clock ?? Date.now;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const refreshIntervalMs = options.refreshIntervalMs ?? DEFAULTS.refreshIntervalMs;
  const cooldownMs = options.cooldownMs ?? DEFAULTS.cooldownMs;
  const retryIntervalMs = options.retryIntervalMs ?? DEFAULTS.retryIntervalMs;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const retentionMs = options.previousRetentionMs ?? refreshIntervalMs;
  const maxStalenessMs = options.maxStalenessMs ?? DEFAULTS.maxStalenessMs;
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  const { metrics, logger, url } = options;

  let current: KeySet | null = null;
  let previous: { readonly set: KeySet; readonly retiredAt: number } | null = null;
  let gen = 0;
  let lastSuccessAt: number | null = null;
  let lastFetchStartedAt = Number.NEGATIVE_INFINITY;
  let nextAttemptAt = clock();
  let consecutiveFailures = 0;
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let failingClosedLogged = false;
  // Aborts a fetch still running at close(), so a hanging endpoint cannot hold up shutdown.
  const closing = new AbortController();
  let resolveReady!: () => void;
  const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve));

  const isStale = (now: number): boolean => lastSuccessAt !== null && now - lastSuccessAt > maxStalenessMs;

  const retryAfterSeconds = (): number => Math.max(1, Math.ceil((nextAttemptAt - clock()) / 1000));

  const unavailable = (message: string, cause?: unknown): AuthError =>
    new AuthError('ERR_AUTH_UNAVAILABLE', message, { cause, retryAfterSeconds: retryAfterSeconds() });

  async function readBody(response: Response): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? 'NaN');
    if (declared > maxBytes) throw new JwksFetchError(`JWKS document of ${declared} bytes exceeds ${maxBytes}`);
    if (response.body === null) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new JwksFetchError(`JWKS document exceeds ${maxBytes} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function load(): Promise<KeySet> {
    // redirect 'error': a redirect could leave https (config only vouches for the configured URL).
    const response = await fetchImpl(url, {
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), closing.signal]),
      redirect: 'error',
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new JwksFetchError(`JWKS endpoint answered HTTP ${response.status}`);
    }
    const text = await readBody(response);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new JwksFetchError('JWKS response is not JSON');
    }
    const keys = (json as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new JwksFetchError('JWKS response has no "keys" array');
    // An empty set would reject every token; treat it as a broken endpoint and keep the last good keys.
    if (keys.length === 0) throw new JwksFetchError('JWKS response has an empty "keys" array');
    const resolve = createLocalJWKSet(json as JSONWebKeySet);
    const kids = keys.map((k: { kid?: unknown }) => (typeof k?.kid === 'string' ? k.kid : '(no kid)'));
    const fingerprint = keys.map((k) => JSON.stringify(k)).sort().join('\n');
    return { resolve, kids, fingerprint };
  }

  function expirePrevious(now: number): void {
    if (previous !== null && now >= previous.retiredAt + retentionMs) {
      previous = null;
      gen += 1;
    }
  }

  function schedule(): void {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(onTimer, Math.max(0, nextAttemptAt - clock()));
    timer.unref();
  }

  function onTimer(): void {
    timer = null;
    // A fetch in flight reschedules when it settles.
    if (inFlight !== null) return;
    if (clock() >= nextAttemptAt) void startFetch('scheduled').catch(() => undefined);
    else schedule();
  }

  function startFetch(trigger: 'initial' | 'scheduled' | 'unknown_kid' | 'manual', replace = false): Promise<void> {
    const startedAt = clock();
    lastFetchStartedAt = startedAt;
    const run = (async () => {
      try {
        const set = await load();
        const now = clock();
        lastSuccessAt = now;
        consecutiveFailures = 0;
        nextAttemptAt = now + refreshIntervalMs;
        metrics?.jwksLastSuccessTimestamp.set(now / 1000);
        if (failingClosedLogged) logger?.info({ event: 'jwks.recovered', trigger }, 'JWKS fetched again: authentication is available');
        failingClosedLogged = false;
        if (current === null || replace || set.fingerprint !== current.fingerprint) {
          const wasCurrent = current;
          previous = replace || wasCurrent === null ? null : { set: wasCurrent, retiredAt: now };
          current = set;
          gen += 1;
          logger?.info(
            { event: 'jwks.updated', trigger, kids: set.kids, retained_kids: previous?.set.kids ?? [] },
            'JWKS key set updated',
          );
        }
        resolveReady();
      } catch (error) {
        if (closed) throw unavailable('JWKS cache closed', error);
        const now = clock();
        consecutiveFailures += 1;
        nextAttemptAt =
          now + (lastSuccessAt === null ? Math.min(retryIntervalMs, DEFAULTS.firstRetryMs * 2 ** (consecutiveFailures - 1)) : retryIntervalMs);
        metrics?.jwksRefreshFailuresTotal.inc();
        metrics?.authFailuresTotal.inc({ reason: 'jwks_unavailable' });
        const detail = {
          event: 'jwks.refresh_failed',
          trigger,
          url,
          error: describe(error),
          consecutive_failures: consecutiveFailures,
          last_success_at: lastSuccessAt === null ? null : new Date(lastSuccessAt).toISOString(),
        };
        if (isStale(now)) {
          logger?.error(
            { ...detail, max_staleness_seconds: maxStalenessMs / 1000 },
            'JWKS not refreshed within the maximum staleness: authentication is FAILING CLOSED (503) until a fetch succeeds',
          );
        } else {
          logger?.warn(detail, lastSuccessAt === null ? 'JWKS first load failed; not ready' : 'JWKS refresh failed; cached keys stay in use');
        }
        throw unavailable('JWKS fetch failed', error);
      } finally {
        inFlight = null;
        schedule();
      }
    })();
    inFlight = run.catch(() => undefined);
    return run;
  }

  /** Starts a background fetch when one is due by the clock (covers delayed timers and injected clocks). */
  function refreshIfDue(now: number): void {
    if (inFlight === null && !closed && now >= nextAttemptAt) void startFetch('scheduled').catch(() => undefined);
  }

  function assertUsable(): void {
    const now = clock();
    if (current === null) throw unavailable('JWKS not loaded yet');
    if (isStale(now)) {
      if (!failingClosedLogged) {
        failingClosedLogged = true;
        logger?.error(
          { event: 'jwks.failing_closed', url, last_success_at: new Date(lastSuccessAt!).toISOString(), max_staleness_seconds: maxStalenessMs / 1000 },
          'JWKS not refreshed within the maximum staleness: authentication is FAILING CLOSED (503) until a fetch succeeds',
        );
      }
      throw unavailable(`JWKS older than the maximum staleness (${maxStalenessMs / 1000} s)`);
    }
  }

  async function keysFor(header: JWSHeaderParameters): Promise<CryptoKey[]> {
    let now = clock();
    refreshIfDue(now);
    if (current === null && inFlight !== null) {
      // Before the first successful load a request may wait for the fetch: there is nothing else to use.
      await inFlight;
      now = clock();
    }
    assertUsable();
    expirePrevious(now);
    const fromCurrent = await matching(current!, header);
    if (fromCurrent.length > 0) return fromCurrent;
    if (previous !== null) {
      const fromPrevious = await matching(previous.set, header);
      if (fromPrevious.length > 0) return fromPrevious;
    }
    if (inFlight === null && !closed && now - lastFetchStartedAt >= cooldownMs) void startFetch('unknown_kid').catch(() => undefined);
    throw new AuthError('ERR_AUTH_UNKNOWN_KID', `no JWKS key matches kid ${JSON.stringify(String(header.kid).slice(0, 64))} and alg ${JSON.stringify(String(header.alg).slice(0, 16))}`);
  }

  nextAttemptAt = clock();
  void startFetch('initial').catch(() => undefined);

  return {
    get isReady() {
      return current !== null && !isStale(clock());
    },
    ready: () => readyPromise,
    keysFor,
    assertUsable,
    generation() {
      expirePrevious(clock());
      return gen;
    },
    async refresh() {
      if (inFlight !== null) await inFlight;
      await startFetch('manual', true);
    },
    async settled() {
      while (inFlight !== null) await inFlight;
    },
    status() {
      const now = clock();
      expirePrevious(now);
      return {
        ready: current !== null && !isStale(now),
        stale: isStale(now),
        lastSuccessAt,
        consecutiveFailures,
        currentKids: current?.kids ?? [],
        previousKids: previous?.set.kids ?? [],
      };
    },
    close() {
      closed = true;
      closing.abort();
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/** The candidate keys in one set: none, one, or (duplicate kids, an IdP mistake) several to try in turn. */
async function matching(set: KeySet, header: JWSHeaderParameters): Promise<CryptoKey[]> {
  try {
    return [await set.resolve(header)];
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_JWKS_NO_MATCHING_KEY') return [];
    if (code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
      const keys: CryptoKey[] = [];
      for await (const key of error as AsyncIterable<CryptoKey>) keys.push(key);
      return keys;
    }
    throw error;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? `: ${(cause as { code?: string }).code ?? cause.message}` : '';
  return `${error.name}: ${error.message}${causeText}`;
}
