import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentStore } from '../../../src/store/document-store.js';
import { MemoryDocumentStore } from '../../../src/store/memory-document-store.js';
import { startServer } from '../support.js';
import { numbersOf, quoteRequest } from './quote-support.js';

/**
 * Capsules and idempotency records live in the DocumentStore the app is given, not in the app: a capsule made before
 * a restart replays after it (verified), and one made on an instance replays on a second instance sharing the store.
 *
 * The durable stores come from src/store/open-store.ts (openStore: the embedded database in a directory, or
 * PostgreSQL at a URL) and the throwaway PostgreSQL cluster of test/helpers/postgres-server.ts. Where those modules
 * are not present, the same tests run on the in-memory store shared by two apps in this process, and say so loudly.
 */

interface OpenedDocuments {
  readonly documents: DocumentStore;
  close(): Promise<void>;
}
type OpenStore = (config: {
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly surfaceMaxStalenessSeconds: number;
}) => Promise<OpenedDocuments>;
interface PostgresHelpers {
  postgresSkipReason(): string | false;
  startPostgres(): Promise<{ readonly url: string; close(): Promise<void> }>;
}

/** A module by a path the compiler does not resolve (it may not exist on this branch); null when it does not exist. */
async function optionalModule<T>(path: string): Promise<T | null> {
  try {
    return (await import(path)) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

const storeModule = await optionalModule<{ openStore: OpenStore }>(
  ['..', '..', '..', 'src', 'store', 'open-store.js'].join('/'),
);
const postgresModule = await optionalModule<PostgresHelpers>(['..', '..', 'helpers', 'postgres-server.js'].join('/'));

function banner(message: string): void {
  console.warn(`\n!!! ${message}\n`);
}

function memoryStore(): OpenedDocuments {
  return { documents: new MemoryDocumentStore(), close: async () => undefined };
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('capsules outlive the app that made them', () => {
  it('a capsule replays after a service restart with verified: true, and an idempotency key still holds', async () => {
    // The embedded store in a directory: the second app opens it anew, as a restarted service would.
    let open: () => Promise<OpenedDocuments>;
    if (storeModule === null) {
      banner(
        'src/store/open-store.ts is not on this branch: the restart test ran on the in-memory store, not the embedded database',
      );
      const shared = memoryStore();
      open = async () => ({ documents: shared.documents, close: async () => undefined });
    } else {
      const dataDir = mkdtempSync(join(tmpdir(), 'ope-quote-restart-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      open = () => storeModule.openStore({ dataDir, databaseUrl: null, surfaceMaxStalenessSeconds: 60 });
    }
    const body = quoteRequest({
      model: { family: 'monte_carlo', params: { paths: 4000 } },
      idempotency_key: 'restart-1',
    });

    const firstStore = await open();
    const first = await startServer({ documentStore: firstStore.documents });
    let quote;
    try {
      quote = await first.request('/quote', { body, token: await first.token(['pricing:read'], 'carol') });
      assert.equal(quote.status, 200);
    } finally {
      await first.close();
      await firstStore.close();
    }

    const secondStore = await open();
    const second = await startServer({ documentStore: secondStore.documents });
    try {
      const token = await second.token(['pricing:read'], 'carol');
      const replay = await second.request(`/replay/${quote.json.capsule_id}`, { body: { strict_build: true }, token });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.json.verified, true);
      assert.deepEqual(numbersOf(replay.json), numbersOf(quote.json));
      const repeat = await second.request('/quote', { body, token });
      assert.equal(repeat.text, quote.text);
    } finally {
      await second.close();
      await secondStore.close();
    }
  });

  it('a capsule made on one instance replays on a second sharing PostgreSQL; keys are shared too', async () => {
    let stores: [OpenedDocuments, OpenedDocuments];
    const skip = postgresModule?.postgresSkipReason() ?? 'test/helpers/postgres-server.ts is not on this branch';
    if (storeModule === null || postgresModule === null || skip !== false) {
      banner(
        `the shared-instance test ran on one in-memory store shared in-process, not PostgreSQL (${skip === false ? 'no open-store module' : skip})`,
      );
      const shared = memoryStore();
      stores = [shared, shared];
    } else {
      const server = await postgresModule.startPostgres();
      cleanups.push(() => server.close());
      const open = () =>
        storeModule.openStore({ dataDir: '.', databaseUrl: server.url, surfaceMaxStalenessSeconds: 60 });
      // Two connection pools, as two service instances would have.
      stores = [await open(), await open()];
    }
    const [a, b] = await Promise.all([
      startServer({ documentStore: stores[0].documents }),
      startServer({ documentStore: stores[1].documents }),
    ]);
    try {
      const quote = await a.request('/quote', {
        body: quoteRequest({ model: { family: 'binomial', params: { steps: 300 } }, idempotency_key: 'shared-1' }),
        token: await a.token(['pricing:read'], 'dave'),
      });
      assert.equal(quote.status, 200, quote.text);
      const replay = await b.request(`/replay/${quote.json.capsule_id}`, {
        method: 'POST',
        token: await b.token(['pricing:read'], 'dave'),
      });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.json.verified, true);
      assert.deepEqual(numbersOf(replay.json), numbersOf(quote.json));
      const same = await b.request('/quote', {
        body: quoteRequest({ model: { family: 'binomial', params: { steps: 300 } }, idempotency_key: 'shared-1' }),
        token: await b.token(['pricing:read'], 'dave'),
      });
      assert.equal(same.text, quote.text);
      const reused = await b.request('/quote', {
        body: quoteRequest({ volatility: 0.25, idempotency_key: 'shared-1' }),
        token: await b.token(['pricing:read'], 'dave'),
      });
      assert.equal(reused.status, 409);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await stores[0].close();
      if (stores[1] !== stores[0]) await stores[1].close();
    }
  });
});
