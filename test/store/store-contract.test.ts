import { after, before, describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDocumentStore } from '../../src/store/memory-document-store.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { MemoryVolatilityPointStore } from '../../src/store/volatility-point-store.js';
import { postgresSkipReason, startPostgres } from '../helpers/postgres-server.js';
import type { PostgresServer } from '../helpers/postgres-server.js';
import { documentStoreContract, pointStoreContract } from './contract.js';
import type { StoreUnderTest } from './contract.js';

function memory(): Promise<StoreUnderTest> {
  const points = new MemoryVolatilityPointStore();
  return Promise.resolve({ documents: new MemoryDocumentStore(), points, close: () => points.close() });
}

describe('memory stores', () => {
  documentStoreContract(memory);
  pointStoreContract(memory);
});

describe('embedded store (SQLite file)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const sqlite = (): Promise<StoreUnderTest> => {
    const dir = mkdtempSync(join(tmpdir(), 'ope-sqlite-'));
    dirs.push(dir);
    const store = new SqliteStore(dir);
    return Promise.resolve({ documents: store.documents, points: store.points, close: () => store.close() });
  };
  documentStoreContract(sqlite);
  pointStoreContract(sqlite);
});

describe('embedded store (SQLite file), document puts committed on the event loop', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  documentStoreContract(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ope-sqlite-'));
    dirs.push(dir);
    const store = new SqliteStore(dir, { writerThread: false });
    return Promise.resolve({ documents: store.documents, points: store.points, close: () => store.close() });
  });
});

const skip = postgresSkipReason();
describe('PostgreSQL store', { skip }, () => {
  let server: PostgresServer;
  let databases = 0;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.close();
  });
  const postgres = async (): Promise<StoreUnderTest> => {
    databases += 1;
    const url = await server.createDatabase(`contract_${databases}`);
    const store = await PostgresStore.open({ url });
    return { documents: store.documents, points: store.points, close: () => store.points.close() };
  };
  documentStoreContract(postgres);
  pointStoreContract(postgres);
});
