import type { VolatilityPoint } from '../core/market/volatility-surface.js';

/**
 * Where the volatility surface's points live, with their history (docs/architecture.md, "The store").
 *
 * Every upsert is one change: it gets the next surface version (1, 2, 3, ... in commit order, never reused),
 * the time it was committed and the token subject that made it. The current surface and the surface as of any
 * earlier version or instant are both derived from the same append-only history, so a desk can reproduce
 * yesterday's prices. Upsert replaces the point at the same (strike, maturity) within SAME_POINT_TOLERANCE, the
 * rule the v1 API has always had.
 */

/** Two points closer than this in both strike and maturity are the same point (the v1 API's rule). */
export const SAME_POINT_TOLERANCE = 1e-9;

export interface SurfaceChange {
  readonly version: number;
  /** ISO 8601, UTC, milliseconds: when the change was committed. */
  readonly changedAt: string;
  /** The `sub` of the token that made the change; null when no token was involved (a script, a test). */
  readonly subject: string | null;
  readonly point: VolatilityPoint;
}

export interface SurfaceSnapshot {
  /** 0 for the empty surface before the first change. */
  readonly version: number;
  /** When `version` was committed; null for version 0. */
  readonly changedAt: string | null;
  readonly points: readonly VolatilityPoint[];
}

export interface UpsertOptions {
  readonly subject: string | null;
  readonly now: Date;
}

/** What `as_of` names: a version, or an instant (the last version committed at or before it). */
export type SurfaceAsOf = { readonly version: number } | { readonly time: Date };

export interface VolatilityPointStore {
  /** Short name for logs and metrics: memory, sqlite, postgres. */
  readonly kind: string;
  /** Resolves once the change is committed (durable); rejects, writing nothing, when the store cannot commit. */
  upsert(point: VolatilityPoint, options: UpsertOptions): Promise<SurfaceChange>;
  /** The surface now. */
  current(): Promise<SurfaceSnapshot>;
  /** The latest committed version (cheap: the freshness probe). */
  headVersion(): Promise<number>;
  /** The surface as it was at `asOf`; a version beyond the head is answered with null. */
  asOf(asOf: SurfaceAsOf): Promise<SurfaceSnapshot | null>;
  /**
   * Calls `listener` with the new head version whenever another instance (or this one) commits a change, as fast
   * as the store can tell; a store shared by no one else may never call it. Returns the unsubscribe function.
   */
  onChange(listener: (version: number) => void): () => void;
  close(): Promise<void>;
}

export function samePoint(
  a: Pick<VolatilityPoint, 'strike' | 'maturity'>,
  b: Pick<VolatilityPoint, 'strike' | 'maturity'>,
): boolean {
  return (
    Math.abs(a.strike - b.strike) <= SAME_POINT_TOLERANCE && Math.abs(a.maturity - b.maturity) <= SAME_POINT_TOLERANCE
  );
}

/** Replays changes (in version order) into the points they leave: the meaning of "the surface as of version V". */
export function replayChanges(changes: Iterable<VolatilityPoint>): VolatilityPoint[] {
  let points: VolatilityPoint[] = [];
  for (const point of changes) {
    points = points.filter((p) => !samePoint(p, point));
    points.push(point);
  }
  return points;
}

/**
 * The store in process memory: the default of the HTTP app when no durable store is handed to it (unit tests),
 * and the reference the durable stores' contract tests agree with. Nothing survives the process.
 */
export class MemoryVolatilityPointStore implements VolatilityPointStore {
  readonly kind = 'memory';
  readonly #changes: SurfaceChange[] = [];
  #points: VolatilityPoint[] = [];
  readonly #listeners = new Set<(version: number) => void>();

  upsert(point: VolatilityPoint, options: UpsertOptions): Promise<SurfaceChange> {
    const change: SurfaceChange = {
      version: this.#changes.length + 1,
      changedAt: options.now.toISOString(),
      subject: options.subject,
      point: { ...point },
    };
    this.#changes.push(change);
    this.#points = [...this.#points.filter((p) => !samePoint(p, point)), change.point];
    for (const listener of this.#listeners) listener(change.version);
    return Promise.resolve(change);
  }

  current(): Promise<SurfaceSnapshot> {
    const last = this.#changes.at(-1);
    return Promise.resolve({
      version: last?.version ?? 0,
      changedAt: last?.changedAt ?? null,
      points: [...this.#points],
    });
  }

  headVersion(): Promise<number> {
    return Promise.resolve(this.#changes.length);
  }

  asOf(asOf: SurfaceAsOf): Promise<SurfaceSnapshot | null> {
    const upTo =
      'version' in asOf
        ? asOf.version > this.#changes.length
          ? null
          : asOf.version
        : this.#changes.reduce(
            (latest, c) => (Date.parse(c.changedAt) <= asOf.time.getTime() ? Math.max(latest, c.version) : latest),
            0,
          );
    if (upTo === null) return Promise.resolve(null);
    const changes = this.#changes.slice(0, upTo);
    const last = changes.at(-1);
    return Promise.resolve({
      version: upTo,
      changedAt: last?.changedAt ?? null,
      points: replayChanges(changes.map((c) => c.point)),
    });
  }

  onChange(listener: (version: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
