import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
 * The embedded store: one SQLite file (OPE_DATA_DIR/ope.sqlite) through Node's built-in node:sqlite, chosen by
 * measurement (docs/architecture.md, "The store"). Write-ahead log with synchronous=FULL: a transaction that
 * returned is on disk, so a 201 survives kill -9 and power loss. One instance only: nothing tells a second
 * process about changes except the periodic version probe, and a Kubernetes volume for it is ReadWriteOnce.
 *
 * node:sqlite is synchronous; each statement here takes microseconds (reads) to an fsync (commits), so the
 * methods run it inline and return settled promises. Pricing never calls the store (it reads memory).
 */

export const SQLITE_FILE_NAME = 'ope.sqlite';

type Row = Record<string, unknown>;

interface PointRow {
  strike: number;
  maturity: number;
  volatility: number;
  point_timestamp: number;
  source: string;
}

function pointOf(row: Row): VolatilityPoint {
  const r = row as unknown as PointRow;
  return {
    strike: r.strike,
    maturity: r.maturity,
    volatility: r.volatility,
    timestamp: r.point_timestamp,
    source: r.source,
  };
}

function recordOf(row: Row): DocumentRecord {
  return {
    kind: row['kind'] as string,
    id: row['id'] as string,
    body: row['body'] as string,
    createdAt: row['created_at'] as string,
    expiresAt: (row['expires_at'] as string | null) ?? null,
  };
}

function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export class SqliteStore {
  readonly path: string;
  readonly points: VolatilityPointStore;
  readonly documents: DocumentStore;
  readonly #db: DatabaseSync;

  /** Opens (creating the directory and file when absent) and migrates. `dataDir` ':memory:' keeps it in memory (tests). */
  constructor(dataDir: string) {
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true });
    this.path = dataDir === ':memory:' ? ':memory:' : join(dataDir, SQLITE_FILE_NAME);
    this.#db = new DatabaseSync(this.path);
    // busy_timeout first: switching to WAL takes a lock that another process opening the file may hold for a moment.
    this.#db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    this.#migrate();
    this.points = new SqlitePointStore(this.#db, () => this.close());
    this.documents = new SqliteDocumentStore(this.#db);
  }

  #migrate(): void {
    transaction(this.#db, () => {
      this.#db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const applied = new Set(
        this.#db
          .prepare('SELECT version FROM schema_migrations')
          .all()
          .map((r) => Number(r['version'])),
      );
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        this.#db.exec(migration.sqlite);
        this.#db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, new Date().toISOString());
      }
    });
  }

  /** Copies the live database into `file` (a consistent snapshot while the service runs): the backup of docs/RUNBOOK.md. */
  backup(file: string): void {
    this.#db.prepare('VACUUM INTO ?').run(file);
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}

/** BEGIN IMMEDIATE takes the write lock up front, so the read-then-write inside cannot interleave with another writer. */
function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

class SqlitePointStore implements VolatilityPointStore {
  readonly kind = 'sqlite';
  readonly #db: DatabaseSync;
  readonly #close: () => Promise<void>;
  readonly #listeners = new Set<(version: number) => void>();

  constructor(db: DatabaseSync, close: () => Promise<void>) {
    this.#db = db;
    this.#close = close;
  }

  upsert(point: VolatilityPoint, options: UpsertOptions): Promise<SurfaceChange> {
    return settle(() => {
      const changedAt = options.now.toISOString();
      const version = transaction(this.#db, () => {
        const head = this.#db
          .prepare('UPDATE surface_head SET version = version + 1 WHERE id = 1 RETURNING version')
          .get();
        const next = Number(head?.['version']);
        this.#db
          .prepare(
            'INSERT INTO volatility_changes (version, strike, maturity, volatility, point_timestamp, source, subject, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            next,
            point.strike,
            point.maturity,
            point.volatility,
            point.timestamp,
            point.source,
            options.subject,
            changedAt,
          );
        this.#db
          .prepare('DELETE FROM volatility_points WHERE abs(strike - ?) <= ? AND abs(maturity - ?) <= ?')
          .run(point.strike, SAME_POINT_TOLERANCE, point.maturity, SAME_POINT_TOLERANCE);
        this.#db
          .prepare(
            'INSERT INTO volatility_points (strike, maturity, volatility, point_timestamp, source, version) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(point.strike, point.maturity, point.volatility, point.timestamp, point.source, next);
        return next;
      });
      for (const listener of this.#listeners) listener(version);
      return { version, changedAt, subject: options.subject, point: { ...point } };
    });
  }

  current(): Promise<SurfaceSnapshot> {
    return settle(() => {
      // One read transaction: the points and the version they belong to come from the same snapshot.
      this.#db.exec('BEGIN');
      try {
        const version = this.#head();
        const points = this.#db
          .prepare(
            'SELECT strike, maturity, volatility, point_timestamp, source FROM volatility_points ORDER BY version',
          )
          .all()
          .map(pointOf);
        return { version, changedAt: this.#changedAt(version), points };
      } finally {
        this.#db.exec('COMMIT');
      }
    });
  }

  headVersion(): Promise<number> {
    return settle(() => this.#head());
  }

  asOf(asOf: SurfaceAsOf): Promise<SurfaceSnapshot | null> {
    return settle(() => {
      const head = this.#head();
      const version =
        'version' in asOf
          ? asOf.version
          : Number(
              this.#db
                .prepare('SELECT coalesce(max(version), 0) AS v FROM volatility_changes WHERE changed_at <= ?')
                .get(asOf.time.toISOString())?.['v'],
            );
      if (version > head) return null;
      const changes = this.#db
        .prepare(
          'SELECT strike, maturity, volatility, point_timestamp, source FROM volatility_changes WHERE version <= ? ORDER BY version',
        )
        .all(version)
        .map(pointOf);
      return { version, changedAt: this.#changedAt(version), points: replayChanges(changes) };
    });
  }

  onChange(listener: (version: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return this.#close();
  }

  #head(): number {
    return Number(this.#db.prepare('SELECT version FROM surface_head WHERE id = 1').get()?.['version']);
  }

  #changedAt(version: number): string | null {
    if (version === 0) return null;
    const row = this.#db.prepare('SELECT changed_at FROM volatility_changes WHERE version = ?').get(version);
    return (row?.['changed_at'] as string | undefined) ?? null;
  }
}

class SqliteDocumentStore implements DocumentStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  putIfAbsent(
    kind: string,
    id: string,
    body: string,
    options: { readonly now: Date; readonly expiresAt: Date | null },
  ): Promise<PutIfAbsentResult> {
    return settle(() =>
      transaction(this.#db, () => {
        const now = options.now.toISOString();
        const existing = this.#db
          .prepare(
            'SELECT kind, id, body, created_at, expires_at FROM documents WHERE kind = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)',
          )
          .get(kind, id, now);
        if (existing !== undefined) return { record: recordOf(existing), inserted: false };
        const record: DocumentRecord = {
          kind,
          id,
          body,
          createdAt: now,
          expiresAt: options.expiresAt === null ? null : options.expiresAt.toISOString(),
        };
        this.#db
          .prepare('INSERT OR REPLACE INTO documents (kind, id, body, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
          .run(kind, id, body, record.createdAt, record.expiresAt);
        return { record, inserted: true };
      }),
    );
  }

  get(kind: string, id: string, now: Date): Promise<DocumentRecord | null> {
    return settle(() => {
      const row = this.#db
        .prepare(
          'SELECT kind, id, body, created_at, expires_at FROM documents WHERE kind = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)',
        )
        .get(kind, id, now.toISOString());
      return row === undefined ? null : recordOf(row);
    });
  }

  list(kind: string, options: ListOptions): Promise<DocumentRecord[]> {
    return settle(() =>
      this.#db
        .prepare(
          'SELECT kind, id, body, created_at, expires_at FROM documents WHERE kind = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, id ASC LIMIT ?',
        )
        .all(kind, options.now.toISOString(), Math.max(0, options.limit))
        .map(recordOf),
    );
  }

  deleteExpired(now: Date, limit: number): Promise<number> {
    return settle(() => {
      const result = this.#db
        .prepare(
          'DELETE FROM documents WHERE rowid IN (SELECT rowid FROM documents WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)',
        )
        .run(now.toISOString(), Math.max(0, limit));
      return Number(result.changes);
    });
  }
}
