import type { OptionSpec, OptionType } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { bivariateNormalCdfAtCorrelation, plackettIntegralAtCorrelation } from '../math/bivariate-normal.js';
import { quickNormCdf } from '../math/normal-from-density.js';
import type { PriceResult } from '../results.js';
import type { Price, Rate, Volatility, YearFraction } from '../types.js';
import type { PricingOptions } from './black-scholes.js';
import {
  bjerksundStenslandAmericanPrice,
  phiScaled,
  priceWithBoundaryFormula,
  RUNAWAY_BOUNDARY_STD_DEVS,
  type FormulaStatus,
} from './bjerksund-stensland-common.js';

const MODEL = 'bjerksund_stensland';

/** t1 / T = (sqrt(5) - 1) / 2: the paper's split of the life into two periods, each with a flat boundary. */
const T1_FRACTION = (Math.sqrt(5) - 1) / 2;
/** The correlation of the log-price at t1 and at T, sqrt(t1 / T): a constant of the method. */
const RHO = Math.sqrt(T1_FRACTION);
/**
 * Genz's rule for |rho| in [0.75, 0.925) has 20 points; at this particular rho 14 already reach rounding level
 * (measured against an 80-point rule over x, y in [-12, 12]: 1.1e-16 for 14 points, 1.2e-15 for 12), and the
 * 20 bivariate values per price are most of its cost. bivariate-normal.test.ts keeps the measurement.
 */
export const BS2002_QUADRATURE_POINTS = 14;
const bvnPositive = bivariateNormalCdfAtCorrelation(RHO, BS2002_QUADRATURE_POINTS);
const bvnNegative = bivariateNormalCdfAtCorrelation(-RHO, BS2002_QUADRATURE_POINTS);
const plackettPositive = plackettIntegralAtCorrelation(RHO, BS2002_QUADRATURE_POINTS);
const plackettNegative = plackettIntegralAtCorrelation(-RHO, BS2002_QUADRATURE_POINTS);
/** Below this every power and exponential factor of the formula is evaluated directly (see fastFormula). */
const SAFE_LOG_FACTOR = 500;

/**
 * Bjerksund and Stensland (2002), "Closed form valuation of American options" (NHH discussion paper 2002:9;
 * Haug 2007, section 3.3.2): the value of exercising at trigger price I2 during [0, t1] and I1 during
 * [t1, T], t1 = (sqrt(5) - 1)/2 T, a lower bound to the American value; its psi terms need the bivariate
 * normal CDF at correlation +-sqrt(t1/T), computed by Genz's method to ~1e-15 (bivariate-normal.ts).
 *
 * American exercise only (European -> ERR_CORE_UNSUPPORTED_EXERCISE, param 'exercise'). Puts by the
 * put-call transformation P(S, X, T, r, b, sigma) = C(X, S, T, r - b, -b, sigma). Where early exercise is
 * never optimal (call with q <= 0 and r >= 0; put with r <= 0 and q >= 0) the European value is returned, as in
 * the paper. Guards for inputs the paper does not consider:
 * - a trigger below the strike (cost of carry below about -2 sigma / sqrt(T)) means the heuristic boundary
 *   has failed (QuantLib's 1993 engine refuses such inputs): the larger of the European and intrinsic
 *   values is returned with converged: false (it can be far below the American value);
 * - with r < 0 and no finite perpetual boundary (beta <= 1: a call without dividends and r > -sigma^2/2, or
 *   r < 0 with q < 0), likewise;
 * - the result is never below the European value or the intrinsic value (both also lower bounds).
 * The formula is otherwise applied exactly as published, including where strongly negative carry
 * (|b| sqrt(T) > ~1.1 sigma) puts the second-period trigger I1 above the first-period one I2: there the
 * psi terms (a reflection at I2 over [0, t1] followed by an end point below I1) no longer describe the
 * two-step strategy exactly; the published formula is kept so the numbers match other implementations
 * of the paper (Haug's code among them), and they stay below a 4000-step binomial value in our checks.
 * Greeks by bump-and-revalue (bump-greeks.ts).
 */
export function priceBjerksundStensland(
  option: OptionSpec,
  market: MarketInputs,
  options?: PricingOptions,
): PriceResult {
  return priceWithBoundaryFormula(MODEL, bjerksundStensland2002Price, option, market, options);
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
  return bjerksundStenslandAmericanPrice(
    twoStepBoundaryCall,
    type,
    spot,
    strike,
    expiry,
    volatility,
    rate,
    dividendYield,
    status,
  );
}

/**
 * The 2002 call value for q > 0 or r < 0, before the European and intrinsic floors: -Infinity where the
 * European value is the answer (runaway trigger), NaN where the method fails (see above). Two arrangements of the same sum: a fast one when every factor is a
 * representable double, and a general one that keeps all factors as logarithms; `generalOnly` forces the
 * latter (exported so the tests can hold the two against each other).
 */
export function twoStepBoundaryCall(
  S: number,
  X: number,
  T: number,
  sigma: number,
  r: number,
  q: number,
  generalOnly: boolean,
): number {
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
  // beta <= 1 (or complex, NaN): no finite perpetual boundary for the trigger heuristic to start from. With r >= 0
  // that is q a rounding error above 0, where the European value is the limit; with r < 0 early exercise still
  // pays (without dividends beta = 1 whenever r > -sigma^2/2), so NaN reports the formula as failed.
  if (!(beta > 1)) return r >= 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (!(I1 >= X && I2 >= X)) return Number.NaN;
  if (S >= I2) return S - X;
  if (Math.log(Math.min(I1, I2) / S) - b * T > RUNAWAY_BOUNDARY_STD_DEVS * sdT) return Number.NEGATIVE_INFINITY;

  const logS = Math.log(S);
  const logI1 = Math.log(I1);
  const logI2 = Math.log(I2);
  // alpha_i S^beta = (I_i - X) (S / I_i)^beta, kept as logarithms so nothing overflows when beta is large.
  const logAlpha1SBeta = Math.log(I1 - X) + beta * (logS - logI1);
  const logAlpha2SBeta = Math.log(I2 - X) + beta * (logS - logI2);

  // The largest logarithm of a factor the formula multiplies a probability by: alpha S^beta, e^(lambda T),
  // and (I2/S)^kappa, (I1/S)^kappa, (I1/I2)^kappa for each gamma.
  const largestRatio = Math.max(logI2 - logS, Math.abs(logI1 - logS), Math.abs(logI2 - logI1));
  const largestFactor = Math.max(
    factorLogBound(beta, r, b, v2, T, largestRatio),
    factorLogBound(1, r, b, v2, T, largestRatio),
    factorLogBound(0, r, b, v2, T, largestRatio),
  );
  if (!generalOnly && Math.max(Math.abs(logAlpha1SBeta), Math.abs(logAlpha2SBeta)) + largestFactor < SAFE_LOG_FACTOR) {
    return fastFormula(S, X, T, r, b, sigma, beta, logS, logI1, logI2, logAlpha1SBeta, logAlpha2SBeta);
  }

  const rT1 = r * t1;
  const bT1 = b * t1;
  const var1 = v2 * t1;

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

/** |lambda T| + |kappa| * (largest |log ratio| of the triggers and the spot) for one gamma: a bound on log factors. */
function factorLogBound(gamma: number, r: number, b: number, v2: number, T: number, largestRatio: number): number {
  return (
    Math.abs((-r + gamma * b + 0.5 * gamma * (gamma - 1) * v2) * T) +
    Math.abs((2 * b) / v2 + 2 * gamma - 1) * largestRatio
  );
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

/**
 * The same formula as twoStepBoundaryCall's general path, arranged for speed where every factor is a
 * representable double (|log| < 500, so a factor times an underflowed probability loses nothing visible):
 * the normal probabilities shared between terms are computed once (phi(S, t1, gamma, I1, I2)'s two
 * arguments are psi's -e1 and -e2), the bivariate values come from the Plackett integral plus the product
 * of the marginals already at hand, and each exponential factor is taken once per gamma.
 */
function fastFormula(
  S: number,
  X: number,
  T: number,
  r: number,
  b: number,
  sigma: number,
  beta: number,
  logS: number,
  logI1: number,
  logI2: number,
  logAlpha1SBeta: number,
  logAlpha2SBeta: number,
): number {
  const alpha1SBeta = Math.exp(logAlpha1SBeta);
  const alpha2SBeta = Math.exp(logAlpha2SBeta);
  const logX = Math.log(X);
  // Coefficients of phi(gamma, H = I2), phi(gamma, H = I1), psi(gamma, H = I1), psi(gamma, H = X) in the paper's sum.
  return (
    alpha2SBeta +
    gammaTerms(beta, -alpha2SBeta, alpha1SBeta, -alpha1SBeta, 0, T, r, b, sigma, logS, logI1, logI2, logX) +
    gammaTerms(1, S, -S, S, -S, T, r, b, sigma, logS, logI1, logI2, logX) +
    gammaTerms(0, -X, X, -X, X, T, r, b, sigma, logS, logI1, logI2, logX)
  );
}

/**
 * cPhiI2 phi(S, t1, gamma, I2, I2) + cPhiI1 phi(S, t1, gamma, I1, I2) + cPsiI1 psi(S, T, gamma, I1, I2, I1, t1)
 * + cPsiX psi(S, T, gamma, X, I2, I1, t1), each phi and psi divided by S^gamma (the coefficients carry it).
 */
function gammaTerms(
  gamma: number,
  cPhiI2: number,
  cPhiI1: number,
  cPsiI1: number,
  cPsiX: number,
  T: number,
  r: number,
  b: number,
  sigma: number,
  logS: number,
  logI1: number,
  logI2: number,
  logX: number,
): number {
  const v2 = sigma * sigma;
  const t1 = T1_FRACTION * T;
  const sd1 = sigma * Math.sqrt(t1);
  const sd = sigma * Math.sqrt(T);
  const mu = b + (gamma - 0.5) * v2;
  const lambda = -r + gamma * b + 0.5 * gamma * (gamma - 1) * v2;
  const kappa = (2 * b) / v2 + 2 * gamma - 1;
  const lnI2S = logI2 - logS;
  const lnI1S = logI1 - logS;
  const lnI1I2 = logI1 - logI2;
  const f2 = Math.exp(kappa * lnI2S); // (I2/S)^kappa
  const f1 = Math.exp(kappa * lnI1S); // (I1/S)^kappa
  const f12 = Math.exp(kappa * lnI1I2); // (I1/I2)^kappa

  const muT1 = mu * t1;
  const e1 = (-lnI1S + muT1) / sd1;
  const e2 = (lnI2S - lnI1I2 + muT1) / sd1;
  const e3 = (-lnI1S - muT1) / sd1;
  const e4 = (lnI2S - lnI1I2 - muT1) / sd1;
  const n1 = quickNormCdf(-e1);
  const n2 = quickNormCdf(-e2);
  const n3 = quickNormCdf(-e3);
  const n4 = quickNormCdf(-e4);

  // phi over [0, t1] with trigger I2: H = I2 has its own arguments; H = I1 has -e1 and -e2.
  const expLambdaT1 = Math.exp(lambda * t1);
  const g1 = (-lnI2S + muT1) / sd1;
  const g2 = (lnI2S + muT1) / sd1;
  let sum = cPhiI2 * expLambdaT1 * (quickNormCdf(-g1) - f2 * quickNormCdf(-g2)) + cPhiI1 * expLambdaT1 * (n1 - f2 * n2);

  const expLambdaT = Math.exp(lambda * T);
  const muT = mu * T;
  sum +=
    cPsiI1 *
    expLambdaT *
    psiBracket(logS - logI1, lnI2S, lnI1S, lnI1I2, muT, sd, e1, e2, e3, e4, n1, n2, n3, n4, f2, f1, f12);
  if (cPsiX !== 0) {
    sum +=
      cPsiX *
      expLambdaT *
      psiBracket(logS - logX, lnI2S, lnI1S, lnI1I2, muT, sd, e1, e2, e3, e4, n1, n2, n3, n4, f2, f1, f12);
  }
  return sum;
}

/** The bracket of psi: M(-e1, -f1, rho) - (I2/S)^kappa M(-e2, -f2, rho) - (I1/S)^kappa M(-e3, -f3, -rho) + (I1/I2)^kappa M(-e4, -f4, -rho). */
function psiBracket(
  lnSH: number,
  lnI2S: number,
  lnI1S: number,
  lnI1I2: number,
  muT: number,
  sd: number,
  e1: number,
  e2: number,
  e3: number,
  e4: number,
  n1: number,
  n2: number,
  n3: number,
  n4: number,
  f2: number,
  f1: number,
  f12: number,
): number {
  const f1Arg = (lnSH + muT) / sd;
  const f2Arg = (2 * lnI2S + lnSH + muT) / sd;
  const f3Arg = (2 * lnI1S + lnSH + muT) / sd;
  const f4Arg = (2 * lnI1I2 + lnSH + muT) / sd;
  const m1 = plackettPositive(-e1, -f1Arg) + n1 * quickNormCdf(-f1Arg);
  const m2 = plackettPositive(-e2, -f2Arg) + n2 * quickNormCdf(-f2Arg);
  const m3 = plackettNegative(-e3, -f3Arg) + n3 * quickNormCdf(-f3Arg);
  const m4 = plackettNegative(-e4, -f4Arg) + n4 * quickNormCdf(-f4Arg);
  return m1 - f2 * m2 - f1 * m3 + f12 * m4;
}
