import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { PriceResult } from '../results.js';
import { priceOnBinomialTree, SMOOTH_VEGA_RELATIVE_BUMP } from './binomial-tree.js';
import type { BinomialLattice, TreeModel, TreeOptions } from './binomial-tree.js';

/**
 * Peizer-Pratt inversion, method 2, of the binomial distribution (Leisen and Reimer, "Binomial models for
 * option valuation - examining and improving convergence", Applied Mathematical Finance 3, 1996, eq. for
 * h^-1): for an odd number of steps n,
 *   h(z) = 1/2 + sign(z) * sqrt(1/4 - 1/4 * exp(-(z / (n + 1/3 + 0.1/(n+1)))^2 * (n + 1/6))).
 * Both h and 1 - h are returned, each accurate to full relative precision (the smaller one is
 * (t/4)/(larger) instead of 1/2 - larger, and carries its logarithm for when it underflows), because deep in
 * or out of the money the tree's down (or up) move is a ratio of two such tiny complements.
 */
interface Inversion {
  readonly h: number;
  readonly complement: number;
  readonly logH: number;
  readonly logComplement: number;
}

function peizerPrattInversion(z: number, n: number): Inversion {
  const scaled = z / (n + 1 / 3 + 0.1 / (n + 1));
  const logT = -scaled * scaled * (n + 1 / 6);
  const larger = 0.5 + 0.5 * Math.sqrt(-Math.expm1(logT));
  const smaller = Math.exp(logT) / 4 / larger;
  const logSmaller = logT - Math.log(4) - Math.log(larger);
  const logLarger = Math.log(larger);
  return z >= 0
    ? { h: larger, complement: smaller, logH: logLarger, logComplement: logSmaller }
    : { h: smaller, complement: larger, logH: logSmaller, logComplement: logLarger };
}

/** Below this a double has lost precision (subnormal) or may be 0: take the ratio through logarithms. */
const SMALLEST_ACCURATE = 1e-300;

function ratio(numerator: number, logNumerator: number, denominator: number, logDenominator: number): number {
  return numerator > SMALLEST_ACCURATE && denominator > SMALLEST_ACCURATE
    ? numerator / denominator
    : Math.exp(logNumerator - logDenominator);
}

/**
 * Leisen-Reimer tree as QuantLib's `LeisenReimer` lattice: up probability h(d2), and moves chosen so the
 * one-step forward is e^((r-q)dt) and the up-measure probability is h(d1):
 *   up = e^((r-q)dt) h(d1)/h(d2),  down = e^((r-q)dt) (1 - h(d1))/(1 - h(d2)).
 * The tree is centred on the strike, so down != 1/up.
 */
const leisenReimerPolicy = (option: OptionSpec, market: MarketInputs, steps: number): BinomialLattice => {
  const T = option.expiry;
  const sigma = market.volatility;
  const carry = market.rate - market.dividendYield;
  const dt = T / steps;
  const stdDev = sigma * Math.sqrt(T);
  const d2 = (Math.log(market.spot / option.strike) + (carry - 0.5 * sigma * sigma) * T) / stdDev;
  const p = peizerPrattInversion(d2, steps);
  const pDash = peizerPrattInversion(d2 + stdDev, steps);
  const growth = Math.exp(carry * dt);
  return {
    steps,
    dt,
    up: growth * ratio(pDash.h, pDash.logH, p.h, p.logH),
    down: growth * ratio(pDash.complement, pDash.logComplement, p.complement, p.logComplement),
    probabilityUp: p.h,
    probabilityDown: p.complement,
  };
};

export const LEISEN_REIMER_MODEL: TreeModel = {
  name: 'leisen_reimer',
  policy: leisenReimerPolicy,
  // The inversion is defined for an odd number of steps; QuantLib also bumps an even count up by one.
  normaliseSteps: (steps) => (steps % 2 === 1 ? steps : steps + 1),
  defaultSteps: 201,
  vegaBump: (_option, market) => market.volatility * SMOOTH_VEGA_RELATIVE_BUMP,
};

/**
 * leisen_reimer: European or American vanilla on a Leisen-Reimer tree, 201 steps by default (an even count is
 * bumped to the next odd one). Greeks as binomial_200: delta, gamma, theta (per year, dV/dt) from the first
 * two steps, vega (per 1.00 vol) and rho (per 1.00 rate) by central bumps on the same tree.
 */
export function priceLeisenReimer(option: OptionSpec, market: MarketInputs, options?: TreeOptions): PriceResult {
  return priceOnBinomialTree(LEISEN_REIMER_MODEL, option, market, options);
}
