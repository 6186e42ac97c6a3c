import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { VolatilityPoint } from '../../src/core/market/volatility-surface.js';
import { VolatilitySurfaceStore } from '../../src/http/volatility-surface-store.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { MemoryVolatilityPointStore } from '../../src/store/volatility-point-store.js';
import type { SurfaceAsOf, UpsertOptions, VolatilityPointStore } from '../../src/store/volatility-point-store.js';
import { pricingRequest, startServer } from '../http/support.js';
import type { TestServer } from '../http/support.js';

/**
 * The surface holder's promises during a store outage (docs/RUNBOOK.md, "The store"), with a store that can be
 * switched off and a clock the test moves: serve the last surface while young, 503 once older than the limit, never
 * a 201 that was not committed, recovery without a restart. Then the same through HTTP, with as_of.
 */

class SwitchableStore implements VolatilityPointStore {
  readonly kind = 'switchable';
  down = false;
  readonly inner = new MemoryVolatilityPointStore();
  #guard(): void {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  }
  async upsert(point: VolatilityPoint, options: UpsertOptions) {
    this.#guard();
    return this.inner.upsert(point, options);
  }
  async current() {
    this.#guard();
    return this.inner.current();
  }
  async headVersion() {
    this.#guard();
    return this.inner.headVersion();
  }
  async asOf(asOf: SurfaceAsOf) {
    this.#guard();
    return this.inner.asOf(asOf);
  }
  onChange(listener: (version: number) => void) {
    return this.inner.onChange(listener);
  }
  close() {
    return this.inner.close();
  }
}

const point = (strike: number, maturity: number, volatility: number): VolatilityPoint => ({
  strike,
  maturity,
  volatility,
  timestamp: 1,
  source: 'test',
});
const GRID = [point(90, 0.5, 0.3), point(110, 0.5, 0.22), point(90, 1, 0.28), point(110, 1, 0.21)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('surface holder during a store outage', () => {
  it('serves the last surface while younger than the limit, then refuses with 503; writes fail with 503 and write nothing; recovers', async () => {
    const store = new SwitchableStore();
    for (const p of GRID) await store.inner.upsert(p, { subject: null, now: new Date() });
    let now = 1_000_000;
    const metrics = createMetrics({ defaultMetrics: false });
    const surface = new VolatilitySurfaceStore({
      store,
      maxStalenessSeconds: 300,
      refreshIntervalMs: 5,
      metrics,
      clock: () => now,
    });
    await surface.start();
    try {
      assert.equal(surface.version, 4);
      const before = surface.estimate(100, 0.75);

      store.down = true;
      now += 299_000;
      await sleep(30);
      assert.equal(surface.estimate(100, 0.75), before, 'a young surface still serves');
      await assert.rejects(surface.upsert(point(100, 0.75, 0.5), { subject: 'alice' }), {
        code: 'ERR_STORE_UNAVAILABLE',
        statusCode: 503,
      });
      assert.equal(await store.inner.headVersion(), 4, 'nothing written');
      assert.equal(surface.version, 4);

      now += 2_000;
      await sleep(30);
      assert.throws(
        () => surface.estimate(100, 0.75),
        (error: { code?: string; headers?: Record<string, string> }) => {
          assert.equal(error.code, 'ERR_SURFACE_STALE');
          assert.equal(error.headers?.['Retry-After'], '5');
          return true;
        },
      );
      const scrape = await metrics.registry.metrics();
      assert.match(scrape, /ope_store_errors_total\{operation="probe"\} [1-9]/);
      assert.match(scrape, /ope_store_errors_total\{operation="upsert"\} 1/);
      assert.match(scrape, /ope_volatility_surface_age_seconds 30\d/);

      // Another instance wrote while this one was cut off: recovery loads it.
      await store.inner.upsert(point(100, 0.75, 0.5), { subject: 'bob', now: new Date() });
      store.down = false;
      await sleep(50);
      assert.equal(surface.version, 5);
      assert.equal(surface.estimate(100, 0.75), 0.5);
      assert.match(await metrics.registry.metrics(), /ope_volatility_surface_version 5/);
    } finally {
      await surface.close();
    }
  });

  it('refuses an invalid point before writing anything (the core names the field)', async () => {
    const store = new MemoryVolatilityPointStore();
    const surface = new VolatilitySurfaceStore({ store });
    await assert.rejects(surface.upsert(point(100, 1, 7), { subject: null }), {
      code: 'ERR_CORE_INVALID_INPUT',
      param: 'volatility',
    });
    assert.equal(await store.headVersion(), 0);
  });
});

describe('volatility routes with versions and as_of (HTTP)', () => {
  let server: TestServer;
  const store = new SwitchableStore();
  before(async () => {
    const surface = new VolatilitySurfaceStore({ store, maxStalenessSeconds: 1, refreshIntervalMs: 20 });
    await surface.start();
    server = await startServer({ surface });
  });
  after(async () => {
    await server.close();
  });
  const upsert = (body: unknown) => server.request('/api/v1/market-data/volatility', { method: 'POST', body });
  const noVolatility = () => {
    const request = pricingRequest();
    const market = { ...(request['market_data'] as Record<string, unknown>) };
    delete market['volatility'];
    return { ...request, market_data: market };
  };

  it('numbers the changes, records the subject, lists the surface as of a version or a time, and refuses a bad as_of with 422', async () => {
    const t0 = new Date().toISOString();
    for (const p of GRID)
      assert.equal((await upsert({ strike: p.strike, maturity: p.maturity, volatility: p.volatility })).status, 201);
    await sleep(5);
    const t1 = new Date().toISOString();
    const moved = await upsert({ strike: 90, maturity: 0.5, volatility: 0.4 });
    assert.equal(moved.headers.get('x-surface-version'), '5');

    const now = await server.request('/api/v1/market-data/volatility');
    assert.equal(now.json.version, 5);
    assert.equal(now.json.points.length, 4);
    const v4 = await server.request('/api/v1/market-data/volatility?as_of=4');
    assert.equal(v4.json.version, 4);
    assert.equal(v4.json.points.find((p: VolatilityPoint) => p.strike === 90 && p.maturity === 0.5).volatility, 0.3);
    assert.equal(
      (await server.request(`/api/v1/market-data/volatility?as_of=${encodeURIComponent(t1)}`)).json.version,
      4,
    );
    assert.deepEqual((await server.request(`/api/v1/market-data/volatility?as_of=${encodeURIComponent(t0)}`)).json, {
      points: [],
      version: 0,
      changed_at: null,
    });
    const history = await store.inner.asOf({ version: 5 });
    assert.equal(history?.version, 5);
    assert.equal((await store.inner.current()).version, 5);

    for (const bad of ['yesterday', '2026-13-45T00:00:00Z', '99']) {
      const r = await server.request(`/api/v1/market-data/volatility?as_of=${bad}`);
      assert.equal(r.status, 422, bad);
      assert.deepEqual(r.json.detail[0].loc, ['query', 'as_of']);
    }
  });

  it('writes nothing for a malformed or out-of-range point, and names the field', async () => {
    const before = await store.inner.headVersion();
    const cases: [unknown, number, string][] = [
      [{ strike: 100, maturity: 1, volatility: 5.5 }, 422, 'volatility'],
      [{ strike: 100, maturity: 1, volatility: 0.001 }, 422, 'volatility'],
      [{ strike: -1, maturity: 1, volatility: 0.2 }, 422, 'strike'],
      [{ strike: 100, maturity: 0, volatility: 0.2 }, 422, 'maturity'],
      [{ strike: 100, maturity: 1 }, 422, 'volatility'],
      [{ strike: 100, maturity: 1, volatility: 'abc' }, 422, 'volatility'],
      [{ strike: 100, maturity: 1, volatility: 0.2, source: '' }, 422, 'source'],
      [{ strike: 100, maturity: 1, volatility: [0.2] }, 422, 'volatility'],
    ];
    for (const [body, status, field] of cases) {
      const r = await upsert(body);
      assert.equal(r.status, status, JSON.stringify(body));
      if (status === 422) assert.deepEqual(r.json.detail[0].loc, ['body', field], JSON.stringify(body));
      else assert.match(r.json.detail, new RegExp(field));
    }
    assert.equal(await store.inner.headVersion(), before);
  });

  it('reports the surface version on priced contracts, and a new version is never served from the cache', async () => {
    const first = await server.request('/api/v1/pricing/single', { body: noVolatility() });
    assert.equal(first.status, 200);
    assert.equal(first.json.results[0].volatility_surface_version, 5);
    const again = await server.request('/api/v1/pricing/single', { body: noVolatility() });
    assert.equal(again.json.results[0].cached, true);
    // The same volatility at the priced point, but a new surface version: computed afresh.
    await upsert({ strike: 500, maturity: 10, volatility: 0.25 });
    const after = await server.request('/api/v1/pricing/single', { body: noVolatility() });
    assert.equal(after.json.results[0].volatility_surface_version, 6);
    assert.equal(after.json.results[0].cached, false);
    const explicit = await server.request('/api/v1/pricing/single', { body: pricingRequest() });
    assert.equal(explicit.json.results[0].volatility_surface_version, undefined);
  });

  it('answers 503 with Retry-After for writes and, once stale, for pricing from the surface; explicit volatility still prices', async () => {
    store.down = true;
    try {
      const write = await upsert({ strike: 100, maturity: 2, volatility: 0.3 });
      assert.equal(write.status, 503);
      assert.equal(write.headers.get('retry-after'), '5');
      await sleep(1200);
      const stale = await server.request('/api/v1/pricing/single', { body: noVolatility() });
      assert.equal(stale.status, 503);
      assert.match(stale.json.detail, /stale/);
      assert.equal(
        (
          await server.request('/api/v1/market-data/volatility/estimate', {
            body: { strike: 100, maturity: 1, spot: 100 },
          })
        ).status,
        503,
      );
      assert.equal((await server.request('/api/v1/pricing/single', { body: pricingRequest() })).status, 200);
      assert.equal((await server.request('/api/v1/market-data/volatility?as_of=1')).status, 503);
    } finally {
      store.down = false;
    }
    await sleep(100);
    assert.equal((await server.request('/api/v1/pricing/single', { body: noVolatility() })).status, 200);
  });
});
