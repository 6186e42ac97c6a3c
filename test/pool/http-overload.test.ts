/**
 * The pool behind a real listening server (test/http/support.ts): a burst beyond capacity is answered with 200s
 * and 503s only, a task past its deadline is answered 503 on time, and the pool's state shows in /metrics.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startServer, type TestResponse, type TestServer } from '../http/support.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(env: Record<string, string>): Promise<TestServer> {
  const s = await startServer({ env });
  servers.push(s);
  return s;
}

/** A monte_carlo_20k batch; a distinct seed per request keeps the result cache out of the way. */
function monteCarloBatch(contracts: number, seed: number): Record<string, unknown> {
  return {
    contracts: Array.from({ length: contracts }, (_, i) => ({
      symbol: 'ABC',
      strike_price: 80 + (i % 40),
      time_to_expiry: 0.25 + (i % 8) * 0.25,
      option_type: i % 2 === 0 ? 'call' : 'put',
    })),
    market_data: { spot_price: 100, risk_free_rate: 0.02, dividend_yield: 0, volatility: 0.25 },
    model: 'monte_carlo_20k',
    calculate_greeks: true,
    seed,
  };
}

/** The value of `name{engine="pricing"}` (or another label set) in a Prometheus text exposition. */
function metric(text: string, name: string, labels = 'engine="pricing"'): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  assert.ok(line !== undefined, `${name}{${labels}} is exposed`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

function assertUnavailable(response: TestResponse): void {
  assert.equal(response.status, 503);
  assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  assert.equal(response.json.detail, 'Pricing engine unavailable');
  assert.equal(typeof response.json.request_id, 'string');
}

describe('the pricing pool behind the HTTP server', () => {
  it('answers a burst beyond one thread and a queue of one with 200s and 503s only, shows it in /metrics, and recovers at once', async () => {
    const s = await server({
      OPE_THREADS: '1',
      OPE_THREAD_QUEUE_MAX: '1',
      OPE_THREAD_QUEUE_TIMEOUT_SECONDS: '0',
      OPE_THREAD_TASK_TIMEOUT_SECONDS: '120',
    });
    const token = await s.token(['pricing:read']);
    assert.equal(
      (await s.request('/api/v1/pricing/batch', { token, body: monteCarloBatch(2, 1) })).status,
      200,
      'warm-up',
    );

    const burst = Array.from({ length: 8 }, (_, i) =>
      s.request('/api/v1/pricing/batch', { token, body: monteCarloBatch(150, 100 + i) }),
    );
    // The queue fills while the first request runs: /metrics must say so before the burst is over.
    let sawQueued = false;
    let settled = false;
    void Promise.allSettled(burst).then(() => {
      settled = true;
    });
    while (!settled && !sawQueued) {
      // Through inject() a scrape settles within one turn of the event loop; without this yield the loop would
      // never let the worker's answers in, and the burst would never settle.
      await new Promise((resolve) => setImmediate(resolve));
      const scrape = await s.request('/metrics', { token: null });
      sawQueued =
        metric(scrape.text, 'ope_threadpool_queue_depth') === 1 &&
        metric(scrape.text, 'ope_threadpool_tasks_in_flight') === 1;
    }
    const responses = await Promise.all(burst);
    assert.ok(sawQueued, 'queue depth 1 with one task in flight was visible in /metrics during the burst');

    const ok = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    assert.ok(ok.length >= 1 && refused.length >= 1, `statuses ${responses.map((r) => r.status).join(',')}`);
    for (const r of ok) assert.equal(r.json.results.length, 150);
    for (const r of refused) assertUnavailable(r);

    const scrape = (await s.request('/metrics', { token: null })).text;
    assert.equal(metric(scrape, 'ope_threadpool_rejections_total'), refused.length);
    assert.equal(metric(scrape, 'ope_threadpool_saturation_total'), refused.length);
    assert.equal(metric(scrape, 'ope_threadpool_queue_depth'), 0);
    assert.equal(metric(scrape, 'ope_threadpool_tasks_in_flight'), 0);
    assert.equal(metric(scrape, 'ope_threadpool_workers'), 1);
    assert.equal(metric(scrape, 'ope_threadpool_queue_wait_seconds_count'), 1 + ok.length);

    const next = await s.request('/api/v1/pricing/batch', { token, body: monteCarloBatch(4, 999) });
    assert.equal(next.status, 200);
  });

  it('answers a task past OPE_THREAD_TASK_TIMEOUT_SECONDS with 503 on time, and the replacement thread serves the next request', async () => {
    // A generous admission wait: the follow-up request waits for the replacement thread to load, which takes
    // seconds on a loaded machine under tsx, and that wait is admission, not the 1 s task deadline under test.
    const s = await server({
      OPE_THREADS: '1',
      OPE_THREAD_QUEUE_MAX: '4',
      OPE_THREAD_QUEUE_TIMEOUT_SECONDS: '60',
      OPE_THREAD_TASK_TIMEOUT_SECONDS: '1',
      OPE_MAX_CONTRACTS: '4000',
      MAX_BODY_BYTES: '4194304',
    });
    const token = await s.token(['pricing:read']);
    assert.equal(
      (await s.request('/api/v1/pricing/batch', { token, body: monteCarloBatch(2, 1) })).status,
      200,
      'warm-up',
    );

    // 4,000 contracts of 20,000 paths with greeks take seconds on one thread, even on the WebAssembly kernels
    // (under 1 ms each on a quiet core).
    const body = monteCarloBatch(4000, 2);
    const started = performance.now();
    const slow = await s.request('/api/v1/pricing/batch', { token, body });
    const elapsedMs = performance.now() - started;
    assertUnavailable(slow);
    assert.ok(elapsedMs >= 1000 && elapsedMs < 2500, `answered after ${elapsedMs.toFixed(0)} ms`);

    // One contract without greeks: the replacement thread runs it cold (unoptimised code), and on a loaded
    // machine a bigger batch could itself meet the 1 s deadline.
    const next = await s.request('/api/v1/pricing/batch', {
      token,
      body: { ...monteCarloBatch(1, 3), calculate_greeks: false },
    });
    assert.equal(next.status, 200);
    assert.equal(next.json.results.length, 1);
    const scrape = (await s.request('/metrics', { token: null })).text;
    assert.equal(metric(scrape, 'ope_threadpool_tasks_in_flight'), 0);
    assert.equal(metric(scrape, 'ope_threadpool_rejections_total'), 0, 'a deadline is not an admission refusal');
  });
});
