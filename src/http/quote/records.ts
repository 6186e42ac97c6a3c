import type { DocumentStore } from '../../store/document-store.js';
import type { QuoteResponse } from '../../core/quote-api.js';
import { canonicalJson } from './canonical-json.js';
import type { NormalisedQuote } from './normalise.js';

/**
 * Capsules and idempotency records on the DocumentStore (docs/api.md, "Seeds, capsules, idempotency"). Both are
 * canonical JSON documents written once (putIfAbsent) with an expiry; the store shares them between instances
 * and keeps them across restarts when it is durable.
 */

export const CAPSULE_KIND = 'capsule';
export const IDEMPOTENCY_KIND = 'idempotency';
export const IDEMPOTENCY_TTL_SECONDS = 600;
const DAY_MS = 86_400_000;

/** Everything replay needs to price the quote again, and the answer given then. */
export interface Capsule {
  readonly request: NormalisedQuote;
  readonly index: number;
  readonly lineage: string;
  readonly build_id: string;
  readonly response: QuoteResponse;
}

/**
 * canonicalJson(capsule) from the canonical texts of its request and response, which the quote path has already
 * written (keys in sorted order: build_id, index, lineage, request, response).
 */
export function capsuleText(parts: {
  readonly requestText: string;
  readonly responseText: string;
  readonly index: number;
  readonly lineage: string;
  readonly buildId: string;
}): string {
  return `{"build_id":${JSON.stringify(parts.buildId)},"index":${parts.index},"lineage":${JSON.stringify(parts.lineage)},"request":${parts.requestText},"response":${parts.responseText}}`;
}

export interface IdempotencyRecord {
  /** The route the key was first used on. */
  readonly route: string;
  readonly request_hash: string;
  /** The exact response body sent then. */
  readonly body: string;
}

export interface QuoteRecordsOptions {
  readonly store: DocumentStore;
  readonly capsuleRetentionDays: number;
  /** Default: the system clock. Tests pass one. */
  readonly now?: () => Date;
}

export function createQuoteRecords(options: QuoteRecordsOptions) {
  const { store } = options;
  const now = options.now ?? (() => new Date());

  return {
    now,
    /** Stores a capsule given as its canonical text (capsuleText). */
    async saveCapsule(id: string, text: string): Promise<void> {
      const at = now();
      const expiresAt = new Date(at.getTime() + options.capsuleRetentionDays * DAY_MS);
      // Same id, same inputs, same build: an existing capsule holds the same document, so losing the race is fine.
      await store.putIfAbsent(CAPSULE_KIND, id, text, { now: at, expiresAt });
    },

    async loadCapsule(id: string): Promise<Capsule | null> {
      const record = await store.get(CAPSULE_KIND, id, now());
      return record === null ? null : (JSON.parse(record.body) as Capsule);
    },

    async findIdempotent(id: string): Promise<IdempotencyRecord | null> {
      const record = await store.get(IDEMPOTENCY_KIND, id, now());
      return record === null ? null : (JSON.parse(record.body) as IdempotencyRecord);
    },

    /** Stores the answer unless another request with the key got there first; returns the record that holds. */
    async rememberIdempotent(id: string, record: IdempotencyRecord): Promise<IdempotencyRecord> {
      const at = now();
      const result = await store.putIfAbsent(IDEMPOTENCY_KIND, id, canonicalJson(record), {
        now: at,
        expiresAt: new Date(at.getTime() + IDEMPOTENCY_TTL_SECONDS * 1000),
      });
      return result.inserted ? record : (JSON.parse(result.record.body) as IdempotencyRecord);
    },
  };
}

export type QuoteRecords = ReturnType<typeof createQuoteRecords>;
