/**
 * The HTTP benchmark's yardsticks, in their own process like the service: what Fastify itself costs on this machine.
 *   GET  /hello                   a bare hello-world route (the first yardstick);
 *   POST /api/v1/pricing/single   OPE's own request and response schemas (the same Ajv options and keywords), a
 *                                 response of the real shape built once, and nothing else: no logger, no hooks, no
 *                                 auth, no pricing. No service built on Fastify with these schemas can answer faster.
 * Prints `PORT <n>` once listening on 127.0.0.1.
 */
import Fastify from 'fastify';
import { AJV_OPTIONS, addOpeKeywords } from '../../src/http/validation.js';
import { PricingBatchResponse, PricingRequest } from '../../src/http/schemas.js';

const app = Fastify({ logger: false, ajv: { customOptions: { ...AJV_OPTIONS }, plugins: [addOpeKeywords as never] } });
app.get('/hello', async () => ({ hello: 'world' }));

const result = {
  contract_id: 'ABC_80.00_0.1000_C',
  theoretical_price: 20.07,
  delta: 0.99,
  gamma: 0.001,
  theta: -0.01,
  vega: 0.002,
  rho: 0.008,
  implied_volatility: 0.25,
  computation_time_ms: 0.004,
  model_used: 'black_scholes',
  volatility_used: 0.25,
  cached: false,
  error: null,
  standard_error: null,
  confidence_interval: null,
  quantity: 1,
  position_value: 20.07,
  position_delta: 0.99,
  position_gamma: 0.001,
  position_theta: -0.01,
  position_vega: 0.002,
  position_rho: 0.008,
  position_standard_error: null,
  position_confidence_interval: null,
};
const response = {
  results: [result],
  total_computation_time_ms: 0.01,
  options_per_second: 100_000,
  portfolio_greeks: {
    delta: 0.99,
    gamma: 0.001,
    theta: -0.01,
    vega: 0.002,
    rho: 0.008,
    total_value: 20.07,
    total_vega_exposure: 0.2,
    position_count: 1,
  },
};
app.post(
  '/api/v1/pricing/single',
  { schema: { body: PricingRequest, response: { 200: PricingBatchResponse } } },
  async () => response,
);

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`PORT ${typeof address === 'object' && address !== null ? address.port : -1}`);
