import pg from 'pg';
import type { VolatilityPoint } from '../core/market/volatility-surface.js';
import type { DocumentRecord, DocumentStore, ListOptions, PutIfAbsentResult } from './document-store.js';
import { MIGRATIONS } from './migrations.js';
import { SAME_POINT_TOLERANCE, replayChanges } from './volatility-point-store.js';
import type {
  SurfaceAsOf,
  SurfaceChange,
  SurfaceSnapshot,
  UpsertOptions,
  VolatilityPointStore,
} from './volatility-point-store.js';

/**
 * The shared store: PostgreSQL at OPE_DATABASE_URL, for any number of instances (docs/architecture.md, "The store").
 *  - Migrations run at start inside one transaction holding an advisory lock, so instances starting together
 *    apply each migration exactly once and none serves before the schema is complete.
 *  - An upsert locks the surface_head row (versions follow commit order) and sends NOTIFY ope_surface in the same
 *    transaction: PostgreSQL delivers it on commit, so a listener never hears of a change it cannot read yet.
 *  - A dedicated connection LISTENs and reconnects by itself after an outage.
 */

const CHANNEL = 'ope_surface';
/** Any constant works; this one spells "OPE migr" so it is recognisable in pg_locks. */
const MIGRATION_LOCK_KEY = 0x4f5045206d696772n;
const RECONNECT_DELAY_MS = 1000;

export interface PostgresStoreOptions {
  readonly url: string;
  /** Pool size; default 5. */
  readonly maxConnections?: number;
  /** A query (or waiting for a connection) that takes longer fails: the caller answers 503 rather than hang. Default 5000. */
  readonly queryTimeoutMs?: number;
  /** Errors the store recovers from on its own (a dropped idle connection, a failed LISTEN reconnect). */
  readonly onBackgroundError?: (error: Error) => void;
}

function pointOf(row: Record<string, unknown>): VolatilityPoint {
  return {
    strike: row['strike'] as number,
    maturity: row['maturity'] as number,
    volatility: row['volatility'] as number,
    timestamp: row['point_timestamp'] as number,
    source: row['source'] as string,
  };
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function recordOf(row: Record<string, unknown>): DocumentRecord {
  return {
    kind: row['kind'] as string,
    id: row['id'] as string,
    body: row['body'] as string,
    createdAt: iso(row['created_at']),
    expiresAt: row['expires_at'] === null ? null : iso(row['expires_at']),
  };
}

async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    // A connection that failed mid-transaction (a timeout, a dropped socket) is discarded, never reused.
    client.release(failure);
  }
}

/** Applies the missing migrations under a transaction-scoped advisory lock; returns the versions it applied. */
export async function migratePostgres(pool: pg.Pool): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.postgres);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}

export class PostgresStore {
  readonly points: VolatilityPointStore;
  readonly documents: DocumentStore;
  readonly pool: pg.Pool;

  private constructor(pool: pg.Pool, points: PostgresPointStore) {
    this.pool = pool;
    this.points = points;
    this.documents = new PostgresDocumentStore(pool);
  }

  /** Connects, migrates and starts listening; rejects (closing what it opened) when the database is unusable. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const timeout = options.queryTimeoutMs ?? 5000;
    const report = options.onBackgroundError ?? (() => {});
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 5,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      application_name: 'ope',
    });
    // An idle connection dropped by the server emits here; unhandled, it would end the process.
    pool.on('error', report);
    try {
      await migratePostgres(pool);
      const points = new PostgresPointStore(pool, options.url, timeout, report);
      await points.listen();
      return new PostgresStore(pool, points);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  }
}

class PostgresPointStore implements VolatilityPointStore {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #report: (error: Error) => void;
  readonly #listeners = new Set<(version: number) => void>();
  #listener: pg.Client | null = null;
  #reconnect: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(pool: pg.Pool, url: string, timeoutMs: number, report: (error: Error) => void) {
    this.#pool = pool;
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
  }

  async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: this.#timeoutMs,
      application_name: 'ope-listen',
    });
    const lost = (error?: Error): void => {
      if (this.#listener !== client) return;
      this.#listener = null;
      client.removeAllListeners('end');
      void client.end().catch(() => {});
      if (error !== undefined) this.#report(error);
      this.#scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      const version = Number(message.payload);
      if (!Number.isSafeInteger(version)) return;
      for (const listener of this.#listeners) listener(version);
    });
    this.#listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      lost(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnect !== null) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      if (this.#closed) return;
      // A failed attempt schedules the next one through `lost`.
      this.listen().catch(() => {});
    }, RECONNECT_DELAY_MS);
    this.#reconnect.unref();
  }

  async upsert(point: VolatilityPoint, options: UpsertOptions): Promise<SurfaceChange> {
    const changedAt = options.now.toISOString();
    const version = await inTransaction(this.#pool, async (client) => {
      const head = await client.query<{ version: string }>(
        'UPDATE surface_head SET version = version + 1 WHERE id = 1 RETURNING version',
      );
      const next = Number(head.rows[0]?.version);
      await client.query(
        'INSERT INTO volatility_changes (version, strike, maturity, volatility, point_timestamp, source, subject, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [
          next,
          point.strike,
          point.maturity,
          point.volatility,
          point.timestamp,
          point.source,
          options.subject,
          changedAt,
        ],
      );
      await client.query('DELETE FROM volatility_points WHERE abs(strike - $1) <= $3 AND abs(maturity - $2) <= $3', [
        point.strike,
        point.maturity,
        SAME_POINT_TOLERANCE,
      ]);
      await client.query(
        'INSERT INTO volatility_points (strike, maturity, volatility, point_timestamp, source, version) VALUES ($1, $2, $3, $4, $5, $6)',
        [point.strike, point.maturity, point.volatility, point.timestamp, point.source, next],
      );
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, String(next)]);
      return next;
    });
    return { version, changedAt, subject: options.subject, point: { ...point } };
  }

  async current(): Promise<SurfaceSnapshot> {
    // REPEATABLE READ: the points and the head version come from one snapshot.
    return inTransaction(
      this.#pool,
      async (client) => {
        const head = await client.query<{ version: string; changed_at: Date | null }>(
          'SELECT h.version, c.changed_at FROM surface_head h LEFT JOIN volatility_changes c ON c.version = h.version WHERE h.id = 1',
        );
        const points = await client.query(
          'SELECT strike, maturity, volatility, point_timestamp, source FROM volatility_points ORDER BY version',
        );
        const row = head.rows[0];
        const changedAt = row?.changed_at === null || row?.changed_at === undefined ? null : iso(row.changed_at);
        return { version: Number(row?.version ?? 0), changedAt, points: points.rows.map(pointOf) };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async headVersion(): Promise<number> {
    const result = await this.#pool.query<{ version: string }>('SELECT version FROM surface_head WHERE id = 1');
    return Number(result.rows[0]?.version ?? 0);
  }

  async asOf(asOf: SurfaceAsOf): Promise<SurfaceSnapshot | null> {
    const head = await this.headVersion();
    const version =
      'version' in asOf
        ? asOf.version
        : Number(
            (
              await this.#pool.query<{ v: string }>(
                'SELECT coalesce(max(version), 0) AS v FROM volatility_changes WHERE changed_at <= $1',
                [asOf.time],
              )
            ).rows[0]?.v,
          );
    if (version > head) return null;
    const rows = await this.#pool.query(
      'SELECT strike, maturity, volatility, point_timestamp, source, changed_at FROM volatility_changes WHERE version <= $1 ORDER BY version',
      [version],
    );
    const last = rows.rows.at(-1);
    return {
      version,
      changedAt: last === undefined ? null : iso(last['changed_at']),
      points: replayChanges(rows.rows.map(pointOf)),
    };
  }

  onChange(listener: (version: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#reconnect !== null) clearTimeout(this.#reconnect);
    const listener = this.#listener;
    this.#listener = null;
    if (listener !== null) await listener.end().catch(() => {});
    await this.#pool.end();
  }
}

class PostgresDocumentStore implements DocumentStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async putIfAbsent(
    kind: string,
    id: string,
    body: string,
    options: { readonly now: Date; readonly expiresAt: Date | null },
  ): Promise<PutIfAbsentResult> {
    // Inserts, or replaces a record that has expired; an unexpired one makes the statement return no row.
    // Concurrent callers serialise on the primary key, so exactly one of them sees its row come back.
    for (;;) {
      const written = await this.#pool.query(
        `INSERT INTO documents AS d (kind, id, body, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at
           WHERE d.expires_at IS NOT NULL AND d.expires_at <= $4
         RETURNING kind, id, body, created_at, expires_at`,
        [kind, id, body, options.now, options.expiresAt],
      );
      const row = written.rows[0];
      if (row !== undefined) return { record: recordOf(row), inserted: true };
      const existing = await this.get(kind, id, options.now);
      if (existing !== null) return { record: existing, inserted: false };
      // The holder expired or was deleted between the two statements: try again.
    }
  }

  async get(kind: string, id: string, now: Date): Promise<DocumentRecord | null> {
    const result = await this.#pool.query(
      'SELECT kind, id, body, created_at, expires_at FROM documents WHERE kind = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3)',
      [kind, id, now],
    );
    const row = result.rows[0];
    return row === undefined ? null : recordOf(row);
  }

  async list(kind: string, options: ListOptions): Promise<DocumentRecord[]> {
    const result = await this.#pool.query(
      'SELECT kind, id, body, created_at, expires_at FROM documents WHERE kind = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at DESC, id COLLATE "C" ASC LIMIT $3',
      [kind, options.now, Math.max(0, options.limit)],
    );
    return result.rows.map(recordOf);
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    const result = await this.#pool.query(
      'DELETE FROM documents WHERE (kind, id) IN (SELECT kind, id FROM documents WHERE expires_at IS NOT NULL AND expires_at <= $1 LIMIT $2)',
      [now, Math.max(0, limit)],
    );
    return result.rowCount ?? 0;
  }
}
