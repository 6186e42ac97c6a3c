import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { mintDevToken } from '../../src/auth/dev-token.js';
import { migratePostgres } from '../../src/store/postgres-store.js';
import { DEV_SECRET, freePort, startOpe, waitHealthy } from '../deploy/ope-process.js';
import type { OpeProcess } from '../deploy/ope-process.js';
import { postgresSkipReason, startPostgres } from '../helpers/postgres-server.js';
import type { PostgresServer } from '../helpers/postgres-server.js';

/**
 * The store as operators run it: real OPE processes (src/main.ts) on the embedded file and on a real PostgreSQL.
 * A 201 survives kill -9; two instances on one PostgreSQL agree within 1 s and never serve a cached price from a
 * superseded surface; a PostgreSQL outage degrades as docs/RUNBOOK.md ("The store") says, then recovers.
 */

const ALL = ['pricing:read', 'risk:read', 'market-data:read', 'market-data:write'];
let token: string;
const running: OpeProcess[] = [];

before(async () => {
  token = await mintDevToken({ secret: new TextEncoder().encode(DEV_SECRET), scopes: ALL, sub: 'desk-7' });
});
after(() => {
  for (const ope of running) ope.kill();
});

async function launch(env: Record<string, string>): Promise<{ ope: OpeProcess; url: string }> {
  const port = await freePort();
  const ope = startOpe(port, env);
  running.push(ope);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/healthz`, ope);
  return { ope, url };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of many shapes
type AnyJson = any;

async function call(
  url: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: AnyJson; headers: Headers }> {
  const response = await fetch(url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : JSON.parse(text), headers: response.headers };
}

const GRID = [
  [90, 0.5, 0.3],
  [110, 0.5, 0.22],
  [90, 1, 0.28],
  [110, 1, 0.21],
] as const;

const priceFromSurface = (url: string) =>
  call(url, '/api/v1/pricing/single', {
    contracts: [{ symbol: 'ACME', strike_price: 100, time_to_expiry: 0.75, option_type: 'call' }],
    market_data: { spot_price: 100, risk_free_rate: 0.03 },
  });

async function upsertGrid(url: string): Promise<void> {
  for (const [strike, maturity, volatility] of GRID) {
    const r = await call(url, '/api/v1/market-data/volatility', { strike, maturity, volatility });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('embedded store, one process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ope-data-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a point acknowledged with 201 through kill -9 and restart, with its version and history', async () => {
    const first = await launch({ OPE_DATA_DIR: dir });
    await upsertGrid(first.url);
    const last = await call(first.url, '/api/v1/market-data/volatility', {
      strike: 100,
      maturity: 0.75,
      volatility: 0.5,
      source: 'desk',
    });
    assert.equal(last.status, 201);
    first.ope.child.kill('SIGKILL');
    await first.ope.exited;

    const second = await launch({ OPE_DATA_DIR: dir });
    const list = await call(second.url, '/api/v1/market-data/volatility');
    assert.equal(list.json.version, 5);
    assert.equal(list.json.points.length, 5);
    assert.deepEqual(list.json.points.at(-1), { ...last.json });
    const before = await call(second.url, '/api/v1/market-data/volatility?as_of=4');
    assert.equal(before.json.points.length, 4);
    const priced = await priceFromSurface(second.url);
    assert.equal(priced.status, 200);
    assert.equal(priced.json.results[0].volatility_surface_version, 5);
    assert.equal(priced.json.results[0].volatility_used, 0.5);
    assert.equal(await second.ope.stop(), 0);
  });
});

const skip = postgresSkipReason();
describe('PostgreSQL store, several processes', { skip }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.close();
  });

  it('applies each migration once when several instances migrate at the same moment', async () => {
    const url = await server.createDatabase('migrate_race');
    const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: url, max: 1 }));
    try {
      const applied = await Promise.all(pools.map((p) => migratePostgres(p)));
      assert.equal(applied.filter((a) => a.length > 0).length, 1, JSON.stringify(applied));
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      const counted = await check.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      await check.end();
      assert.equal(counted.rows[0]?.n, 1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('two instances agree within 1 s, never serve a cached price from a superseded surface, survive kill -9 after a 201, and ride out an outage', async () => {
    const url = await server.createDatabase('two_instances');
    const env = { OPE_DATABASE_URL: url, OPE_SURFACE_MAX_STALENESS_SECONDS: '6', OPE_CACHE_TTL_SECONDS: '600' };
    const [a, b] = await Promise.all([launch(env), launch(env)]);
    await upsertGrid(a.url);

    // Agreement: B prices with A's latest point within 1 s, and says which version it used.
    const seen = await until(
      'B to use version 4',
      async () => {
        const r = await priceFromSurface(b.url);
        return r.json.results?.[0]?.volatility_surface_version === 4 ? r : undefined;
      },
      1000,
    );
    assert.ok(seen.ms <= 1000, `B caught up after ${seen.ms} ms`);
    const cachedOnB = await priceFromSurface(b.url);
    assert.equal(cachedOnB.json.results[0].cached, true);

    // A new point through A: B's next price comes from the new surface, not from its cache.
    const moved = await call(a.url, '/api/v1/market-data/volatility', { strike: 100, maturity: 0.75, volatility: 0.6 });
    assert.equal(moved.status, 201);
    const fresh = await until(
      'B to use version 5',
      async () => {
        const r = await priceFromSurface(b.url);
        return r.json.results?.[0]?.volatility_surface_version === 5 ? r : undefined;
      },
      1000,
    );
    assert.equal(fresh.value.json.results[0].volatility_used, 0.6);
    assert.equal(fresh.value.json.results[0].cached, false);
    assert.notEqual(fresh.value.json.results[0].theoretical_price, cachedOnB.json.results[0].theoretical_price);

    // kill -9 right after a 201: the point is there for B and after a restart of A.
    const committed = await call(a.url, '/api/v1/market-data/volatility', {
      strike: 120,
      maturity: 2,
      volatility: 0.33,
    });
    assert.equal(committed.status, 201);
    assert.equal(committed.headers.get('x-surface-version'), '6');
    a.ope.child.kill('SIGKILL');
    await a.ope.exited;
    const onB = await call(b.url, '/api/v1/market-data/volatility');
    assert.equal(onB.json.version, 6);
    const subjects = new pg.Client({ connectionString: url });
    await subjects.connect();
    const rows = (await subjects.query<{ subject: string }>('SELECT subject FROM volatility_changes ORDER BY version'))
      .rows;
    await subjects.end();
    // A development-secret token's subject is recorded tagged (docs/SECURITY.md, development identities).
    assert.deepEqual(
      rows.map((r) => r.subject),
      Array(6).fill('dev:desk-7'),
    );

    // Outage: explicit volatility keeps pricing, the surface serves while young, writes answer 503, then 503 stale.
    await server.stop();
    const explicit = await call(b.url, '/api/v1/pricing/single', {
      contracts: [{ symbol: 'ACME', strike_price: 100, time_to_expiry: 0.75, option_type: 'put' }],
      market_data: { spot_price: 100, risk_free_rate: 0.03, volatility: 0.25 },
    });
    assert.equal(explicit.status, 200, JSON.stringify(explicit.json));
    const young = await priceFromSurface(b.url);
    assert.equal(young.status, 200, JSON.stringify(young.json));
    const refused = await call(b.url, '/api/v1/market-data/volatility', { strike: 130, maturity: 2, volatility: 0.3 });
    assert.equal(refused.status, 503);
    assert.ok(refused.headers.get('retry-after'));
    const stale = await until(
      'the surface to go stale',
      async () => {
        const r = await priceFromSurface(b.url);
        return r.status === 503 ? r : undefined;
      },
      10_000,
    );
    assert.ok(stale.value.headers.get('retry-after'));
    const stillExplicit = await call(b.url, '/api/v1/pricing/single', {
      contracts: [{ symbol: 'ACME', strike_price: 100, time_to_expiry: 0.75, option_type: 'put' }],
      market_data: { spot_price: 100, risk_free_rate: 0.03, volatility: 0.25 },
    });
    assert.equal(stillExplicit.status, 200);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    assert.match(metrics, /ope_store_errors_total\{operation="upsert"\} [1-9]/);

    // Recovery: the store answers again, B serves the surface and accepts writes; A restarts and has everything.
    await server.start();
    await until(
      'B to price from the surface again',
      async () => {
        const r = await priceFromSurface(b.url);
        return r.status === 200 ? r : undefined;
      },
      10_000,
    );
    await until(
      'B to accept writes again',
      async () => {
        const r = await call(b.url, '/api/v1/market-data/volatility', { strike: 130, maturity: 2, volatility: 0.3 });
        return r.status === 201 ? r : undefined;
      },
      10_000,
    );
    const a2 = await launch(env);
    const listed = await call(a2.url, '/api/v1/market-data/volatility');
    assert.equal(listed.json.version, 7);
    // A2's point reaches B over LISTEN (B's listening connection reconnected after the outage).
    assert.equal(
      (await call(a2.url, '/api/v1/market-data/volatility', { strike: 140, maturity: 2, volatility: 0.31 })).status,
      201,
    );
    await until(
      'B to hear of version 8',
      async () => {
        const r = await call(b.url, '/api/v1/market-data/volatility');
        return r.json.version === 8 ? r : undefined;
      },
      1000,
    );
    assert.equal(await a2.ope.stop(), 0);
    assert.equal(await b.ope.stop(), 0);
  });
});
