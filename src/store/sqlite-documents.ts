import type { DatabaseSync } from 'node:sqlite';
import type { DocumentRecord, PutIfAbsentResult } from './document-store.js';

/**
 * The embedded store's document puts, as one group commit (src/store/sqlite-store.ts): shared by the writer thread
 * (src/store/sqlite-writer-thread.ts), which commits them off the event loop, and by the in-process fallback.
 */

/** One putIfAbsent, its times already in the stored ISO form. */
export interface PutRequest {
  readonly kind: string;
  readonly id: string;
  readonly body: string;
  readonly now: string;
  readonly expiresAt: string | null;
}

/** A put's result, or why it failed (a message: outcomes cross threads as plain data). */
export type PutOutcome =
  { readonly ok: true; readonly result: PutIfAbsentResult } | { readonly ok: false; readonly error: string };

export const SELECT_LIVE_DOCUMENT =
  'SELECT kind, id, body, created_at, expires_at FROM documents WHERE kind = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)';

const INSERT_DOCUMENT =
  'INSERT OR REPLACE INTO documents (kind, id, body, created_at, expires_at) VALUES (?, ?, ?, ?, ?)';

export function recordOf(row: Record<string, unknown>): DocumentRecord {
  return {
    kind: row['kind'] as string,
    id: row['id'] as string,
    body: row['body'] as string,
    createdAt: row['created_at'] as string,
    expiresAt: (row['expires_at'] as string | null) ?? null,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function putOne(db: DatabaseSync, put: PutRequest): PutIfAbsentResult {
  const existing = db.prepare(SELECT_LIVE_DOCUMENT).get(put.kind, put.id, put.now);
  if (existing !== undefined) return { record: recordOf(existing), inserted: false };
  const record: DocumentRecord = {
    kind: put.kind,
    id: put.id,
    body: put.body,
    createdAt: put.now,
    expiresAt: put.expiresAt,
  };
  db.prepare(INSERT_DOCUMENT).run(put.kind, put.id, put.body, record.createdAt, record.expiresAt);
  return { record, inserted: true };
}

/**
 * Puts every request in one transaction (BEGIN IMMEDIATE: the read-then-write of each cannot interleave with another
 * writer) and commits it: one fsync for the group. Returns one outcome per request, in order, once committed.
 * A put that fails alone (its statement is undone, the transaction goes on) fails only itself; an error that ends
 * the transaction, or a failed COMMIT, fails the whole group, whose writes are then gone.
 */
export function commitGroup(db: DatabaseSync, group: readonly PutRequest[]): PutOutcome[] {
  const failAll = (error: unknown): PutOutcome[] => group.map(() => ({ ok: false, error: messageOf(error) }));
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    return failAll(error);
  }
  const outcomes: PutOutcome[] = [];
  for (const put of group) {
    try {
      outcomes.push({ ok: true, result: putOne(db, put) });
    } catch (error) {
      if (!db.isTransaction) return failAll(error);
      outcomes.push({ ok: false, error: messageOf(error) });
    }
  }
  try {
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    return failAll(error);
  }
  return outcomes;
}

/** The pragmas of every connection to the file: synchronous is per connection, and FULL is what makes a commit durable. */
export const CONNECTION_PRAGMAS = 'PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;';
