import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { Greeks } from '../results.js';

/** Any model's price as a function of the contract and the market; inputs are already validated. */
export type Pricer = (option: OptionSpec, market: MarketInputs) => number;

/**
 * Bump-and-revalue greeks by central differences, in the core's raw units: delta and gamma per 1.0 of spot,
 * theta per year as dV/dt (= -dV/dT, by bumping the expiry), vega per 1.00 of volatility, rho per 1.00 of
 * rate (dividend yield held fixed). Nine prices: the base value (pass it in to save one) and two per input.
 *
 * Bump sizes, and why (central differences: truncation error ~ h^2 f''' / 6, rounding error ~ eps |V| / h):
 * - spot: h = S * min(1e-4, 1e-3 * sigma sqrt(T)). In units of the one-standard-deviation move
 *   e = h / (S sigma sqrt(T)), gamma's truncation error is ~e^2 / 12 and its rounding error ~4 eps / e^2
 *   (relative, at the money), so e = 1e-3 keeps both near 1e-7, however short the expiry: gamma is then a spike
 *   of width S sigma sqrt(T) and a fixed relative bump would straddle it. The cap 1e-4 of S applies for long
 *   expiries, where the rounding error (now 4 eps / (1e-4)^2 ~ 4e-8) is the larger.
 * - volatility: relative, h = 1e-4 sigma, so sigma - h stays positive for any sigma.
 * - expiry: relative, h = 1e-4 T, so T - h stays positive however small T is; the price behaves like
 *   sqrt(T) near 0 and a relative step keeps the central difference's relative error at ~1e-9 there.
 * - rate: absolute, h = 1e-5 (rates may be 0 or negative, so a relative step would vanish).
 * A model whose price has a kink inside a stencil (the exercise boundary for delta and gamma, a branch such
 * as "no early exercise when r <= 0" for rho) returns the slope of the chord across it, as any bump does.
 */
export function bumpGreeks(pricer: Pricer, option: OptionSpec, market: MarketInputs, value?: number): Greeks {
  const base = value ?? pricer(option, market);
  const S = market.spot;
  const sigma = market.volatility;
  const T = option.expiry;

  const hS = S * Math.min(SPOT_RELATIVE_BUMP, SPOT_BUMP_PER_STD_DEV * sigma * Math.sqrt(T));
  const up = pricer(option, { ...market, spot: S + hS });
  const down = pricer(option, { ...market, spot: S - hS });
  const delta = (up - down) / (2 * hS);
  const gamma = (up - 2 * base + down) / (hS * hS);

  const hSigma = sigma * VOLATILITY_RELATIVE_BUMP;
  const vega =
    (pricer(option, { ...market, volatility: sigma + hSigma }) -
      pricer(option, { ...market, volatility: sigma - hSigma })) /
    (2 * hSigma);

  const hT = T * EXPIRY_RELATIVE_BUMP;
  const theta =
    -(pricer({ ...option, expiry: T + hT }, market) - pricer({ ...option, expiry: T - hT }, market)) / (2 * hT);

  const r = market.rate;
  const rho =
    (pricer(option, { ...market, rate: r + RATE_BUMP }) - pricer(option, { ...market, rate: r - RATE_BUMP })) /
    (2 * RATE_BUMP);

  return { delta, gamma, theta, vega, rho };
}

/** Relative spot bump, before the cap by the standard deviation (see bumpGreeks). */
export const SPOT_RELATIVE_BUMP = 1e-4;
/** Largest spot bump as a fraction of one standard deviation of the log-price, sigma sqrt(T). */
export const SPOT_BUMP_PER_STD_DEV = 1e-3;
export const VOLATILITY_RELATIVE_BUMP = 1e-4;
export const EXPIRY_RELATIVE_BUMP = 1e-4;
/** Absolute rate bump (1e-5 = 0.1 basis point). */
export const RATE_BUMP = 1e-5;
