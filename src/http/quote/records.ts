import { LRUCache } from 'lru-cache';
import type { DocumentStore } from '../../store/document-store.js';
import type { QuoteResponse } from '../../core/quote-api.js';
import { canonicalJson } from '../canonical-json.js';
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
  /** Capsule ids remembered as stored (default KNOWN_CAPSULES_DEFAULT); 0 writes every capsule. */
  readonly knownCapsules?: number;
}

/** About 1.5 MB of ids and expiry times at most. */
export const KNOWN_CAPSULES_DEFAULT = 10_000;

export function createQuoteRecords(options: QuoteRecordsOptions) {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const knownMax = options.knownCapsules ?? KNOWN_CAPSULES_DEFAULT;
  /**
   * Capsules this instance wrote or read, with their expiry (ms; Infinity for none), least recently used first.
   * A capsule id names its content (docs/api.md, "Seeds, capsules, idempotency"), so an identical quote makes the
   * same capsule, and one known to be stored and unexpired need not be put again: put-if-absent would leave the
   * stored record, expiry included, unchanged anyway. A record leaves the store only by expiring (the sweeper
   * deletes expired records only), so skipping is safe with a shared store and several instances too.
   */
  const known = knownMax > 0 ? new LRUCache<string, number>({ max: knownMax }) : null;

  function remember(id: string, expiresAt: string | null): void {
    known?.set(id, expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(expiresAt));
  }

  return {
    now,
    /**
     * Stores a capsule given as its canonical text (capsuleText), unless it is known to be stored already; resolves
     * once it is durable. True when this call wrote it.
     */
    async saveCapsule(id: string, text: string): Promise<boolean> {
      const at = now();
      // get() also makes the id the most recently used.
      const until = known?.get(id);
      if (until !== undefined && until > at.getTime()) return false;
      const expiresAt = new Date(at.getTime() + options.capsuleRetentionDays * DAY_MS);
      // Same id, same inputs, same build: an existing capsule holds the same document, so losing the race is fine.
      const result = await store.putIfAbsent(CAPSULE_KIND, id, text, { now: at, expiresAt });
      remember(id, result.record.expiresAt);
      return result.inserted;
    },

    async loadCapsule(id: string): Promise<Capsule | null> {
      const record = await store.get(CAPSULE_KIND, id, now());
      if (record === null) return null;
      remember(id, record.expiresAt);
      return JSON.parse(record.body) as Capsule;
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
