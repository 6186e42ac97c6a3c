import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DocumentStore } from '../../src/store/document-store.js';
import type { VolatilityPointStore } from '../../src/store/volatility-point-store.js';

/**
 * The behaviour every store promises (docs/architecture.md, "The store"): the same cases run against the memory,
 * embedded (SQLite) and PostgreSQL implementations. `fresh()` returns an empty store of the kind under test.
 */

export interface StoreUnderTest {
  readonly documents: DocumentStore;
  readonly points: VolatilityPointStore;
  close(): Promise<void>;
}

const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const point = (strike: number, maturity: number, volatility: number, source = 'market') => ({
  strike,
  maturity,
  volatility,
  timestamp: 1_764_583_200.25,
  source,
});

export function documentStoreContract(fresh: () => Promise<StoreUnderTest>): void {
  it('puts a document once: a second put under the same key returns the first, unchanged', async () => {
    const store = await fresh();
    try {
      const first = await store.documents.putIfAbsent('capsule', 'a', '{"x":1}', { now: T0, expiresAt: null });
      assert.equal(first.inserted, true);
      assert.deepEqual(first.record, {
        kind: 'capsule',
        id: 'a',
        body: '{"x":1}',
        createdAt: T0.toISOString(),
        expiresAt: null,
      });
      const second = await store.documents.putIfAbsent('capsule', 'a', '{"x":2}', { now: at(1), expiresAt: null });
      assert.equal(second.inserted, false);
      assert.deepEqual(second.record, first.record);
      assert.deepEqual(await store.documents.get('capsule', 'a', at(2)), first.record);
      assert.equal(await store.documents.get('capsule', 'b', at(2)), null);
      assert.equal(await store.documents.get('other', 'a', at(2)), null);
    } finally {
      await store.close();
    }
  });

  it('keeps bodies byte for byte (unicode, escapes, large)', async () => {
    const store = await fresh();
    try {
      const body = JSON.stringify({ s: 'é\u2028\u0000 "q" \\', big: 'x'.repeat(100_000), n: 0.1 + 0.2 });
      await store.documents.putIfAbsent('k', 'id', body, { now: T0, expiresAt: null });
      assert.equal((await store.documents.get('k', 'id', T0))?.body, body);
    } finally {
      await store.close();
    }
  });

  it('hides an expired document, replaces it on put, and deletes expired ones in batches', async () => {
    const store = await fresh();
    try {
      await store.documents.putIfAbsent('idem', 'k1', '1', { now: T0, expiresAt: at(10) });
      assert.notEqual(await store.documents.get('idem', 'k1', at(9.999)), null);
      assert.equal(await store.documents.get('idem', 'k1', at(10)), null, 'invisible from expiresAt on');
      const again = await store.documents.putIfAbsent('idem', 'k1', '2', { now: at(11), expiresAt: at(20) });
      assert.equal(again.inserted, true);
      assert.equal(again.record.body, '2');
      for (let i = 0; i < 5; i += 1)
        await store.documents.putIfAbsent('idem', `e${i}`, 'e', { now: T0, expiresAt: at(1) });
      await store.documents.putIfAbsent('idem', 'keep', 'k', { now: T0, expiresAt: null });
      assert.equal(await store.documents.deleteExpired(at(5), 3), 3);
      assert.equal(await store.documents.deleteExpired(at(5), 10), 2);
      assert.equal(await store.documents.deleteExpired(at(5), 10), 0);
      assert.notEqual(await store.documents.get('idem', 'keep', at(1000)), null);
      assert.notEqual(await store.documents.get('idem', 'k1', at(15)), null);
    } finally {
      await store.close();
    }
  });

  it('lists one kind, newest first, unexpired only, at most `limit`', async () => {
    const store = await fresh();
    try {
      await store.documents.putIfAbsent('surface', 'old', '1', { now: at(1), expiresAt: null });
      await store.documents.putIfAbsent('surface', 'new', '2', { now: at(3), expiresAt: null });
      await store.documents.putIfAbsent('surface', 'mid', '3', { now: at(2), expiresAt: null });
      await store.documents.putIfAbsent('surface', 'gone', '4', { now: at(4), expiresAt: at(5) });
      await store.documents.putIfAbsent('other', 'x', '5', { now: at(6), expiresAt: null });
      const all = await store.documents.list('surface', { now: at(10), limit: 10 });
      assert.deepEqual(
        all.map((r) => r.id),
        ['new', 'mid', 'old'],
      );
      assert.deepEqual(
        (await store.documents.list('surface', { now: at(10), limit: 2 })).map((r) => r.id),
        ['new', 'mid'],
      );
    } finally {
      await store.close();
    }
  });

  it('lets exactly one of many concurrent puts of the same key insert', async () => {
    const store = await fresh();
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.documents.putIfAbsent('idem', 'race', String(i), { now: T0, expiresAt: null }),
        ),
      );
      assert.equal(results.filter((r) => r.inserted).length, 1);
      const winner = results.find((r) => r.inserted)?.record.body;
      for (const r of results) assert.equal(r.record.body, winner);
    } finally {
      await store.close();
    }
  });
}

export function pointStoreContract(fresh: () => Promise<StoreUnderTest>): void {
  it('starts empty at version 0, then numbers each upsert 1, 2, 3 with its time and subject', async () => {
    const store = await fresh();
    try {
      assert.deepEqual(await store.points.current(), { version: 0, changedAt: null, points: [] });
      const a = await store.points.upsert(point(100, 1, 0.2), { subject: 'alice', now: at(1) });
      const b = await store.points.upsert(point(110, 1, 0.25), { subject: null, now: at(2) });
      assert.deepEqual([a.version, b.version], [1, 2]);
      assert.equal(a.subject, 'alice');
      assert.equal(a.changedAt, at(1).toISOString());
      const now = await store.points.current();
      assert.equal(now.version, 2);
      assert.equal(now.changedAt, at(2).toISOString());
      assert.deepEqual(now.points, [point(100, 1, 0.2), point(110, 1, 0.25)]);
      assert.equal(await store.points.headVersion(), 2);
    } finally {
      await store.close();
    }
  });

  it('replaces the point at the same (strike, maturity) within 1e-9 and keeps every change in the history', async () => {
    const store = await fresh();
    try {
      await store.points.upsert(point(90, 0.5, 0.3), { subject: 'a', now: at(1) });
      await store.points.upsert(point(95, 0.5, 0.31), { subject: 'a', now: at(2) });
      await store.points.upsert(point(90 + 1e-10, 0.5, 0.32, 'desk'), { subject: 'b', now: at(3) });
      const now = await store.points.current();
      assert.deepEqual(now.points, [point(95, 0.5, 0.31), point(90 + 1e-10, 0.5, 0.32, 'desk')]);
      assert.deepEqual((await store.points.asOf({ version: 1 }))?.points, [point(90, 0.5, 0.3)]);
      assert.deepEqual((await store.points.asOf({ version: 2 }))?.points, [point(90, 0.5, 0.3), point(95, 0.5, 0.31)]);
      assert.deepEqual(await store.points.asOf({ version: 3 }), now);
    } finally {
      await store.close();
    }
  });

  it('answers as_of a time with the last version committed at or before it, and null beyond the head', async () => {
    const store = await fresh();
    try {
      await store.points.upsert(point(100, 1, 0.2), { subject: null, now: at(10) });
      await store.points.upsert(point(100, 1, 0.3), { subject: null, now: at(20) });
      assert.deepEqual(await store.points.asOf({ time: at(5) }), { version: 0, changedAt: null, points: [] });
      const mid = await store.points.asOf({ time: at(15) });
      assert.equal(mid?.version, 1);
      assert.equal(mid?.changedAt, at(10).toISOString());
      assert.deepEqual(mid?.points, [point(100, 1, 0.2)]);
      assert.equal((await store.points.asOf({ time: at(20) }))?.version, 2);
      assert.equal(await store.points.asOf({ version: 3 }), null);
    } finally {
      await store.close();
    }
  });

  it('gives concurrent upserts of the same point distinct versions: the last committed wins, the history is complete', async () => {
    const store = await fresh();
    try {
      const changes = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.points.upsert(point(100, 1, 0.1 + i / 100), { subject: `w${i}`, now: at(i) }),
        ),
      );
      const versions = changes.map((c) => c.version).sort((x, y) => x - y);
      assert.deepEqual(
        versions,
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      const last = changes.find((c) => c.version === 25);
      const now = await store.points.current();
      assert.equal(now.version, 25);
      assert.deepEqual(now.points, [last?.point]);
      for (const change of changes)
        assert.deepEqual((await store.points.asOf({ version: change.version }))?.points, [change.point]);
    } finally {
      await store.close();
    }
  });

  it('tells subscribers the new head version after an upsert', async () => {
    const store = await fresh();
    try {
      const heard: number[] = [];
      const waiter = new Promise<void>((resolve) => {
        store.points.onChange((version) => {
          heard.push(version);
          resolve();
        });
      });
      await store.points.upsert(point(100, 1, 0.2), { subject: null, now: at(1) });
      await waiter;
      assert.deepEqual(heard, [1]);
    } finally {
      await store.close();
    }
  });
}
