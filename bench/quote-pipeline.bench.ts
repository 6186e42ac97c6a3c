/**
 * What /quote black_scholes adds to pricing, in one process and without HTTP: CPU per call of the quote pipeline
 * (normalise, engine.price with the request's canonical text, request hash, lineage and capsule id, the response's
 * canonical text, capsule text, and the known-capsule check of the record store) against the bare pool.run the v1
 * route also makes for the same contract. Run: `node --import tsx bench/quote-pipeline.bench.ts`
 * (BENCH_CALLS, default 200,000 per round; two interleaved rounds after a warm-up). docs/api.md, "Performance".
 */
import { createQuoteEngine } from '../src/http/quote/quote-engine.js';
import { normaliseQuote } from '../src/http/quote/normalise.js';
import { canonicalResponseText } from '../src/http/quote/canonical-shapes.js';
import { capsuleText, createQuoteRecords } from '../src/http/quote/records.js';
import type { QuoteRequest } from '../src/core/quote-api.js';
import type { PriceTask } from '../src/pool/tasks.js';
import { MemoryDocumentStore } from '../src/store/memory-document-store.js';
import { PricingPool } from '../src/pool/pricing-pool.js';
import { createMetrics } from '../src/observability/metrics.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const BUILD_ID = 'bench';

const metrics = createMetrics({ defaultMetrics: false });
const pool = new PricingPool({ threads: 1, queueMax: 8, queueTimeoutSeconds: 10, taskTimeoutSeconds: 10, metrics });
const engine = createQuoteEngine({ pool, buildId: BUILD_ID, metrics });
const records = createQuoteRecords({ store: new MemoryDocumentStore(), capsuleRetentionDays: 30 });

const body: QuoteRequest = {
  contract: { symbol: 'BENCH', strike_price: 105, time_to_expiry: 0.7, option_type: 'call' },
  market: { spot_price: 100, risk_free_rate: 0.03, dividend_yield: 0.01 },
  volatility: 0.25,
  model: { family: 'black_scholes' },
};
const task: PriceTask = {
  kind: 'price',
  model: 'black_scholes',
  greeks: true,
  items: [
    {
      option: { type: 'call', strike: 105, expiry: 0.7, exercise: 'european' },
      market: { spot: 100, rate: 0.03, dividendYield: 0.01, volatility: 0.25 },
    },
  ],
};

async function quotePipeline(): Promise<unknown> {
  const quote = normaliseQuote(body);
  const priced = await engine.price(quote, 0);
  const responseText = canonicalResponseText(priced.response);
  const { requestText, lineage } = priced;
  await records.saveCapsule(
    priced.response.capsule_id,
    capsuleText({ requestText, responseText, index: 0, lineage, buildId: BUILD_ID }),
  );
  return responseText;
}

const poolRunOnly = (): Promise<unknown> => pool.run(task);

async function microsecondsPerCall(work: () => Promise<unknown>, calls: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

const cases: [string, () => Promise<unknown>][] = [
  ['quote pipeline', quotePipeline],
  ['pool.run only', poolRunOnly],
];
for (const [, work] of cases) await microsecondsPerCall(work, CALLS / 10);
console.log(`# quote pipeline: node ${process.version}, ${CALLS} calls per round, CPU us per call`);
for (let round = 1; round <= 2; round++)
  for (const [name, work] of cases)
    console.log(`round ${round}  ${name.padEnd(16)} ${(await microsecondsPerCall(work, CALLS)).toFixed(2)} us`);
await pool.close({ graceMs: 100 });
