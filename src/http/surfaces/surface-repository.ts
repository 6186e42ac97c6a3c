import { LRUCache } from 'lru-cache';
import { SurfaceEvaluator } from '../../core/surface/surface.js';
import type { DocumentStore } from '../../store/document-store.js';
import { canonicalJson } from '../canonical-json.js';
import { surfaceId, toSurfaceDefinition, type SurfaceDocument } from './surface-document.js';

/** Calibrated surfaces on the DocumentStore (kind 'surface'), and their evaluators, built once per id. */

export const SURFACE_KIND = 'surface';
/** Evaluators kept in memory; documents are immutable, so a cached evaluator never goes stale. */
const EVALUATOR_CACHE_SIZE = 64;

export interface StoredSurface {
  readonly id: string;
  /** Canonical JSON of the document, exactly as stored. */
  readonly body: string;
  readonly createdAt: string;
  /** False when the same surface (same id) was already stored. */
  readonly inserted: boolean;
}

export class SurfaceRepository {
  readonly #store: DocumentStore;
  readonly #evaluators = new LRUCache<string, SurfaceEvaluator>({ max: EVALUATOR_CACHE_SIZE });

  constructor(store: DocumentStore) {
    this.#store = store;
  }

  async save(document: Omit<SurfaceDocument, 'surface_id'>, now: Date): Promise<StoredSurface> {
    const id = surfaceId(document);
    const body = canonicalJson({ ...document, surface_id: id });
    const { record, inserted } = await this.#store.putIfAbsent(SURFACE_KIND, id, body, { now, expiresAt: null });
    return { id, body: record.body, createdAt: record.createdAt, inserted };
  }

  async get(id: string, now: Date): Promise<{ body: string; createdAt: string } | null> {
    const record = await this.#store.get(SURFACE_KIND, id, now);
    return record === null ? null : { body: record.body, createdAt: record.createdAt };
  }

  async list(limit: number, now: Date): Promise<{ document: SurfaceDocument; createdAt: string }[]> {
    const records = await this.#store.list(SURFACE_KIND, { now, limit });
    return records.map((r) => ({ document: JSON.parse(r.body) as SurfaceDocument, createdAt: r.createdAt }));
  }

  /** The evaluator of a stored surface, or null for an unknown id. */
  async evaluator(id: string, now: Date): Promise<SurfaceEvaluator | null> {
    const cached = this.#evaluators.get(id);
    if (cached !== undefined) return cached;
    const record = await this.#store.get(SURFACE_KIND, id, now);
    if (record === null) return null;
    const evaluator = new SurfaceEvaluator(toSurfaceDefinition(JSON.parse(record.body) as SurfaceDocument));
    this.#evaluators.set(id, evaluator);
    return evaluator;
  }
}
