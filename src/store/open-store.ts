import { resolve } from 'node:path';
import type { StoreConfig } from '../config/config.js';
import type { DocumentStore } from './document-store.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { VolatilityPointStore } from './volatility-point-store.js';

/**
 * The one door to the store (docs/architecture.md, "The store"): PostgreSQL when OPE_DATABASE_URL is set (any
 * number of instances), else the embedded SQLite file under OPE_DATA_DIR (one instance). Both are opened and
 * migrated before the service listens.
 */

export interface OpenedStore {
  /** 'postgres' or 'sqlite'. */
  readonly kind: string;
  /** Where the data is, for the start-up log line (the URL without its password, or the file). */
  readonly location: string;
  readonly points: VolatilityPointStore;
  readonly documents: DocumentStore;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Errors the PostgreSQL store recovers from on its own (logged, not fatal). */
  readonly onBackgroundError?: (error: Error) => void;
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  if (config.databaseUrl !== null) {
    const store = await PostgresStore.open({
      url: config.databaseUrl,
      ...(options.onBackgroundError ? { onBackgroundError: options.onBackgroundError } : {}),
    });
    return {
      kind: 'postgres',
      location: withoutPassword(config.databaseUrl),
      points: store.points,
      documents: store.documents,
      close: () => store.points.close(),
    };
  }
  const store = new SqliteStore(resolve(config.dataDir));
  return {
    kind: 'sqlite',
    location: store.path,
    points: store.points,
    documents: store.documents,
    close: () => store.close(),
  };
}
