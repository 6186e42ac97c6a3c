import type { DocumentRecord, DocumentStore, ListOptions, PutIfAbsentResult } from './document-store.js';

/**
 * DocumentStore in process memory: for unit tests of the layers above the store, and the reference the durable
 * implementations' contract tests are compared with. Nothing survives the process.
 */
export class MemoryDocumentStore implements DocumentStore {
  readonly #records = new Map<string, DocumentRecord>();

  #key(kind: string, id: string): string {
    return `${kind}\u0000${id}`;
  }

  #live(record: DocumentRecord | undefined, now: Date): DocumentRecord | null {
    if (record === undefined) return null;
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()) return null;
    return record;
  }

  putIfAbsent(
    kind: string,
    id: string,
    body: string,
    options: { readonly now: Date; readonly expiresAt: Date | null },
  ): Promise<PutIfAbsentResult> {
    const key = this.#key(kind, id);
    const existing = this.#live(this.#records.get(key), options.now);
    if (existing !== null) return Promise.resolve({ record: existing, inserted: false });
    const record: DocumentRecord = {
      kind,
      id,
      body,
      createdAt: options.now.toISOString(),
      expiresAt: options.expiresAt === null ? null : options.expiresAt.toISOString(),
    };
    this.#records.set(key, record);
    return Promise.resolve({ record, inserted: true });
  }

  get(kind: string, id: string, now: Date): Promise<DocumentRecord | null> {
    return Promise.resolve(this.#live(this.#records.get(this.#key(kind, id)), now));
  }

  list(kind: string, options: ListOptions): Promise<DocumentRecord[]> {
    const live = [...this.#records.values()].filter((r) => r.kind === kind && this.#live(r, options.now) !== null);
    live.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1));
    return Promise.resolve(live.slice(0, Math.max(0, options.limit)));
  }

  deleteExpired(now: Date, limit: number): Promise<number> {
    let removed = 0;
    for (const [key, record] of this.#records) {
      if (removed >= limit) break;
      if (this.#live(record, now) === null) {
        this.#records.delete(key);
        removed += 1;
      }
    }
    return Promise.resolve(removed);
  }
}
