import { createLocalJWKSet } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWSHeaderParameters } from 'jose';
import type { Metrics } from '../observability/metrics.js';
import { AuthError } from './auth-error.js';
import type { AuthLogger } from './auth-logger.js';

/**
 * The JWKS behind OIDC_JWKS_URL, with the properties jose's createRemoteJWKSet lacks (docs/SECURITY.md, "Identity
 * provider"). A class with private fields, in the shape of jose's own remote key set.
 *
 * - Refreshes run in the background (every `refreshIntervalMs`, default five minutes, or half the maximum
 *   staleness when that is shorter, so a healthy provider never lets the set go stale), single-flight.
 * - Every fetch has one deadline, connection to last byte, kept by a timer this object holds (an AbortController
 *   aborted by a setTimeout that `finally` clears), so no garbage collection can lose it (a composed
 *   `AbortSignal.timeout` can be collected and never fire on Node 20), and a bound on the body's bytes.
 * - Requests wait for a fetch only when there is something to wait for, and never longer than one fetch's
 *   deadline: before the first load, while the set is past the maximum staleness and a fetch is due or running,
 *   and for a kid no set knows (a newly published key) while a fetch runs or one is permitted.
 * - Unknown kids may start a refetch at most once per `cooldownMs` (default 30 s), counted between fetches that
 *   unknown kids started, so a flood of forged kids cannot turn into a flood of JWKS requests, while a key
 *   published just after a scheduled refresh is still picked up by the first token that uses it.
 * - Each refresh that changes the document keeps the set it replaces as `previous` for `previousRetentionMs`
 *   (default: one refresh interval), so tokens signed with the previous kid keep verifying through a rotation.
 * - A failed fetch (down, hanging, trickling, 5xx, not a key set, no keys) keeps the last good sets; it counts in
 *   `ope_jwks_refresh_failures_total` and `ope_auth_failures_total{reason="jwks_unavailable"}`. After
 *   `maxStalenessMs` without a successful fetch the cache fails closed (ERR_AUTH_UNAVAILABLE -> 503), logged at
 *   error level on every failed attempt until a fetch succeeds again.
 * - `refresh()` (wired to SIGHUP) aborts a fetch that is still running, fetches at once and, on success, keeps
 *   only what the endpoint serves now: the previous set is dropped, exactly as a restart would, so removing a
 *   compromised key takes one signal even while the provider hangs.
 *
 * The clock and every interval are injectable; a request that finds a refresh due (by the injected clock) starts
 * it, so tests move a fake clock instead of waiting five minutes.
 */

export interface JwksCacheOptions {
  readonly url: string;
  readonly metrics?: Pick<Metrics, 'jwksRefreshFailuresTotal' | 'jwksLastSuccessTimestamp' | 'authFailuresTotal'>;
  readonly logger?: AuthLogger;
  /** Milliseconds since the Unix epoch. Default Date.now. */
  readonly clock?: () => number;
  readonly fetch?: typeof globalThis.fetch;
  /** Default 300 000 (five minutes); shortened to half of maxStalenessMs when that is less. */
  readonly refreshIntervalMs?: number;
  /** Minimum time between two fetches that unknown kids may cause. Default 30 000. */
  readonly cooldownMs?: number;
  /** Delay before retrying after a failed fetch (the first load backs off from 1 s up to this). Default 30 000. */
  readonly retryIntervalMs?: number;
  /** Per-fetch deadline, connection to last byte. Default 5 000. */
  readonly timeoutMs?: number;
  /** How long a replaced key set keeps verifying. Default: the refresh interval. */
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

type FetchTrigger = 'initial' | 'scheduled' | 'unknown_kid' | 'stale' | 'manual';

interface RunningFetch {
  readonly controller: AbortController;
  /** Settles (never rejects) when the fetch has finished and its outcome is applied. */
  readonly done: Promise<void>;
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

/** The reason a fetch is aborted by a manual refresh: not a failure of the provider. */
class SupersededError extends Error {
  override readonly name = 'SupersededError';
}

export class JwksCache {
  readonly #url: string;
  readonly #metrics: JwksCacheOptions['metrics'];
  readonly #logger: AuthLogger | undefined;
  readonly #clock: () => number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #refreshIntervalMs: number;
  readonly #cooldownMs: number;
  readonly #retryIntervalMs: number;
  readonly #timeoutMs: number;
  readonly #retentionMs: number;
  readonly #maxStalenessMs: number;
  readonly #maxBytes: number;

  #current: KeySet | null = null;
  #previous: { readonly set: KeySet; readonly retiredAt: number } | null = null;
  #generation = 0;
  #lastSuccessAt: number | null = null;
  #lastUnknownKidFetchAt = Number.NEGATIVE_INFINITY;
  #nextAttemptAt: number;
  #consecutiveFailures = 0;
  #running: RunningFetch | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #failingClosedLogged = false;
  #resolveReady!: () => void;
  readonly #readyPromise = new Promise<void>((resolve) => (this.#resolveReady = resolve));

  constructor(options: JwksCacheOptions) {
    this.#url = options.url;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#maxStalenessMs = options.maxStalenessMs ?? DEFAULTS.maxStalenessMs;
    // A set refreshed only every five minutes cannot stay within a shorter staleness limit.
    this.#refreshIntervalMs = Math.min(
      options.refreshIntervalMs ?? DEFAULTS.refreshIntervalMs,
      this.#maxStalenessMs / 2,
    );
    this.#cooldownMs = options.cooldownMs ?? DEFAULTS.cooldownMs;
    this.#retryIntervalMs = options.retryIntervalMs ?? DEFAULTS.retryIntervalMs;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#retentionMs = options.previousRetentionMs ?? this.#refreshIntervalMs;
    this.#maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
    this.#nextAttemptAt = this.#clock();
    void this.#start('initial').catch(() => undefined);
  }

  /** True once a key set is loaded and not past the maximum staleness. */
  get isReady(): boolean {
    return this.#current !== null && !this.#isStale(this.#clock());
  }

  /** Resolves after the first successful load. */
  ready(): Promise<void> {
    return this.#readyPromise;
  }

  /**
   * The keys that may verify a token with this header: the current set's matches, else the retained previous
   * set's. Throws AuthError ERR_AUTH_UNKNOWN_KID or ERR_AUTH_UNAVAILABLE.
   */
  async keysFor(header: JWSHeaderParameters): Promise<CryptoKey[]> {
    const now = this.#clock();
    if (this.#current === null || this.#isStale(now)) {
      // Nothing usable: wait for the fetch that is running or due (one deadline at most), then decide.
      if (this.#running === null && !this.#closed && now >= this.#nextAttemptAt)
        void this.#start(this.#current === null ? 'initial' : 'stale').catch(() => undefined);
      if (this.#running !== null) await this.#running.done;
    } else {
      this.#refreshIfDue(now);
    }
    this.assertUsable();
    const found = await this.#lookup(header);
    if (found.length > 0) return found;

    // A kid no set knows: perhaps just published. Wait for the fetch in flight, or start one if permitted.
    if (this.#running !== null) {
      await this.#running.done;
    } else if (!this.#closed && this.#clock() - this.#lastUnknownKidFetchAt >= this.#cooldownMs) {
      this.#lastUnknownKidFetchAt = this.#clock();
      await this.#start('unknown_kid').catch(() => undefined);
    } else {
      throw unknownKid(header);
    }
    this.assertUsable();
    const afterFetch = await this.#lookup(header);
    if (afterFetch.length > 0) return afterFetch;
    throw unknownKid(header);
  }

  /** Throws ERR_AUTH_UNAVAILABLE when no key set may be used (not loaded yet, or past the maximum staleness). */
  assertUsable(): void {
    const now = this.#clock();
    if (this.#current === null) throw this.#unavailable('JWKS not loaded yet');
    if (this.#isStale(now)) {
      if (!this.#failingClosedLogged) {
        this.#failingClosedLogged = true;
        this.#logger?.error(
          {
            event: 'jwks.failing_closed',
            url: this.#url,
            last_success_at: new Date(this.#lastSuccessAt!).toISOString(),
            max_staleness_seconds: this.#maxStalenessMs / 1000,
          },
          'JWKS not refreshed within the maximum staleness: authentication is FAILING CLOSED (503) until a fetch succeeds',
        );
      }
      throw this.#unavailable(`JWKS older than the maximum staleness (${this.#maxStalenessMs / 1000} s)`);
    }
  }

  /** Changes whenever the usable keys change, so verified-token caches can tell their entries are outdated. */
  generation(): number {
    this.#expirePrevious(this.#clock());
    return this.#generation;
  }

  /**
   * Fetch now (operator's manual refresh); a fetch still running is aborted rather than waited for. On success
   * the previous set is dropped. Throws ERR_AUTH_UNAVAILABLE.
   */
  async refresh(): Promise<void> {
    const stuck = this.#running;
    if (stuck !== null) {
      stuck.controller.abort(new SupersededError('superseded by a manual refresh'));
      await stuck.done;
    }
    await this.#start('manual', true);
  }

  /** Resolves when no fetch is in flight (tests, orderly shutdown). */
  async settled(): Promise<void> {
    while (this.#running !== null) await this.#running.done;
  }

  status(): JwksStatus {
    const now = this.#clock();
    this.#expirePrevious(now);
    return {
      ready: this.#current !== null && !this.#isStale(now),
      stale: this.#isStale(now),
      lastSuccessAt: this.#lastSuccessAt,
      consecutiveFailures: this.#consecutiveFailures,
      currentKids: this.#current?.kids ?? [],
      previousKids: this.#previous?.set.kids ?? [],
    };
  }

  /** Stops the timer and aborts a running fetch, so a hanging endpoint cannot hold up shutdown. */
  close(): void {
    this.#closed = true;
    this.#running?.controller.abort(new JwksFetchError('JWKS cache closed'));
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #isStale(now: number): boolean {
    return this.#lastSuccessAt !== null && now - this.#lastSuccessAt > this.#maxStalenessMs;
  }

  #unavailable(message: string, cause?: unknown): AuthError {
    const retryAfterSeconds = Math.max(1, Math.ceil((this.#nextAttemptAt - this.#clock()) / 1000));
    return new AuthError('ERR_AUTH_UNAVAILABLE', message, { cause, retryAfterSeconds });
  }

  async #lookup(header: JWSHeaderParameters): Promise<CryptoKey[]> {
    this.#expirePrevious(this.#clock());
    const fromCurrent = await matching(this.#current!, header);
    if (fromCurrent.length > 0 || this.#previous === null) return fromCurrent;
    return matching(this.#previous.set, header);
  }

  #expirePrevious(now: number): void {
    if (this.#previous !== null && now >= this.#previous.retiredAt + this.#retentionMs) {
      this.#previous = null;
      this.#generation += 1;
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, this.#nextAttemptAt - this.#clock()));
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = null;
    // A fetch in flight reschedules when it settles.
    if (this.#running !== null) return;
    if (this.#clock() >= this.#nextAttemptAt) void this.#start('scheduled').catch(() => undefined);
    else this.#schedule();
  }

  /** Starts a background fetch when one is due by the clock (covers delayed timers and injected clocks). */
  #refreshIfDue(now: number): void {
    if (this.#running === null && !this.#closed && now >= this.#nextAttemptAt)
      void this.#start('scheduled').catch(() => undefined);
  }

  /** One fetch, its outcome applied to the cache; rejects with ERR_AUTH_UNAVAILABLE when it failed. */
  #start(trigger: FetchTrigger, replace = false): Promise<void> {
    const controller = new AbortController();
    const run = (async () => {
      try {
        const set = await this.#load(controller);
        this.#accept(set, trigger, replace);
      } catch (error) {
        if (controller.signal.reason instanceof SupersededError)
          throw this.#unavailable('JWKS fetch superseded', error);
        if (this.#closed) throw this.#unavailable('JWKS cache closed', error);
        this.#fail(error, trigger);
        throw this.#unavailable('JWKS fetch failed', error);
      } finally {
        if (this.#running?.controller === controller) this.#running = null;
        this.#schedule();
      }
    })();
    this.#running = { controller, done: run.catch(() => undefined) };
    return run;
  }

  #accept(set: KeySet, trigger: FetchTrigger, replace: boolean): void {
    const now = this.#clock();
    this.#lastSuccessAt = now;
    this.#consecutiveFailures = 0;
    this.#nextAttemptAt = now + this.#refreshIntervalMs;
    this.#metrics?.jwksLastSuccessTimestamp.set(now / 1000);
    if (this.#failingClosedLogged)
      this.#logger?.info({ event: 'jwks.recovered', trigger }, 'JWKS fetched again: authentication is available');
    this.#failingClosedLogged = false;
    const current = this.#current;
    if (current === null || replace || set.fingerprint !== current.fingerprint) {
      this.#previous = replace || current === null ? null : { set: current, retiredAt: now };
      this.#current = set;
      this.#generation += 1;
      this.#logger?.info(
        { event: 'jwks.updated', trigger, kids: set.kids, retained_kids: this.#previous?.set.kids ?? [] },
        'JWKS key set updated',
      );
    }
    this.#resolveReady();
  }

  #fail(error: unknown, trigger: FetchTrigger): void {
    const now = this.#clock();
    this.#consecutiveFailures += 1;
    this.#nextAttemptAt =
      now +
      (this.#lastSuccessAt === null
        ? Math.min(this.#retryIntervalMs, DEFAULTS.firstRetryMs * 2 ** (this.#consecutiveFailures - 1))
        : this.#retryIntervalMs);
    this.#metrics?.jwksRefreshFailuresTotal.inc();
    this.#metrics?.authFailuresTotal.inc({ reason: 'jwks_unavailable' });
    const detail = {
      event: 'jwks.refresh_failed',
      trigger,
      url: this.#url,
      error: describe(error),
      consecutive_failures: this.#consecutiveFailures,
      last_success_at: this.#lastSuccessAt === null ? null : new Date(this.#lastSuccessAt).toISOString(),
    };
    if (this.#isStale(now)) {
      this.#logger?.error(
        { ...detail, max_staleness_seconds: this.#maxStalenessMs / 1000 },
        'JWKS not refreshed within the maximum staleness: authentication is FAILING CLOSED (503) until a fetch succeeds',
      );
    } else {
      this.#logger?.warn(
        detail,
        this.#lastSuccessAt === null
          ? 'JWKS first load failed; not ready'
          : 'JWKS refresh failed; cached keys stay in use',
      );
    }
  }

  /** Fetch, read at most maxBytes, parse: all under one deadline whose timer this call owns and clears. */
  async #load(controller: AbortController): Promise<KeySet> {
    const deadline = setTimeout(
      () => controller.abort(new JwksFetchError(`JWKS fetch took longer than ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    );
    try {
      // redirect 'error': a redirect could leave https (config only vouches for the configured URL).
      const response = await this.#fetch(this.#url, {
        signal: controller.signal,
        redirect: 'error',
        headers: { accept: 'application/jwk-set+json, application/json' },
      });
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw new JwksFetchError(`JWKS endpoint answered HTTP ${response.status}`);
      }
      const text = await this.#readBody(response, controller.signal);
      return parseKeySet(text);
    } catch (error) {
      // Report the deadline or the manual refresh, not undici's generic AbortError.
      if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  }

  async #readBody(response: Response, signal: AbortSignal): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? 'NaN');
    if (declared > this.#maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new JwksFetchError(`JWKS document of ${declared} bytes exceeds ${this.#maxBytes}`);
    }
    if (response.body === null) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        signal.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.#maxBytes) throw new JwksFetchError(`JWKS document exceeds ${this.#maxBytes} bytes`);
        chunks.push(value);
      }
    } finally {
      if (size > this.#maxBytes || signal.aborted) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

/** Kept for callers of the factory form. */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  return new JwksCache(options);
}

function unknownKid(header: JWSHeaderParameters): AuthError {
  return new AuthError(
    'ERR_AUTH_UNKNOWN_KID',
    `no JWKS key matches kid ${JSON.stringify(String(header.kid).slice(0, 64))} and alg ${JSON.stringify(String(header.alg).slice(0, 16))}`,
  );
}

function parseKeySet(text: string): KeySet {
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
  const fingerprint = keys
    .map((k) => JSON.stringify(k))
    .sort()
    .join('\n');
  return { resolve, kids, fingerprint };
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
