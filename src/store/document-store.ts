/**
 * Immutable JSON documents keyed by (kind, id), with an optional expiry: the shape the quote API's capsules and
 * idempotency records and the calibrated surfaces are kept in. The embedded and PostgreSQL stores implement it,
 * and the same contract tests run against every implementation (docs/architecture.md, "The store").
 *
 * Times are passed in, never read from a clock here, so expiry is testable and every instance agrees on it.
 */

export interface DocumentRecord {
  readonly kind: string;
  readonly id: string;
  /** The document, canonical JSON text, exactly as stored: callers that promise byte-identical answers rely on it. */
  readonly body: string;
  /** ISO 8601, UTC, millisecond precision. */
  readonly createdAt: string;
  /** ISO 8601 or null (kept until deleted). A record is invisible from this instant on. */
  readonly expiresAt: string | null;
}

export interface PutIfAbsentResult {
  /** The record now stored under (kind, id): the new one, or the one that was already there. */
  readonly record: DocumentRecord;
  /** False when an unexpired record already held (kind, id); it is left unchanged. */
  readonly inserted: boolean;
}

export interface ListOptions {
  readonly now: Date;
  /** At most this many records, newest first. */
  readonly limit: number;
}

export interface DocumentStore {
  /**
   * Inserts the document unless an unexpired one holds (kind, id); atomic across every instance sharing the store,
   * so two concurrent callers with the same key see one `inserted: true`. An expired record under the key is replaced.
   * Resolves only once the record is durable (committed).
   */
  putIfAbsent(
    kind: string,
    id: string,
    body: string,
    options: { readonly now: Date; readonly expiresAt: Date | null },
  ): Promise<PutIfAbsentResult>;
  /** The unexpired record, or null. */
  get(kind: string, id: string, now: Date): Promise<DocumentRecord | null>;
  list(kind: string, options: ListOptions): Promise<DocumentRecord[]>;
  /** Removes up to `limit` records expired at `now` (any kind); returns how many went. Small batches keep sweeps short. */
  deleteExpired(now: Date, limit: number): Promise<number>;
}
