/**
 * Type-level tests of the quote API's wire types as the library exports them (src/core/index.ts): `npm run typecheck`
 * compiling this file is the assertion. A client builds requests with them and reads answers through them; the
 * runtime test checks that a real answer of each route has exactly the fields the types name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  BatchRequest,
  BatchResponse,
  GreeksResponse,
  QuoteRequest,
  QuoteResponse,
  ReplayResponse,
  VersionResponse,
} from '../../src/core/index.js';
import { startServer, type TestServer } from '../http/support.js';

export function compileOnlyAssertions(): void {
  const request: QuoteRequest = {
    contract: { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' },
    market: { spot_price: 102, risk_free_rate: 0.01 },
    volatility: 0.2,
    model: { family: 'binomial', params: { steps: 500 } },
    greeks: { delta: true },
  };
  const batch: BatchRequest = { items: [request], greeks_default: { vega: true } };
  // @ts-expect-error model families are a closed set
  const wrongFamily: QuoteRequest = { ...request, model: { family: 'heston' } };
  // @ts-expect-error a contract needs its strike
  const noStrike: QuoteRequest = { ...request, contract: { symbol: 'A', time_to_expiry: 1, option_type: 'put' } };
  void [batch, wrongFamily, noStrike];

  const readAnswers = (
    quote: QuoteResponse,
    replay: ReplayResponse,
    version: VersionResponse,
  ): [number, boolean, boolean] => [quote.theoretical_price, replay.verified, version.flags.qmc];
  void readAnswers;
}

describe('the quote API types describe the answers', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  it('QuoteResponse, GreeksResponse, BatchResponse, ReplayResponse and VersionResponse', async () => {
    const body: QuoteRequest = {
      contract: { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' },
      market: { spot_price: 102, risk_free_rate: 0.01 },
      volatility: 0.2,
      model: { family: 'monte_carlo', params: { paths: 2000 } },
    };
    const quote = (await s.request('/quote', { body })).json as QuoteResponse;
    const fields: (keyof QuoteResponse)[] = [
      'capsule_id',
      'ci',
      'greeks',
      'greeks_meta',
      'model_used',
      'seed_lineage',
      'theoretical_price',
    ];
    assert.deepEqual(Object.keys(quote).sort(), fields.sort());
    const greeks = (await s.request('/greeks', { body })).json as GreeksResponse;
    assert.deepEqual(
      Object.keys(greeks).sort(),
      (['capsule_id', 'greeks', 'model_used'] satisfies (keyof GreeksResponse)[]).sort(),
    );
    const batch = (await s.request('/batch', { body: { items: [body] } satisfies BatchRequest })).json as BatchResponse;
    assert.deepEqual(Object.keys(batch).sort(), (['capsule_ids', 'results'] satisfies (keyof BatchResponse)[]).sort());
    const replay = (await s.request(`/replay/${quote.capsule_id}`, { body: {} })).json as ReplayResponse;
    assert.deepEqual(
      Object.keys(replay).sort(),
      [...fields, ...(['build_id', 'replayed', 'verified'] satisfies (keyof ReplayResponse)[])].sort(),
    );
    const version = (await s.request('/version', { token: null })).json as VersionResponse;
    assert.deepEqual(
      Object.keys(version).sort(),
      (
        ['baseline_tag', 'build_id', 'flags', 'library_versions', 'sbom_hash'] satisfies (keyof VersionResponse)[]
      ).sort(),
    );
  });
});
