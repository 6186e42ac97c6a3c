import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { UNMATCHED_ROUTE } from '../../src/observability/metrics.js';
import { POOL_ENGINE_LABEL } from '../../src/pool/pricing-pool.js';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import type { IdentityProvider } from '../helpers/identity-provider.js';
import { pricingRequest } from '../http/support.js';
import { freePort, startOpe, waitHealthy } from '../deploy/ope-process.js';
import type { OpeProcess } from '../deploy/ope-process.js';
import { buildInspectableApp, hasRoute } from '../monitoring/app-routes.js';
import type { InspectableApp } from '../monitoring/app-routes.js';
import { skipUnlessInstalled } from '../monitoring/system-tool.js';
import { parseExposition, sampleValue } from './exposition.js';
import type { Family } from './exposition.js';

/**
 * The metrics contract (the CONTRACT table below; docs/RUNBOOK.md uses these names): dashboards and alert rules depend on these names,
 * types, labels and buckets. The real service (src/main.ts in its own process, as operators run it, with OIDC
 * against a loopback identity provider) receives traffic that exercises every metric: pricing (with a failing
 * contract), a 404 scan, each authentication failure, a 413, a 422, a 429 and a pool rejection (503). Then one
 * scrape of GET /metrics is read as Prometheus reads it, and every contract metric must be there, exactly as
 * specified, with counts that match the traffic sent.
 */

interface ContractMetric {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

// The Python service's metrics (names, labels and buckets are a contract), transcribed: this table is their record.
const CONTRACT: Readonly<Record<string, ContractMetric>> = {
  ope_request_total: { type: 'counter', labels: ['method', 'route', 'status_code'] },
  ope_request_errors_total: { type: 'counter', labels: ['method', 'route', 'status_code'] },
  ope_request_latency_seconds: {
    type: 'histogram',
    labels: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  ope_model_latency_seconds: {
    type: 'histogram',
    labels: ['model'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  },
  ope_model_errors_total: { type: 'counter', labels: ['model'] },
  ope_auth_failures_total: { type: 'counter', labels: ['reason'] },
  ope_rate_limit_rejections_total: { type: 'counter', labels: ['route'] },
  ope_payload_too_large_total: { type: 'counter', labels: ['route'] },
  ope_threadpool_workers: { type: 'gauge', labels: ['engine'] },
  ope_threadpool_tasks_in_flight: { type: 'gauge', labels: ['engine'] },
  ope_threadpool_queue_depth: { type: 'gauge', labels: ['engine'] },
  ope_threadpool_queue_wait_seconds: {
    type: 'histogram',
    labels: ['engine'],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
  },
  ope_threadpool_rejections_total: { type: 'counter', labels: ['engine'] },
  ope_threadpool_saturation_total: { type: 'counter', labels: ['engine'] },
  // Beyond the table: the JWKS metrics the JWKS alert reads (src/observability/metrics.ts).
  ope_jwks_refresh_failures_total: { type: 'counter', labels: [] },
  ope_jwks_last_success_timestamp_seconds: { type: 'gauge', labels: [] },
};

// prom-client's default metrics the contract relies on: CPU, memory, event-loop lag.
const PROCESS_METRICS = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
];

const THREADS = 1;
const MAX_BODY_BYTES = 65_536;
/** Requests a rate-limited client may make per minute (RATE_LIMIT_DEFAULT for this process). */
const RATE_LIMIT = 20;
/** Unknown routes count against the rate limit too: the scanner stays within its own budget. */
const SCAN_PATHS = 20;

const PRICING = '/api/v1/pricing/single';
const BATCH = '/api/v1/pricing/batch';

/** A Monte Carlo batch big enough to hold the single pricing thread for a while. */
function longMonteCarloBatch(): Record<string, unknown> {
  const contracts = Array.from({ length: 400 }, (_, i) => ({
    symbol: 'MC',
    strike_price: 60 + i / 5,
    time_to_expiry: 1,
    option_type: 'call',
  }));
  return {
    contracts,
    market_data: { spot_price: 100, risk_free_rate: 0.01, volatility: 0.2 },
    model: 'monte_carlo_20k',
    seed: 7,
  };
}

describe('GET /metrics of the running service honours the metrics contract', () => {
  let idp: IdentityProvider;
  let ope: OpeProcess;
  let url: string;
  let families: Map<string, Family>;
  let scrapeText: string;
  let scrapeContentType: string;
  let inspectable: InspectableApp;
  const sent = { notFound: 0, rateLimited: 0 };

  async function call(
    path: string,
    init: { method?: string; body?: unknown; token?: string | null; raw?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.token !== null && init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined = init.raw;
    if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url + path, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
    await response.arrayBuffer();
    return response;
  }

  before(async () => {
    idp = await startIdentityProvider();
    const port = await freePort();
    ope = startOpe(port, {
      ...testEnv(idp),
      DEV_JWT_SECRET: '',
      OPE_THREADS: String(THREADS),
      // No waiting room: a second long job while one runs is refused at once (ope_threadpool_saturation_total).
      OPE_THREAD_QUEUE_MAX: '0',
      OPE_THREAD_QUEUE_TIMEOUT_SECONDS: '0',
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      RATE_LIMIT_DEFAULT: `${RATE_LIMIT}/minute`,
    });
    url = `http://127.0.0.1:${port}`;
    await waitHealthy(`${url}/healthz`, ope);
    inspectable = await buildInspectableApp();

    const token = await idp.mintToken({ scopes: ['pricing:read', 'risk:read'], sub: 'alice' });

    assert.equal((await call(PRICING, { body: pricingRequest(), token })).status, 200);
    // black_scholes refuses an American contract: that contract fails alone (ope_model_errors_total).
    const american = {
      symbol: 'AM',
      strike_price: 100,
      time_to_expiry: 0.5,
      option_type: 'put',
      exercise_style: 'american',
    };
    const european = { symbol: 'EU', strike_price: 100, time_to_expiry: 0.5, option_type: 'put' };
    assert.equal((await call(BATCH, { body: pricingRequest({ contracts: [european, american] }), token })).status, 200);
    assert.equal((await call(PRICING, { body: pricingRequest({ model: 'binomial_200' }), token })).status, 200);

    // A scanner: many distinct unknown paths (with its own token, so its rate-limit budget is its own).
    const scanner = await idp.mintToken({ scopes: [], sub: 'scanner' });
    for (let i = 0; i < SCAN_PATHS; i += 1) {
      assert.equal((await call(`/wp-admin/${i}/setup-${i * 7919}.php`, { token: scanner })).status, 404);
      sent.notFound += 1;
    }

    assert.equal((await call(PRICING, { body: pricingRequest(), token: null })).status, 401);
    assert.equal((await call(PRICING, { body: pricingRequest(), token: 'not.a.jwt' })).status, 401);
    // Key B exists at the provider but is not published.
    assert.equal(
      (
        await call(PRICING, {
          body: pricingRequest(),
          token: await idp.mintToken({ kid: 'B', scopes: ['pricing:read'] }),
        })
      ).status,
      401,
    );
    assert.equal(
      (await call(PRICING, { body: pricingRequest(), token: await idp.mintToken({ scopes: ['risk:read'] }) })).status,
      403,
    );

    assert.equal(
      (await call(BATCH, { raw: JSON.stringify(pricingRequest()).padEnd(MAX_BODY_BYTES + 100, ' '), token })).status,
      413,
    );
    assert.equal((await call(PRICING, { body: pricingRequest({ model: 'no_such_model' }), token })).status, 422);

    // One client over its limit; alice stays under it.
    const mallory = await idp.mintToken({ scopes: ['pricing:read'], sub: 'mallory' });
    for (let i = 0; i <= RATE_LIMIT; i += 1) {
      const status = (await call('/api/v1/models', { token: mallory })).status;
      if (status === 429) sent.rateLimited += 1;
      else assert.equal(status, 200);
    }

    // Pool saturation: a long job holds the only thread; a second one finds no room and is refused with 503.
    let refused = false;
    for (let attempt = 0; attempt < 5 && !refused; attempt += 1) {
      const long = call(BATCH, { body: longMonteCarloBatch(), token });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = await call(BATCH, { body: longMonteCarloBatch(), token });
      refused = second.status === 503;
      assert.equal((await long).status, 200);
    }
    assert.ok(refused, 'no request was refused by the saturated pool');

    const scrape = await fetch(`${url}/metrics`);
    scrapeContentType = scrape.headers.get('content-type') ?? '';
    scrapeText = await scrape.text();
    families = parseExposition(scrapeText);
  });

  after(async () => {
    await inspectable?.close();
    if (ope !== undefined) assert.equal(await ope.stop(), 0);
    await idp?.close();
  });

  it('is served as the Prometheus text format 0.0.4', () => {
    assert.match(scrapeContentType, /^text\/plain; version=0\.0\.4/);
  });

  it(
    "passes promtool check metrics, apart from the lint prom-client's own default gauges are known for",
    { skip: skipUnlessInstalled('promtool', ['--version'], 'prometheus', 'the exposition lint') },
    () => {
      const run = spawnSync('promtool', ['check', 'metrics'], { input: scrapeText, encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.error, undefined);
      // prom-client names three gauges nodejs_active_*_total; nothing else may be reported.
      const problems = `${run.stdout}${run.stderr}`
        .split('\n')
        .filter(
          (line) =>
            line.trim() !== '' &&
            !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(
              line.trim(),
            ),
        );
      assert.deepEqual(problems, []);
    },
  );

  it('has every contract metric with its type and exactly its labels', () => {
    for (const [name, spec] of Object.entries(CONTRACT)) {
      const family = families.get(name);
      assert.ok(family, `${name} is missing`);
      assert.equal(family.type, spec.type, `${name} type`);
      assert.ok(family.samples.length > 0, `${name} has no samples after the traffic`);
      for (const sample of family.samples) {
        const expected = sample.name.endsWith('_bucket') ? [...spec.labels, 'le'] : [...spec.labels];
        assert.deepEqual(Object.keys(sample.labels).sort(), expected.sort(), `${sample.name} labels`);
      }
    }
  });

  it('has exactly the contract buckets on every histogram series', () => {
    for (const [name, spec] of Object.entries(CONTRACT)) {
      if (spec.type !== 'histogram') continue;
      const series = new Map<string, string[]>();
      for (const sample of families.get(name)!.samples.filter((s) => s.name === `${name}_bucket`)) {
        const { le, ...rest } = sample.labels;
        const key = JSON.stringify(rest);
        series.set(key, [...(series.get(key) ?? []), le!]);
      }
      assert.ok(series.size > 0, `${name}: no bucket series`);
      for (const [key, les] of series) {
        assert.deepEqual(les, [...spec.buckets!.map(String), '+Inf'], `${name} ${key} buckets`);
      }
    }
  });

  it('labels requests with route templates, and every unmatched path with one shared value', () => {
    const routes = new Set(families.get('ope_request_total')!.samples.map((s) => s.labels.route!));
    for (const route of routes) {
      assert.ok(
        route === UNMATCHED_ROUTE || hasRoute(inspectable.app, route),
        `route label "${route}" is not a registered route`,
      );
    }
    assert.ok(![...routes].some((r) => r.includes('wp-admin')), 'a raw path became a label value');
    assert.equal(
      sampleValue(families, 'ope_request_total', { method: 'GET', route: UNMATCHED_ROUTE, status_code: '404' }),
      sent.notFound,
    );
    assert.equal(sampleValue(families, 'ope_request_total', { method: 'POST', route: PRICING, status_code: '422' }), 1);
  });

  it('counts pricing: per-model compute time, the failing contract, and 5xx answers as errors', () => {
    assert.ok(sampleValue(families, 'ope_model_latency_seconds_count', { model: 'black_scholes' })! >= 2);
    assert.ok(sampleValue(families, 'ope_model_latency_seconds_count', { model: 'binomial_200' })! >= 1);
    assert.equal(sampleValue(families, 'ope_model_errors_total', { model: 'black_scholes' }), 1);
    const errors = families.get('ope_request_errors_total')!.samples;
    assert.ok(
      errors.every((s) => Number(s.labels.status_code) >= 500),
      'a status below 500 counted as an error',
    );
    assert.ok(
      sampleValue(families, 'ope_request_errors_total', { method: 'POST', route: BATCH, status_code: '503' })! >= 1,
    );
    assert.ok(sampleValue(families, 'ope_request_latency_seconds_count', { method: 'POST', route: PRICING })! >= 1);
  });

  it('counts each authentication failure under its reason', () => {
    for (const reason of ['missing_token', 'jwt_error', 'unknown_kid', 'insufficient_scope']) {
      assert.equal(sampleValue(families, 'ope_auth_failures_total', { reason }), 1, reason);
    }
    assert.equal(sampleValue(families, 'ope_jwks_refresh_failures_total'), 0);
    const lastSuccess = sampleValue(families, 'ope_jwks_last_success_timestamp_seconds')!;
    assert.ok(Math.abs(Date.now() / 1000 - lastSuccess) < 600, `JWKS last success ${lastSuccess} is not recent`);
  });

  it('counts 413s for body size by route', () => {
    assert.equal(sampleValue(families, 'ope_payload_too_large_total', { route: BATCH }), 1);
  });

  it('counts 429s by route, for the client over its limit only', () => {
    assert.ok(sent.rateLimited >= 1, 'the rate limit never answered 429');
    assert.equal(
      sampleValue(families, 'ope_rate_limit_rejections_total', { route: '/api/v1/models' }),
      sent.rateLimited,
    );
  });

  it('shows the pool: configured threads, idle gauges after the work, queue waits observed, rejections and saturation', () => {
    const engine = { engine: POOL_ENGINE_LABEL };
    assert.equal(sampleValue(families, 'ope_threadpool_workers', engine), THREADS);
    assert.equal(sampleValue(families, 'ope_threadpool_tasks_in_flight', engine), 0);
    assert.equal(sampleValue(families, 'ope_threadpool_queue_depth', engine), 0);
    assert.ok(sampleValue(families, 'ope_threadpool_queue_wait_seconds_count', engine)! >= 1);
    const rejections = sampleValue(families, 'ope_threadpool_rejections_total', engine)!;
    assert.ok(rejections >= 1);
    // With no waiting room, every rejection is a hard one.
    assert.equal(sampleValue(families, 'ope_threadpool_saturation_total', engine), rejections);
  });

  it("includes prom-client's default process metrics: CPU, memory and event-loop lag", () => {
    for (const name of PROCESS_METRICS) {
      const family = families.get(name);
      assert.ok(family && family.samples.length > 0, `${name} is missing`);
    }
  });
});
