import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support.js';
import type { TestServer } from './support.js';

/**
 * One client inside its rate limit must not starve the rest (docs/SECURITY.md, "Pricing capacity"): a client
 * flooding the pool with Monte Carlo batches gets 503s with a Retry-After once its share is queued, and another
 * client's request is admitted at once, behind at most that share. A real listener with one pricing thread.
 */
describe('fairness across clients in the pricing pool', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { OPE_FAIR_SHARE_SECONDS: '0.25' } });
  });
  after(async () => server.close());

  const batch = (n: number) => ({
    contracts: Array.from({ length: n }, (_, i) => ({
      symbol: `C${i}`,
      strike_price: 90 + (i % 20),
      time_to_expiry: 0.5,
      option_type: 'call',
      exercise_style: 'european',
    })),
    market_data: { spot_price: 100, risk_free_rate: 0.01, dividend_yield: 0, volatility: 0.2 },
    model: 'monte_carlo_20k',
    calculate_greeks: true,
  });

  it('refuses the flooding client past its share with Retry-After and answers the other client before the flood has drained', async () => {
    const hogToken = await server.token(['pricing:read'], 'hog');
    const victimToken = await server.token(['pricing:read'], 'victim');
    const order: string[] = [];
    const hog = Array.from({ length: 12 }, async () => {
      const response = await server.request('/api/v1/pricing/batch', { token: hogToken, body: batch(100) });
      order.push(`hog:${response.status}`);
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const victim = await server.request('/api/v1/pricing/batch', { token: victimToken, body: batch(100) });
    order.push('victim');
    const hogResponses = await Promise.all(hog);

    assert.equal(victim.status, 200);
    const refused = hogResponses.filter((r) => r.status === 503);
    assert.ok(refused.length > 0, `hog statuses: ${hogResponses.map((r) => r.status).join(',')}`);
    for (const r of refused) assert.ok(Number(r.headers.get('retry-after')) >= 1);
    const hogDoneBeforeVictim = order.slice(0, order.indexOf('victim')).filter((s) => s === 'hog:200').length;
    assert.ok(
      hogDoneBeforeVictim <= 6,
      `the victim waited for ${hogDoneBeforeVictim} of the hog's batches: ${order.join(' ')}`,
    );
  });
});
