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
 * methods run it inline and return settled promises, except document puts, which are group-committed: every put
 * made before the event loop's next check phase goes into one transaction, one fsync (SqliteDocumentStore below).
 * Pricing never calls the store (it reads memory).
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
  readonly #documents: SqliteDocumentStore;

  /** Opens (creating the directory and file when absent) and migrates. `dataDir` ':memory:' keeps it in memory (tests). */
  constructor(dataDir: string) {
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true });
    this.path = dataDir === ':memory:' ? ':memory:' : join(dataDir, SQLITE_FILE_NAME);
    this.#db = new DatabaseSync(this.path);
    // busy_timeout first: switching to WAL takes a lock that another process opening the file may hold for a moment.
    this.#db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    this.#migrate();
    this.points = new SqlitePointStore(this.#db, () => this.close());
    this.#documents = new SqliteDocumentStore(this.#db);
    this.documents = this.#documents;
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
    this.#documents.flush();
    this.#db.prepare('VACUUM INTO ?').run(file);
  }

  /** Commits the puts still waiting for their group, then closes the file. */
  close(): Promise<void> {
    if (this.#db.isOpen) {
      this.#documents.flush();
      this.#db.close();
    }
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

interface PendingPut {
  readonly kind: string;
  readonly id: string;
  readonly body: string;
  readonly now: string;
  readonly expiresAt: string | null;
  readonly resolve: (result: PutIfAbsentResult) => void;
  readonly reject: (error: Error) => void;
}

const SELECT_LIVE_DOCUMENT =
  'SELECT kind, id, body, created_at, expires_at FROM documents WHERE kind = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Puts are group-committed. A commit costs an fsync (about 0.3-0.6 ms here) whether it carries one document or
 * fifty, and it blocks the event loop, so a capsule per quote committed alone made the fsync the quote route's
 * largest cost. A put is queued and answered only after the transaction holding it has committed: the promise
 * still means "durable", and a put answered before kill -9 is on disk after it (test/store/group-commit.test.ts).
 * The queue is flushed in the event loop's check phase (setImmediate), after the poll phase that read the requests,
 * so the puts of every request read in one turn share one commit; close() and backup() flush first.
 */
class SqliteDocumentStore implements DocumentStore {
  readonly #db: DatabaseSync;
  #pending: PendingPut[] = [];
  #flushScheduled = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  putIfAbsent(
    kind: string,
    id: string,
    body: string,
    options: { readonly now: Date; readonly expiresAt: Date | null },
  ): Promise<PutIfAbsentResult> {
    if (!this.#db.isOpen) return Promise.reject(new Error('the store is closed'));
    return new Promise<PutIfAbsentResult>((resolve, reject) => {
      this.#pending.push({
        kind,
        id,
        body,
        now: options.now.toISOString(),
        expiresAt: options.expiresAt === null ? null : options.expiresAt.toISOString(),
        resolve,
        reject,
      });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued put in one transaction, then settles their promises (synchronous: nothing interleaves). */
  flush(): void {
    this.#flushScheduled = false;
    const group = this.#pending;
    if (group.length === 0) return;
    this.#pending = [];
    if (!this.#db.isOpen) {
      for (const put of group) put.reject(new Error('the store is closed'));
      return;
    }
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const put of group) put.reject(asError(error));
      return;
    }
    // A put that fails alone (its statement is undone, the transaction goes on) fails only its own request; an
    // error that ends the transaction, or a failed COMMIT, fails the whole group, whose writes are then gone.
    const outcomes: (PutIfAbsentResult | Error)[] = [];
    let groupError: Error | null = null;
    for (const put of group) {
      try {
        outcomes.push(this.#put(put));
      } catch (error) {
        outcomes.push(asError(error));
        if (!this.#db.isTransaction) {
          groupError = asError(error);
          break;
        }
      }
    }
    try {
      if (groupError !== null) throw groupError;
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      for (const put of group) put.reject(asError(error));
      return;
    }
    for (let i = 0; i < group.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome instanceof Error) group[i]!.reject(outcome);
      else group[i]!.resolve(outcome);
    }
  }

  #put(put: PendingPut): PutIfAbsentResult {
    const existing = this.#db.prepare(SELECT_LIVE_DOCUMENT).get(put.kind, put.id, put.now);
    if (existing !== undefined) return { record: recordOf(existing), inserted: false };
    const record: DocumentRecord = {
      kind: put.kind,
      id: put.id,
      body: put.body,
      createdAt: put.now,
      expiresAt: put.expiresAt,
    };
    this.#db
      .prepare('INSERT OR REPLACE INTO documents (kind, id, body, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(put.kind, put.id, put.body, record.createdAt, record.expiresAt);
    return { record, inserted: true };
  }

  get(kind: string, id: string, now: Date): Promise<DocumentRecord | null> {
    return settle(() => {
      const row = this.#db.prepare(SELECT_LIVE_DOCUMENT).get(kind, id, now.toISOString());
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
