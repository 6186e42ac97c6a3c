import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VolatilitySurfaceStore } from '../../src/http/volatility-surface-store.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { postgresSkipReason, startPostgres } from '../helpers/postgres-server.js';
import type { PostgresServer } from '../helpers/postgres-server.js';

/**
 * A PostgreSQL that hangs (SIGSTOP: connections stay open, nothing is answered) rather than refusing: writes must
 * fail within the query timeout with 503 and leave nothing behind once the server wakes; pricing from the surface
 * keeps serving until the staleness limit; recovery needs no restart.
 */

const skip = postgresSkipReason();
describe('PostgreSQL that hangs', { skip }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    server?.resume();
    await server?.close();
  });

  it('answers writes with 503 after the query timeout, commits nothing, serves the surface until stale, then recovers', async () => {
    const url = await server.createDatabase('hang');
    const store = await PostgresStore.open({ url, queryTimeoutMs: 800 });
    const surface = new VolatilitySurfaceStore({ store: store.points, maxStalenessSeconds: 3, refreshIntervalMs: 100 });
    await surface.start();
    const point = (strike: number, maturity: number, volatility: number) => ({
      strike,
      maturity,
      volatility,
      timestamp: 1,
      source: 't',
    });
    try {
      for (const p of [point(90, 0.5, 0.3), point(110, 0.5, 0.22), point(90, 1, 0.28), point(110, 1, 0.21)])
        await surface.upsert(p, { subject: 'a' });
      const before = surface.estimate(100, 0.75);

      server.pause();
      const started = Date.now();
      await assert.rejects(surface.upsert(point(100, 0.75, 0.5), { subject: 'a' }), { code: 'ERR_STORE_UNAVAILABLE' });
      assert.ok(Date.now() - started < 5000, `the write failed after ${Date.now() - started} ms`);
      assert.equal(surface.estimate(100, 0.75), before, 'the young surface still serves');
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.throws(() => surface.estimate(100, 0.75), { code: 'ERR_SURFACE_STALE' });

      server.resume();
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          surface.estimate(100, 0.75);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assert.equal(await store.points.headVersion(), 4, 'the write that answered 503 left nothing');
      assert.equal(surface.version, 4);
      const change = await surface.upsert(point(100, 0.75, 0.5), { subject: 'a' });
      assert.equal(change.version, 5);
    } finally {
      server.resume();
      await surface.close();
      await store.points.close();
    }
  });
});
