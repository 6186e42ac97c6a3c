import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { traceIdFromTraceparent } from '../../src/observability/trace-context.js';
import { startServer } from '../http/support.js';
import type { TestServer } from '../http/support.js';

describe('traceIdFromTraceparent (W3C Trace Context, section 3.2)', () => {
  const id = '4bf92f3577b34da6a3ce929d0e0e4736';
  it('reads the trace id of a valid header, future versions included', () => {
    assert.equal(traceIdFromTraceparent(`00-${id}-00f067aa0ba902b7-01`), id);
    assert.equal(traceIdFromTraceparent(`01-${id}-00f067aa0ba902b7-01-extra`), id);
  });
  it('ignores invalid values', () => {
    for (const bad of [
      undefined,
      '',
      `ff-${id}-00f067aa0ba902b7-01`,
      `00-${id}-00f067aa0ba902b7-01-extra`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${id}-${'0'.repeat(16)}-01`,
      `00-${id.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${id}-00f067aa0ba902b7`,
    ]) {
      assert.equal(traceIdFromTraceparent(bad), undefined, String(bad));
    }
    assert.equal(traceIdFromTraceparent([`00-${id}-00f067aa0ba902b7-01`]), undefined, 'a repeated header is ambiguous');
  });
});

describe('request log lines without an exporter', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.close();
  });

  it('carry the trace id of an incoming traceparent, on the access line and on request.log lines', async () => {
    const id = 'a3ce929d0e0e47364bf92f3577b34da6';
    const response = await server.request('/api/v1/pricing/single', {
      headers: { traceparent: `00-${id}-00f067aa0ba902b7-01` },
      body: {
        contracts: [{ symbol: 'ABC', strike_price: 'x', time_to_expiry: 0.5, option_type: 'call' }],
        market_data: { spot_price: 1, risk_free_rate: 0 },
      },
    });
    assert.equal(response.status, 422);
    const requestId = response.headers.get('x-request-id');
    const lines = server.logs.filter((l) => l.request_id === requestId);
    assert.ok(lines.length >= 1);
    assert.ok(
      lines.every((l) => l.trace_id === id),
      JSON.stringify(lines),
    );

    // A refused token is logged through request.log (the auth plugin) before the access line.
    const refused = await server.request('/api/v1/models', {
      token: 'not-a-jwt',
      headers: { traceparent: `00-${id}-00f067aa0ba902b7-01` },
    });
    assert.equal(refused.status, 401);
    const refusedLines = server.logs.filter((l) => l.request_id === refused.headers.get('x-request-id'));
    assert.ok(refusedLines.length >= 2, JSON.stringify(refusedLines));
    assert.ok(
      refusedLines.every((l) => l.trace_id === id),
      JSON.stringify(refusedLines),
    );
  });

  it('log a successful probe or scrape at debug, not info, and a failing one at info', async () => {
    await server.request('/healthz', { token: null });
    await server.request('/metrics', { token: null });
    const probes = server.logs.filter(
      (l) => l.event === 'request.complete' && ['/healthz', '/metrics'].includes(String(l.route)),
    );
    assert.deepEqual(
      probes.map((l) => l.level),
      ['debug', 'debug'],
    );
    server.app.lifecycle.startDraining();
    assert.equal((await server.request('/healthz', { token: null })).status, 503);
    const draining = server.logs.filter((l) => l.event === 'request.complete' && l.route === '/healthz').at(-1);
    assert.equal(draining?.level, 'info');
  });
});
