import type { ModelName } from '../../core/models.js';
import type { QuoteConfidence, QuoteGreeks, QuoteModelUsed, QuoteResponse } from '../../core/quote-api.js';
import type { AbortSignalLike } from '../../pool/pricing-pool.js';
import type { OptionSpec } from '../../core/instruments/option-spec.js';
import type { MarketInputs } from '../../core/market/market-inputs.js';
import { toDisplayGreeks } from '../units.js';
import { countClamp, type GuardMetrics } from './cost-guards.js';
import { canonicalQuoteText } from './canonical-shapes.js';
import { capsuleId, sha256Hex, seedFromLineage, seedLineage } from './hashing.js';
import { monteCarloModelParams, planMonteCarlo, runMonteCarlo, type MonteCarloPlan } from './monte-carlo-adapter.js';
import type { Mutable, NormalisedQuote } from './normalise.js';
import { invalidRequest } from './quote-error.js';
import { priceOnPool, type QuoteNumbers, type QuotePool } from './quote-pool.js';
import { GREEK_NAMES } from './schemas.js';

/**
 * Prices one normalised quote at a lineage index: model resolution, seed, pricing on the pool, response assembly
 * and capsule id. Pure in its inputs: the same quote, index and build give the same bytes, which is what replay
 * verifies and what idempotency relies on.
 */

const TREE_DEFAULT_STEPS = { binomial: 200, leisen_reimer: 201 } as const;

const ENGINE_MODEL: Readonly<Record<NormalisedQuote['model']['family'], ModelName>> = {
  black_scholes: 'black_scholes',
  binomial: 'binomial_200',
  leisen_reimer: 'leisen_reimer',
  monte_carlo: 'monte_carlo_20k',
  barone_adesi_whaley: 'barone_adesi_whaley',
  bjerksund_stensland: 'bjerksund_stensland',
};

export interface QuoteEngineOptions {
  readonly pool: QuotePool;
  readonly buildId: string;
  readonly metrics: GuardMetrics;
}

export interface PricedQuote {
  readonly response: QuoteResponse;
  /** What the capsule keeps to price the quote again. */
  readonly lineage: string;
  /** Canonical JSON of the normalised request: what was hashed, and what the capsule stores. */
  readonly requestText: string;
  /** SHA-256 of requestText. */
  readonly requestHash: string;
}

/** A quote's canonical request text and its SHA-256, written once per quote: for its idempotency record and its capsule. */
export interface QuoteIdentity {
  /** Canonical JSON of the normalised request. */
  readonly requestText: string;
  /** SHA-256 of requestText. */
  readonly requestHash: string;
}

export function identifyQuote(quote: NormalisedQuote): QuoteIdentity {
  const requestText = canonicalQuoteText(quote);
  return { requestText, requestHash: sha256Hex(requestText) };
}

/** Refusals that need no pricing: unavailable options and missing inputs, named by field. */
export function quoteRefusal(quote: NormalisedQuote): Error | null {
  if (quote.surface !== undefined)
    return invalidRequest(['surface'], 'pricing from a stored surface is not available in this build; give volatility');
  if (quote.volatility === undefined)
    return invalidRequest(['volatility'], 'volatility is required (no surface was named)');
  return null;
}

/** model_used: the family with every parameter that shaped the numbers, defaults included. */
export function modelUsed(quote: NormalisedQuote, plan: MonteCarloPlan | null): QuoteModelUsed {
  const family = quote.model.family;
  if (family === 'binomial' || family === 'leisen_reimer')
    return { family, params: { steps: quote.model.params.steps ?? TREE_DEFAULT_STEPS[family] } };
  if (family === 'monte_carlo' && plan !== null) return { family, params: monteCarloModelParams(plan) };
  return { family, params: {} };
}

function selectedGreeks(quote: NormalisedQuote, numbers: QuoteNumbers): QuoteGreeks {
  const display = toDisplayGreeks(numbers.greeks);
  const greeks: Partial<Record<(typeof GREEK_NAMES)[number], number>> = {};
  for (const name of GREEK_NAMES) {
    const value = display[name];
    if (quote.greeks[name] && value !== null) greeks[name] = value;
  }
  return greeks;
}

export function createQuoteEngine(options: QuoteEngineOptions) {
  const { pool, buildId, metrics } = options;

  async function price(
    quote: NormalisedQuote,
    index: number,
    signal?: AbortSignalLike | (() => AbortSignalLike),
    identity?: QuoteIdentity,
  ): Promise<PricedQuote> {
    const refusal = quoteRefusal(quote);
    if (refusal !== null) throw refusal;
    const { requestText, requestHash: hash } = identity ?? identifyQuote(quote);
    const lineage = seedLineage(quote.model.params.seed_prefix, hash, index);
    const family = quote.model.family;
    const plan = family === 'monte_carlo' ? planMonteCarlo(quote) : null;
    const used = modelUsed(quote, plan);
    const g = quote.greeks;
    const wantsGreeks = g.delta || g.gamma || g.vega || g.theta || g.rho;
    const option: OptionSpec = {
      type: quote.contract.option_type,
      strike: quote.contract.strike_price,
      expiry: quote.contract.time_to_expiry,
      exercise: quote.contract.exercise_style,
    };
    const market: MarketInputs = {
      spot: quote.market.spot_price,
      rate: quote.market.risk_free_rate,
      dividendYield: quote.market.dividend_yield,
      volatility: quote.volatility!,
    };

    let numbers: QuoteNumbers;
    let ci: QuoteConfidence | undefined;
    let greeksMeta: QuoteResponse['greeks_meta'];
    let ciGreeks: QuoteResponse['ci_greeks'];
    if (plan !== null) {
      if (plan.clamped) countClamp(metrics, 'paths');
      const run = await runMonteCarlo(pool, plan, {
        option,
        market,
        seed: seedFromLineage(lineage),
        greeks: wantsGreeks,
        selected: quote.greeks,
        ...(signal === undefined ? {} : { signal }),
      });
      numbers = run.numbers;
      ci = run.ci;
      ciGreeks = run.ciGreeks;
      greeksMeta = run.greeksMeta;
    } else {
      const work = { model: ENGINE_MODEL[family], greeks: wantsGreeks, option, market, seed: null };
      const steps = family === 'binomial' || family === 'leisen_reimer' ? (used.params.steps as number) : undefined;
      numbers = await priceOnPool(pool, steps === undefined ? work : { ...work, steps, metricsModel: family }, signal);
    }

    const id = capsuleId({ requestText, modelUsed: used, surfaceId: quote.surface ?? null, lineage, buildId });
    // Optional members assigned, not spread in: this runs once per quote (docs/api.md, "Performance").
    const response: Mutable<QuoteResponse> = {
      theoretical_price: numbers.value,
      greeks: selectedGreeks(quote, numbers),
      capsule_id: id,
      model_used: used,
      seed_lineage: lineage,
    };
    if (ci !== undefined) response.ci = ci;
    if (ciGreeks !== undefined) response.ci_greeks = ciGreeks;
    if (greeksMeta !== undefined) response.greeks_meta = greeksMeta;
    return { response, lineage, requestText, requestHash: hash };
  }

  return { price, buildId };
}

export type QuoteEngine = ReturnType<typeof createQuoteEngine>;
