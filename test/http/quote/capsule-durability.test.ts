import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentStore } from '../../../src/store/document-store.js';
import { MemoryDocumentStore } from '../../../src/store/memory-document-store.js';
import { startServer } from '../support.js';
import { numbersOf, quoteRequest } from './quote-support.js';

/**
 * Capsules and idempotency records live in the DocumentStore the app is given, not in the app: a capsule made
 * before a restart replays after it, and one made on an instance replays on another sharing the store.
 *
 * The store below is the in-memory one shared by two apps in this process. The durable stores (embedded
 * database, PostgreSQL) implement the same interface; to run these tests on them, make openSharedStore open one
 * (for PostgreSQL, both "instances" then reach the same database over the network).
 */
async function openSharedStore(): Promise<{ readonly documents: DocumentStore; close(): Promise<void> }> {
  return { documents: new MemoryDocumentStore(), close: async () => undefined };
}

describe('capsules outlive the app that made them', () => {
  let shared: Awaited<ReturnType<typeof openSharedStore>>;
  before(async () => {
    shared = await openSharedStore();
  });
  after(async () => shared.close());

  it('a capsule replays after a service restart with verified: true, and an idempotency key still holds', async () => {
    const body = quoteRequest({ model: { family: 'monte_carlo', params: { paths: 4000 } }, idempotency_key: 'restart-1' });
    const first = await startServer({ documentStore: shared.documents });
    let quote;
    try {
      quote = await first.request('/quote', { body, token: await first.token(['pricing:read'], 'carol') });
      assert.equal(quote.status, 200);
    } finally {
      await first.close();
    }
    const second = await startServer({ documentStore: shared.documents });
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
    }
  });

  it('a capsule made on one instance replays on a second sharing the store; keys are shared too', async () => {
    const [a, b] = await Promise.all([startServer({ documentStore: shared.documents }), startServer({ documentStore: shared.documents })]);
    try {
      const quote = await a.request('/quote', { body: quoteRequest({ model: { family: 'binomial', params: { steps: 300 } }, idempotency_key: 'shared-1' }), token: await a.token(['pricing:read'], 'dave') });
      const replay = await b.request(`/replay/${quote.json.capsule_id}`, { method: 'POST', token: await b.token(['pricing:read'], 'dave') });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.json.verified, true);
      assert.deepEqual(numbersOf(replay.json), numbersOf(quote.json));
      const reused = await b.request('/quote', { body: quoteRequest({ volatility: 0.25, idempotency_key: 'shared-1' }), token: await b.token(['pricing:read'], 'dave') });
      assert.equal(reused.status, 409);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
