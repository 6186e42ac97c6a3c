import type { OptionSpec, OptionType } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { bivariateNormalCdfAtCorrelation } from '../math/bivariate-normal.js';
import type { PriceResult } from '../results.js';
import type { Price, Rate, Volatility, YearFraction } from '../types.js';
import { requireExercise, validateInputs } from '../validate.js';
import { blackScholesPrice, type PricingOptions } from './black-scholes.js';
import { asCall, floorAmericanValue, phiScaled, RUNAWAY_BOUNDARY_STD_DEVS, type FormulaStatus } from './bjerksund-stensland-common.js';
import { bumpGreeks } from './bump-greeks.js';

const MODEL = 'bjerksund_stensland';

/** t1 / T = (sqrt(5) - 1) / 2: the paper's split of the life into two periods, each with a flat boundary. */
const T1_FRACTION = (Math.sqrt(5) - 1) / 2;
/** The correlation of the log-price at t1 and at T, sqrt(t1 / T): a constant of the method. */
const RHO = Math.sqrt(T1_FRACTION);
const bvnPositive = bivariateNormalCdfAtCorrelation(RHO);
const bvnNegative = bivariateNormalCdfAtCorrelation(-RHO);

/**
 * Bjerksund and Stensland (2002), "Closed form valuation of American options" (NHH discussion paper 2002:9;
 * Haug 2007, section 3.3.2): the value of exercising at trigger price I2 during [0, t1] and I1 during
 * [t1, T], t1 = (sqrt(5) - 1)/2 T, a lower bound to the American value; its psi terms need the bivariate
 * normal CDF at correlation +-sqrt(t1/T), computed by Genz's method to ~1e-15 (bivariate-normal.ts).
 *
 * American exercise only (European -> ERR_CORE_UNSUPPORTED_EXERCISE, param 'exercise'). Puts by the
 * put-call transformation P(S, X, T, r, b, sigma) = C(X, S, T, r - b, -b, sigma). Where early exercise is
 * never optimal (call with q <= 0, i.e. b >= r; put with r <= 0) the European value is returned, as in the
 * paper. Guards for inputs the paper does not consider:
 * - a trigger below the strike (cost of carry below about -2 sigma / sqrt(T)) means the heuristic boundary
 *   has failed (QuantLib's 1993 engine refuses such inputs): the larger of the European and intrinsic
 *   values is returned;
 * - the result is never below the European value or the intrinsic value (both also lower bounds).
 * The formula is otherwise applied exactly as published, including where strongly negative carry
 * (|b| sqrt(T) > ~1.1 sigma) puts the second-period trigger I1 above the first-period one I2: there the
 * psi terms (a reflection at I2 over [0, t1] followed by an end point below I1) no longer describe the
 * two-step strategy exactly; the published formula is kept so the numbers match other implementations
 * of the paper (Haug's code among them), and they stay below a 4000-step binomial value in our checks.
 * Greeks by bump-and-revalue (bump-greeks.ts).
 */
export function priceBjerksundStensland(option: OptionSpec, market: MarketInputs, options?: PricingOptions): PriceResult {
  validateInputs(option, market);
  requireExercise(option, ['american'], MODEL);
  const status: FormulaStatus = { formulaFailed: false };
  const value = bjerksundStensland2002Price(option.type, market.spot, option.strike, option.expiry, market.volatility, market.rate, market.dividendYield, status);
  const greeks =
    options?.greeks === false
      ? null
      : bumpGreeks((o, m) => bjerksundStensland2002Price(o.type, m.spot, o.strike, o.expiry, m.volatility, m.rate, m.dividendYield), option, market, value);
  return { value, greeks, diagnostics: { model: MODEL, converged: !status.formulaFailed } };
}

/**
 * The American value alone, for callers with validated inputs (implied volatility, benchmarks). If the
 * closed form breaks down numerically (a non-finite term), the larger of the European and intrinsic values
 * is returned and `status.formulaFailed` is set.
 */
export function bjerksundStensland2002Price(
  type: OptionType,
  spot: Price,
  strike: Price,
  expiry: YearFraction,
  volatility: Volatility,
  rate: Rate,
  dividendYield: Rate,
  status?: FormulaStatus,
): Price {
  const european = blackScholesPrice(type, spot, strike, expiry, volatility, rate, dividendYield);
  const c = asCall(type === 'call', spot, strike, rate, dividendYield);
  if (c.q <= 0) return european;
  const intrinsic = Math.max(c.S - c.X, 0);
  return floorAmericanValue(twoStepBoundaryCall(c.S, c.X, expiry, volatility, c.r, c.q), european, intrinsic, status);
}

/** The 2002 call value for q > 0 (b < r), or -Infinity where the method declines (see above). */
function twoStepBoundaryCall(S: number, X: number, T: number, sigma: number, r: number, q: number): number {
  const b = r - q;
  const v2 = sigma * sigma;
  const t1 = T1_FRACTION * T;
  const sdT = sigma * Math.sqrt(T);
  const sdT1 = sigma * Math.sqrt(t1);
  const bOverV = b / v2;
  const beta = 0.5 - bOverV + Math.sqrt((bOverV - 0.5) * (bOverV - 0.5) + (2 * r) / v2);
  const bInfinity = (beta / (beta - 1)) * X;
  const b0 = Math.max(X, (r / q) * X);
  const scale = (X * X) / ((bInfinity - b0) * b0);
  const h1 = -(b * t1 + 2 * sdT1) * scale;
  const h2 = -(b * T + 2 * sdT) * scale;
  const I2 = b0 - (bInfinity - b0) * Math.expm1(h2);
  const I1 = b0 - (bInfinity - b0) * Math.expm1(h1);
  if (!(I1 >= X && I2 >= X)) return Number.NEGATIVE_INFINITY;
  if (S >= I2) return S - X;
  if (Math.log(Math.min(I1, I2) / S) - b * T > RUNAWAY_BOUNDARY_STD_DEVS * sdT) return Number.NEGATIVE_INFINITY;

  const rT1 = r * t1;
  const bT1 = b * t1;
  const var1 = v2 * t1;
  const logS = Math.log(S);
  // alpha_i S^beta = (I_i - X) (S / I_i)^beta, kept as logarithms so nothing overflows when beta is large.
  const logAlpha1SBeta = Math.log(I1 - X) + beta * (logS - Math.log(I1));
  const logAlpha2SBeta = Math.log(I2 - X) + beta * (logS - Math.log(I2));

  const firstPeriod =
    Math.exp(logAlpha2SBeta) -
    phiScaled(logAlpha2SBeta, S, beta, I2, I2, rT1, bT1, var1, sdT1) +
    S * phiScaled(0, S, 1, I2, I2, rT1, bT1, var1, sdT1) -
    S * phiScaled(0, S, 1, I1, I2, rT1, bT1, var1, sdT1) -
    X * phiScaled(0, S, 0, I2, I2, rT1, bT1, var1, sdT1) +
    X * phiScaled(0, S, 0, I1, I2, rT1, bT1, var1, sdT1) +
    phiScaled(logAlpha1SBeta, S, beta, I1, I2, rT1, bT1, var1, sdT1);

  const secondPeriod =
    -psiScaled(logAlpha1SBeta, S, T, beta, I1, I2, I1, t1, r, b, sigma) +
    S * psiScaled(0, S, T, 1, I1, I2, I1, t1, r, b, sigma) -
    S * psiScaled(0, S, T, 1, X, I2, I1, t1, r, b, sigma) -
    X * psiScaled(0, S, T, 0, I1, I2, I1, t1, r, b, sigma) +
    X * psiScaled(0, S, T, 0, X, I2, I1, t1, r, b, sigma);

  return firstPeriod + secondPeriod;
}

/**
 * exp(logScale) * psi(S, T, gamma, H, I2, I1, t1) / S^gamma, where (paper, eq. for psi)
 *   psi = e^{lambda T} S^gamma [ M(-e1, -f1, rho) - (I2/S)^kappa M(-e2, -f2, rho)
 *                                - (I1/S)^kappa M(-e3, -f3, -rho) + (I1/I2)^kappa M(-e4, -f4, -rho) ],
 * e_i on the horizon t1 and f_i on T, rho = sqrt(t1/T), lambda and kappa as in phi. The powers are applied
 * as exponents added to logScale, so a huge power times a tiny probability does not overflow first.
 */
function psiScaled(
  logScale: number,
  S: number,
  T: number,
  gamma: number,
  H: number,
  I2: number,
  I1: number,
  t1: number,
  r: number,
  b: number,
  sigma: number,
): number {
  const v2 = sigma * sigma;
  const mu = b + (gamma - 0.5) * v2;
  const sd1 = sigma * Math.sqrt(t1);
  const sd = sigma * Math.sqrt(T);
  const lnSI1 = Math.log(S / I1);
  const lnI2I2SI1 = Math.log((I2 / S) * (I2 / I1));
  const e1 = (lnSI1 + mu * t1) / sd1;
  const e2 = (lnI2I2SI1 + mu * t1) / sd1;
  const e3 = (lnSI1 - mu * t1) / sd1;
  const e4 = (lnI2I2SI1 - mu * t1) / sd1;
  const lnSH = Math.log(S / H);
  const lnI2S = Math.log(I2 / S);
  const lnI1S = Math.log(I1 / S);
  const lnI1I2 = Math.log(I1 / I2);
  const muT = mu * T;
  const f1 = (lnSH + muT) / sd;
  const f2 = (2 * lnI2S + lnSH + muT) / sd;
  const f3 = (2 * lnI1S + lnSH + muT) / sd;
  const f4 = (2 * lnI1I2 + lnSH + muT) / sd;
  const lambdaT = (-r + gamma * b + 0.5 * gamma * (gamma - 1) * v2) * T;
  const kappa = (2 * b) / v2 + 2 * gamma - 1;
  const base = logScale + lambdaT;
  return (
    expTimes(base, bvnPositive(-e1, -f1)) -
    expTimes(base + kappa * lnI2S, bvnPositive(-e2, -f2)) -
    expTimes(base + kappa * lnI1S, bvnNegative(-e3, -f3)) +
    expTimes(base + kappa * lnI1I2, bvnNegative(-e4, -f4))
  );
}

/** exp(logFactor) * p for a probability p, combining in log form when the factor alone would overflow. */
function expTimes(logFactor: number, p: number): number {
  if (logFactor < 700) return Math.exp(logFactor) * p;
  return p > 0 ? Math.exp(logFactor + Math.log(p)) : 0;
}
