import { VolatilitySurface, type VolatilityPoint } from '../core/market/volatility-surface.js';
import { AppError } from './errors.js';
import type { Metrics } from '../observability/metrics.js';
import { MemoryVolatilityPointStore } from '../store/volatility-point-store.js';
import type {
  SurfaceAsOf,
  SurfaceChange,
  SurfaceSnapshot,
  VolatilityPointStore,
} from '../store/volatility-point-store.js';
import type { VolatilityProvider } from './volatility-provider.js';

/**
 * The process's volatility surface: an in-memory copy of the store's current surface (docs/architecture.md,
 * "The store"). Pricing reads the copy and never waits on the database. The copy is rebuilt once per version
 * change, in one assignment, so a request reads one whole version. It follows the store through
 *  - the store's change notifications (PostgreSQL LISTEN/NOTIFY: another instance's upsert arrives in milliseconds);
 *  - a probe of the head version every `refreshIntervalMs` (catches a missed notification, and measures freshness).
 * While the store cannot be reached the last loaded surface keeps serving until it is `maxStalenessSeconds` old;
 * after that a request that needs it gets 503 ERR_SURFACE_STALE. Writes go to the store first and answer 201 only
 * once committed; a write the store refused answers 503 ERR_STORE_UNAVAILABLE.
 */

const RETRY_AFTER_SECONDS = '5';

export interface SurfaceLogger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

export interface VolatilitySurfaceStoreOptions {
  /** Default: a new in-memory store (nothing survives the process). */
  readonly store?: VolatilityPointStore;
  /** OPE_SURFACE_MAX_STALENESS_SECONDS; default 300. */
  readonly maxStalenessSeconds?: number;
  /** How often the head version is probed once started; default 1000. */
  readonly refreshIntervalMs?: number;
  readonly metrics?: Pick<Metrics, 'storeErrorsTotal' | 'surfaceVersion' | 'surfaceAgeSeconds'>;
  readonly logger?: SurfaceLogger;
  /** Milliseconds since the epoch; injectable for staleness tests. */
  readonly clock?: () => number;
  /** The surface's point cap (OPE_VOLATILITY_MAX_POINTS); default unbounded. */
  readonly maxPoints?: number;
}

export class VolatilitySurfaceStore implements VolatilityProvider {
  readonly #store: VolatilityPointStore;
  readonly #maxStalenessMs: number;
  readonly #refreshIntervalMs: number;
  readonly #metrics: VolatilitySurfaceStoreOptions['metrics'];
  readonly #logger: SurfaceLogger | undefined;
  readonly #clock: () => number;
  readonly #surfaceOptions: { readonly maxPoints?: number };
  #surface: VolatilitySurface;
  #version = 0;
  #changedAt: string | null = null;
  #confirmedAt: number;
  /** Staleness is judged only once start() has loaded from the store and the probe keeps the copy fresh. */
  #started = false;
  #failing = false;
  /** A probe still waiting on a hung store: the next tick skips rather than piling up connections. */
  #probing = false;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #loading: Promise<void> = Promise.resolve();

  constructor(options: VolatilitySurfaceStoreOptions = {}) {
    this.#store = options.store ?? new MemoryVolatilityPointStore();
    this.#maxStalenessMs = (options.maxStalenessSeconds ?? 300) * 1000;
    this.#refreshIntervalMs = options.refreshIntervalMs ?? 1000;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.#confirmedAt = this.#clock();
    this.#surfaceOptions = options.maxPoints === undefined ? {} : { maxPoints: options.maxPoints };
    this.#surface = new VolatilitySurface([], this.#surfaceOptions);
  }

  get maxPoints(): number {
    return this.#surface.maxPoints;
  }

  /** Loads the current surface (rejecting when the store cannot be read), then follows the store's changes. */
  async start(): Promise<void> {
    await this.#load();
    this.#started = true;
    this.#unsubscribe = this.#store.onChange((version) => {
      if (version > this.#version) void this.#refreshQuietly('notify');
    });
    this.#timer = setInterval(() => void this.#refreshQuietly('probe'), this.#refreshIntervalMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#loading.catch(() => {});
  }

  get points(): readonly VolatilityPoint[] {
    return this.#surface.points;
  }

  /** The version the in-memory surface holds (0: empty, before the first change). */
  get version(): number {
    return this.#version;
  }

  get changedAt(): string | null {
    return this.#changedAt;
  }

  /** Seconds since the store last confirmed this copy is current. */
  ageSeconds(): number {
    return Math.max(0, this.#clock() - this.#confirmedAt) / 1000;
  }

  /** Throws 503 ERR_SURFACE_STALE when the copy is older than allowed; pricing calls it before reading. */
  requireFresh(): void {
    if (this.#started && this.#clock() - this.#confirmedAt > this.#maxStalenessMs) {
      throw new AppError('ERR_SURFACE_STALE', {
        detail: `Volatility surface is stale: the store has not confirmed version ${this.#version} for ${Math.round(this.ageSeconds())} s`,
        headers: { 'Retry-After': RETRY_AFTER_SECONDS },
      });
    }
  }

  /**
   * Validates the point against the surface (the core's rules: CoreError naming the field), commits it to the
   * store, and only then applies it here. Rejects with 503 ERR_STORE_UNAVAILABLE when the store did not commit.
   */
  async upsert(
    point: VolatilityPoint,
    options: { readonly subject: string | null; readonly now?: Date },
  ): Promise<SurfaceChange> {
    this.#surface.upsert(point);
    let change: SurfaceChange;
    try {
      change = await this.#store.upsert(point, {
        subject: options.subject,
        now: options.now ?? new Date(this.#clock()),
      });
    } catch (error) {
      this.#metrics?.storeErrorsTotal.inc({ operation: 'upsert' });
      this.#logger?.warn(
        { event: 'store.upsert_failed', err: error },
        'volatility point not written: the store refused the write',
      );
      throw new AppError('ERR_STORE_UNAVAILABLE', { headers: { 'Retry-After': RETRY_AFTER_SECONDS }, cause: error });
    }
    if (change.version === this.#version + 1) {
      this.#apply(this.#surface.upsert(change.point), change.version, change.changedAt);
    } else if (change.version > this.#version) {
      // Another instance committed in between: take the whole surface rather than guess.
      await this.#refreshQuietly('upsert');
    }
    return change;
  }

  /** The surface as it was at a version or instant (null: a version beyond the head). */
  async asOf(asOf: SurfaceAsOf): Promise<SurfaceSnapshot | null> {
    try {
      return await this.#store.asOf(asOf);
    } catch (error) {
      this.#metrics?.storeErrorsTotal.inc({ operation: 'as_of' });
      throw new AppError('ERR_STORE_UNAVAILABLE', { headers: { 'Retry-After': RETRY_AFTER_SECONDS }, cause: error });
    }
  }

  /** Spot only scales the strike distances of the inverse-distance fallback (docs/api.md, "Volatility surface"). */
  estimate(strike: number, maturity: number, spot?: number): number {
    this.requireFresh();
    return this.#surface.estimate(strike, maturity, spot).volatility;
  }

  #apply(surface: VolatilitySurface, version: number, changedAt: string | null): void {
    this.#surface = surface;
    this.#version = version;
    this.#changedAt = changedAt;
    this.#confirm();
    this.#metrics?.surfaceVersion.set(version);
  }

  #confirm(): void {
    this.#confirmedAt = this.#clock();
    this.#metrics?.surfaceAgeSeconds.set(0);
    if (this.#failing) {
      this.#failing = false;
      this.#logger?.info(
        { event: 'store.recovered', version: this.#version },
        'volatility surface store reachable again',
      );
    }
  }

  /** Loads the whole current surface when the store is ahead; serialised so two loads never race. */
  #load(): Promise<void> {
    const next = this.#loading.then(async () => {
      const snapshot = await this.#store.current();
      if (snapshot.version > this.#version || (snapshot.version === this.#version && this.#version === 0)) {
        this.#apply(new VolatilitySurface(snapshot.points, this.#surfaceOptions), snapshot.version, snapshot.changedAt);
      } else {
        this.#confirm();
      }
    });
    this.#loading = next.catch(() => {});
    return next;
  }

  async #refreshQuietly(operation: 'notify' | 'probe' | 'upsert'): Promise<void> {
    if (operation === 'probe') {
      if (this.#probing) {
        this.#metrics?.surfaceAgeSeconds.set(this.ageSeconds());
        return;
      }
      this.#probing = true;
    }
    try {
      if (operation === 'probe') {
        const head = await this.#store.headVersion();
        if (head <= this.#version) {
          this.#confirm();
          return;
        }
      }
      await this.#load();
    } catch (error) {
      this.#metrics?.storeErrorsTotal.inc({ operation: operation === 'probe' ? 'probe' : 'load' });
      this.#metrics?.surfaceAgeSeconds.set(this.ageSeconds());
      if (!this.#failing) {
        this.#failing = true;
        this.#logger?.warn(
          { event: 'store.unreachable', err: error, version: this.#version },
          'volatility surface store unreachable: serving the last loaded surface',
        );
      }
    } finally {
      if (operation === 'probe') this.#probing = false;
    }
  }
}
