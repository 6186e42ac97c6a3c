/**
 * What the cross-model property tests share: the input domain, pricing through the library's single entry point
 * (priceOption), the lists of models by exercise style, and failure messages that print every input.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MODELS, priceOption, type ModelName } from '../../../src/core/models.js';
import type { ExerciseStyle, OptionSpec, OptionType } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import type { PriceResult } from '../../../src/core/results.js';

/** One contract and its market, without the exercise style (each property picks it). */
export interface Case {
  readonly type: OptionType;
  readonly spot: number;
  readonly strike: number;
  /** Years. */
  readonly expiry: number;
  readonly volatility: number;
  readonly rate: number;
  readonly dividendYield: number;
}

/** Models that price European exercise (MODELS, the catalogue GET /api/v1/models serves). */
export const EUROPEAN_MODELS: readonly ModelName[] = MODELS.filter((m) => m.exerciseStyles.includes('european')).map(
  (m) => m.name,
);
/** Models that price American exercise. black_scholes is not one: it takes only the American call with q = 0. */
export const AMERICAN_MODELS: readonly ModelName[] = MODELS.filter((m) => m.exerciseStyles.includes('american')).map(
  (m) => m.name,
);

/** The Monte Carlo seed of every property: one seed for all bumps, so bumped prices use common random numbers. */
export const SEED = 20261128n;

const double = (min: number, max: number): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/**
 * The domain of the properties:
 * - spot log-uniform in [1, 1e4], strike = spot e^m with m uniform in [-1.5, 1.5] (deep in and out of the money;
 *   further out every model returns 0 or the intrinsic value to rounding, and the properties say nothing);
 * - expiry log-uniform in [0.01, 10] years; volatility uniform in [0.05, 1.5];
 * - rate uniform in [-0.05, 0.15], dividend yield uniform in [0, 0.1].
 * Rates and yields of magnitude below 1e-300 are drawn as 0: fast-check favours the smallest subnormals, where
 * barone_adesi_whaley has a defect of its own (known-defects.test.ts), and they say nothing else.
 * Every model is valid on all of it. binomial_200 needs sigma >= |r - q| sqrt(T / 200) for its probabilities to
 * stay in [0, 1]: at most 0.15 sqrt(13 / 200) = 0.038 < 0.05 even after the properties' 30% expiry bumps.
 * monte_carlo_20k accepts it all (sigma sqrt(T) <= 4.7), but its statistics are only trustworthy on the
 * narrower `monteCarloCaseArb`.
 */
export const caseArb: fc.Arbitrary<Case> = fc
  .record({
    type: fc.constantFrom<OptionType>('call', 'put'),
    logSpot: double(0, Math.log(1e4)),
    moneyness: double(-1.5, 1.5),
    logExpiry: double(Math.log(0.01), Math.log(10)),
    volatility: double(0.05, 1.5),
    rate: double(-0.05, 0.15),
    dividendYield: double(0, 0.1),
  })
  .map(({ type, logSpot, moneyness, logExpiry, volatility, rate, dividendYield }) => {
    const spot = Math.exp(logSpot);
    const flush = (x: number): number => (Math.abs(x) < 1e-300 ? 0 : x);
    return {
      type,
      spot,
      strike: spot * Math.exp(moneyness),
      expiry: Math.exp(logExpiry),
      volatility,
      rate: flush(rate),
      dividendYield: flush(dividendYield),
    };
  });

/**
 * Where a 20,000-path estimate and its standard error mean what they say (monte-carlo.ts, "Limits"): total
 * volatility sigma sqrt(T) <= 2 (beyond it the payoff's mass sits where few of the 20,000 normals fall and the
 * sample standard error understates the error) and a strike within 3 standard deviations of the forward (beyond
 * it exercise is a rare event for 20,000 paths).
 */
export const monteCarloCaseArb: fc.Arbitrary<Case> = caseArb.filter((c) => {
  const stdDev = c.volatility * Math.sqrt(c.expiry);
  const forwardMoneyness = (Math.log(c.strike / c.spot) - (c.rate - c.dividendYield) * c.expiry) / stdDev;
  return stdDev <= 2 && Math.abs(forwardMoneyness) <= 3;
});

export function optionOf(c: Case, exercise: ExerciseStyle): OptionSpec {
  return { type: c.type, strike: c.strike, expiry: c.expiry, exercise };
}

export function marketOf(c: Case): MarketInputs {
  return { spot: c.spot, rate: c.rate, dividendYield: c.dividendYield, volatility: c.volatility };
}

/** Every input, in a form that can be pasted back into a test. */
export function describeCase(c: Case, exercise?: ExerciseStyle, model?: ModelName): string {
  const head = [model, exercise].filter((s) => s !== undefined).join(' ');
  return `${head}${head === '' ? '' : ' '}${c.type} S=${c.spot} K=${c.strike} T=${c.expiry} sigma=${c.volatility} r=${c.rate} q=${c.dividendYield}`;
}

/** priceOption with the properties' fixed seed; greeks off unless asked for. */
export function price(model: ModelName, c: Case, exercise: ExerciseStyle, greeks = false): PriceResult {
  return priceOption(model, optionOf(c, exercise), marketOf(c), { greeks, seed: SEED });
}

export function value(model: ModelName, c: Case, exercise: ExerciseStyle): number {
  return price(model, c, exercise).value;
}

/** S sigma sqrt(T): about 2.5 times the at-the-money value, the natural unit of pricing errors. */
export function priceScale(c: Case): number {
  return c.spot * c.volatility * Math.sqrt(c.expiry);
}

/**
 * Rounding: a tree's rollback is ~steps^2/2 multiply-adds of numbers up to the notional, a closed form a few dozen
 * operations; 1e-12 of max(S, K) covers both with room and is far below any modelling error.
 */
export function roundingFloor(c: Case): number {
  return 1e-12 * Math.max(c.spot, c.strike);
}

export function intrinsicValue(c: Case): number {
  return Math.max(c.type === 'call' ? c.spot - c.strike : c.strike - c.spot, 0);
}

/** S e^{-qT} and K e^{-rT}. */
export function discounted(c: Case): { readonly spot: number; readonly strike: number } {
  return { spot: c.spot * Math.exp(-c.dividendYield * c.expiry), strike: c.strike * Math.exp(-c.rate * c.expiry) };
}

/** Asserts every number in a result (value, greeks, diagnostics) is finite. */
export function assertAllFinite(result: PriceResult, context: string): void {
  assert.ok(Number.isFinite(result.value), `value ${result.value}; ${context}`);
  if (result.greeks !== null) {
    for (const [name, greek] of Object.entries(result.greeks))
      assert.ok(Number.isFinite(greek), `${name} = ${greek}; ${context}`);
  }
  const d = result.diagnostics;
  for (const [name, n] of [
    ['standardError', d.standardError],
    ['iterations', d.iterations],
    ['paths', d.paths],
  ] as const) {
    if (n !== undefined) assert.ok(Number.isFinite(n), `${name} = ${n}; ${context}`);
  }
}

/**
 * The cost of carry b = r - q of the call that the Bjerksund-Stensland put-call transformation
 * P(S, K, T, r, q) = C(K, S, T, q, r) prices: r - q for a call, q - r for a put.
 */
export function equivalentCallCarry(c: Case): number {
  return c.type === 'call' ? c.rate - c.dividendYield : c.dividendYield - c.rate;
}

/**
 * Where both Bjerksund-Stensland engines give up: a carry below -2 sigma / sqrt(T) puts their heuristic trigger
 * price below the strike, and they return max(European, intrinsic) instead (bjerksund-stensland*.ts; QuantLib 1.29's
 * 1993 engine throws "approximation not applicable" there). That value is a valid lower bound, but it can be far
 * below the American value (an at-the-money put with r = 15%, q = 0, sigma = 11%, T = 3: 0.046 against 1.452).
 */
export function bjerksundStenslandFallsBack(c: Case): boolean {
  return equivalentCallCarry(c) < (-2 * c.volatility) / Math.sqrt(c.expiry);
}

/**
 * barone_adesi_whaley stops its critical-price iteration at |LHS - RHS| <= 1e-6 K (Haug's and QuantLib's rule,
 * which the QuantLib agreement needs), which leaves each American value within 1e-6 K of the fully converged
 * one (measured: 9.3e-7 K at worst over 200,000 draws), so two values compared can be off by 2e-6 K; at r = 0
 * its put also keeps a spurious premium of that order (measured up to 7.7e-7 K) where the true premium is 0.
 * Comparisons that hold exactly for the American value allow it this much; every other model only rounding.
 */
export function stoppingRuleNoise(model: ModelName, c: Case, exercise: ExerciseStyle): number {
  return model === 'barone_adesi_whaley' && exercise === 'american' ? 2e-6 * c.strike : 0;
}

/**
 * A call with r < 0 and a dividend yield within rounding of 0 (below 1e-6): early exercise pays there (r < 0), but
 * barone_adesi_whaley and both Bjerksund-Stensland engines treat q <= 0 as "never exercised early" and, for q a
 * rounding error above 0, flip between their formula and the European value with the last bits of their perpetual
 * exponent (which tends to 1). Properties of those three engines skip it; known-defects.test.ts keeps it in view.
 */
export function inApproximationsNegativeRateCallGap(c: Case): boolean {
  return c.type === 'call' && c.rate < 0 && c.dividendYield < 1e-6;
}

/**
 * How far binomial_200's European value may sit from Black-Scholes. The CRR tree is centred on the spot, not the
 * forward, so its O(1/n) error grows with the carry measured in standard deviations, rho = |r - q| sqrt(T) / sigma:
 * over 30,000 draws of this domain, |error| / (S sigma sqrt(T)) stayed below 1.05e-3 (1 + rho^2), and reached
 * 6.3e-2 at sigma = 5%, r = 14%, q = 0, T = 8 (rho = 7.7). The bound allows 2.5e-3 (1 + rho^2) of the scale.
 */
export function crrEuropeanErrorBound(c: Case): number {
  const carryInStdDevs = (Math.abs(c.rate - c.dividendYield) * Math.sqrt(c.expiry)) / c.volatility;
  return 2.5e-3 * (1 + carryInStdDevs * carryInStdDevs) * priceScale(c);
}

/** leisen_reimer's European error bound: 1.5e-6 of S sigma sqrt(T) (measured 6.3e-7 over the same 30,000 draws). */
export function leisenReimerEuropeanErrorBound(c: Case): number {
  return 1.5e-6 * priceScale(c);
}
