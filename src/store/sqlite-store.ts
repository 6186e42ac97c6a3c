import { mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { VolatilityPoint } from '../core/market/volatility-surface.js';
import type { DocumentRecord, DocumentStore, ListOptions, PutIfAbsentResult } from './document-store.js';
import { MIGRATIONS } from './migrations.js';
import {
  CONNECTION_PRAGMAS,
  SELECT_LIVE_DOCUMENT,
  commitGroup,
  recordOf,
  type PutOutcome,
  type PutRequest,
} from './sqlite-documents.js';
import type { WriterBatch, WriterDone } from './sqlite-writer-thread.js';
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
 * methods run it inline and return settled promises, except document puts, which are group-committed on a writer
 * thread with its own connection: puts made together share one transaction and one fsync, and the event loop never
 * waits for that fsync (SqliteDocumentStore below). Pricing never calls the store (it reads memory).
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

function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export interface SqliteStoreOptions {
  /** False: commit document puts on the calling thread (default true; ':memory:' always does). */
  readonly writerThread?: boolean;
  /** The writer thread's module (tests); default src/store/sqlite-writer-thread. */
  readonly writerThreadFile?: URL;
}

export class SqliteStore {
  readonly path: string;
  readonly points: VolatilityPointStore;
  readonly documents: DocumentStore;
  readonly #db: DatabaseSync;
  readonly #documents: SqliteDocumentStore;
  #closing: Promise<void> | undefined;

  /**
   * Opens (creating the directory and file when absent) and migrates. `dataDir` ':memory:' keeps it in memory
   * (tests). `writerThread: false` commits document puts on the calling thread (':memory:' always does: a second
   * connection would see another database).
   */
  constructor(dataDir: string, options: SqliteStoreOptions = {}) {
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true });
    this.path = dataDir === ':memory:' ? ':memory:' : join(dataDir, SQLITE_FILE_NAME);
    this.#db = new DatabaseSync(this.path);
    // busy_timeout first: switching to WAL takes a lock that another process opening the file may hold for a moment.
    this.#db.exec(CONNECTION_PRAGMAS);
    this.#migrate();
    this.points = new SqlitePointStore(this.#db, () => this.close());
    const threaded = dataDir !== ':memory:' && options.writerThread !== false;
    this.#documents = new SqliteDocumentStore(
      this.#db,
      threaded ? { path: this.path, file: options.writerThreadFile ?? writerThreadFile() } : null,
    );
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
    this.#db.prepare('VACUUM INTO ?').run(file);
  }

  /** Commits the puts still waiting for their group (and stops the writer thread), then closes the file. */
  async close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#documents.close();
      this.#db.close();
    })();
    return this.#closing;
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

interface PendingPut extends PutRequest {
  readonly resolve: (result: PutIfAbsentResult) => void;
  readonly reject: (error: Error) => void;
}

function settleAll(group: readonly PendingPut[], outcomes: readonly PutOutcome[]): void {
  for (let i = 0; i < group.length; i++) {
    const outcome = outcomes[i]!;
    if (outcome.ok) group[i]!.resolve(outcome.result);
    else group[i]!.reject(new Error(outcome.error));
  }
}

/** Same extension as this module: the .ts file under tsx (tests, npm start), the .js file in dist/. */
function writerThreadFile(): URL {
  const self = new URL(import.meta.url);
  return new URL(`./sqlite-writer-thread${extname(self.pathname)}`, self);
}

/**
 * The writer thread's handle (src/store/sqlite-writer-thread.ts). Referenced only while puts are in flight, so an
 * idle store never keeps a process alive. If the thread dies (or never starts), `usable` turns false and the puts
 * it held go to `orphaned`, which commits them on the calling thread: a put is put-if-absent, so one the thread had
 * committed before dying is found there (inserted: false) rather than written twice.
 */
class WriterThread {
  readonly #worker: Worker;
  readonly #inFlight = new Map<number, readonly PendingPut[]>();
  #seq = 0;
  #usable = true;
  #closed: Promise<void> | undefined;

  readonly #orphaned: (group: readonly PendingPut[]) => void;

  constructor(path: string, file: URL, orphaned: (group: readonly PendingPut[]) => void) {
    this.#orphaned = orphaned;
    this.#worker = new Worker(file, { workerData: { path } });
    this.#worker.unref();
    this.#worker.on('message', (message: WriterDone | 'closed') => {
      // 'closed' follows the outcomes of everything the thread was sent (one port, in order).
      if (message === 'closed') return void (this.#usable = false);
      const group = this.#inFlight.get(message.seq);
      if (group === undefined) return;
      this.#inFlight.delete(message.seq);
      if (this.#inFlight.size === 0) this.#worker.unref();
      settleAll(group, message.outcomes);
    });
    this.#worker.on('error', () => this.#fail());
    this.#worker.on('exit', () => this.#fail());
  }

  get usable(): boolean {
    return this.#usable;
  }

  send(group: readonly PendingPut[]): void {
    const seq = ++this.#seq;
    this.#inFlight.set(seq, group);
    if (this.#inFlight.size === 1) this.#worker.ref();
    const batch: WriterBatch = {
      seq,
      puts: group.map(({ kind, id, body, now, expiresAt }) => ({ kind, id, body, now, expiresAt })),
    };
    this.#worker.postMessage(batch);
  }

  /** Lets the thread commit what it was sent, then waits for it to end. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (!this.#usable) return resolve();
      this.#worker.ref();
      this.#worker.once('exit', () => resolve());
      this.#worker.postMessage('close');
    });
    return this.#closed;
  }

  #fail(): void {
    this.#usable = false;
    const groups = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const group of groups) this.#orphaned(group);
  }
}

/**
 * Puts are group-committed. A commit costs an fsync (about 0.3-0.6 ms on the benchmark machine) whether it carries
 * one document or fifty, and on the event loop it blocked every request: a capsule per quote committed alone made
 * the fsync the quote route's largest cost. A put is queued, and the queue is handed over in the event loop's check
 * phase (setImmediate), after the poll phase that read the requests, so the puts of every request read in one turn
 * travel together; the writer thread then commits, in one transaction, every group that reached it while its
 * previous commit ran. A put is answered only after the transaction holding it has committed: the promise still
 * means "durable", and a put answered before kill -9 is on disk after it (test/store/group-commit.test.ts).
 * Without the thread (':memory:', or when it died) the same group commit runs here, on the event loop.
 * Reads use the store's own connection: a committed put is visible to them before its promise resolves.
 */
class SqliteDocumentStore implements DocumentStore {
  readonly #db: DatabaseSync;
  readonly #writer: WriterThread | null;
  #pending: PendingPut[] = [];
  #flushScheduled = false;
  #closed = false;

  constructor(db: DatabaseSync, writer: { readonly path: string; readonly file: URL } | null) {
    this.#db = db;
    this.#writer =
      writer === null ? null : new WriterThread(writer.path, writer.file, (group) => this.#commitHere(group));
  }

  #commitHere(group: readonly PendingPut[]): void {
    if (this.#db.isOpen) settleAll(group, commitGroup(this.#db, group));
    else for (const put of group) put.reject(new Error('the store is closed'));
  }

  putIfAbsent(
    kind: string,
    id: string,
    body: string,
    options: { readonly now: Date; readonly expiresAt: Date | null },
  ): Promise<PutIfAbsentResult> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
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
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const group = this.#pending;
    if (group.length === 0) return;
    this.#pending = [];
    if (this.#writer?.usable === true) this.#writer.send(group);
    else this.#commitHere(group);
  }

  /** Hands over the puts still queued and waits until they are committed; later puts are refused. */
  async close(): Promise<void> {
    this.#flush();
    this.#closed = true;
    await this.#writer?.close();
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
