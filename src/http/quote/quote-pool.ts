import type { AbortSignalLike, PricingPool } from '../../pool/pricing-pool.js';
import type { PriceTask, PricedContract } from '../../pool/tasks.js';
import { QuoteApiError } from './quote-error.js';

/** What the quote API needs of the pricing pool (the same pool, admission and metrics as v1). */
export type QuotePool = Pick<PricingPool, 'run'>;

/** Core parameter names -> the request field that carries the value. */
const FIELD_OF_PARAM: Readonly<Record<string, readonly string[]>> = {
  strike: ['contract', 'strike_price'],
  expiry: ['contract', 'time_to_expiry'],
  type: ['contract', 'option_type'],
  exercise: ['contract', 'exercise_style'],
  spot: ['market', 'spot_price'],
  rate: ['market', 'risk_free_rate'],
  dividendYield: ['market', 'dividend_yield'],
  volatility: ['volatility'],
  steps: ['model', 'params', 'steps'],
  pairs: ['model', 'params', 'paths'],
};

/**
 * Prices a one-contract task. A contract the core refuses is the client's: 400 invalid_request naming the field
 * (never a price of 0). Anything else is ours and surfaces as a 500 through the v1 error handler.
 */
export async function runOne(pool: QuotePool, task: PriceTask, signal?: AbortSignalLike | (() => AbortSignalLike)): Promise<PricedContract> {
  const [outcome] = await pool.run(task, signal === undefined ? {} : { signal });
  if (outcome === undefined) throw new Error('the pricing pool returned no outcome');
  if (outcome.ok) return outcome;
  if (outcome.code.startsWith('ERR_CORE_')) {
    const loc = outcome.param === null ? [] : (FIELD_OF_PARAM[outcome.param] ?? [outcome.param]);
    throw new QuoteApiError(400, [{ loc: ['body', ...loc], msg: outcome.message, type: 'invalid_request' }]);
  }
  throw new Error(`pricing failed: ${outcome.code}: ${outcome.message}`);
}
