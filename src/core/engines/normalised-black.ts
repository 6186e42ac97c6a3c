import { erf, erfcx, millsRatio, normCdf } from '../math/normal.js';

/**
 * The normalised Black function of P. Jäckel, "Let's be rational", Wilmott (2015) 40-53:
 *
 *   b(x, s) = Phi(x/s + s/2) e^(x/2) - Phi(x/s - s/2) e^(-x/2),   x = ln(F/K), s = sigma sqrt(T),
 *
 * the undiscounted Black call price divided by sqrt(F K). A put is b(-x, s) (reciprocal-strike symmetry),
 * and every call is its intrinsic value plus an out-of-the-money call: b(x, s) = 2 sinh(x/2) + b(-x, s)
 * for x > 0. The out-of-the-money part is computed in one of four regions so that it keeps close to full
 * relative accuracy even where it is tiny: with h = x/s and t = s/2 (so b = Phi(h+t) e^(ht) - Phi(h-t) e^(-ht)),
 * and Y(z) = Phi(z)/phi(z) the reciprocal Mills ratio,
 *
 *   b = exp(-(h^2 + t^2)/2) / sqrt(2 pi) * [Y(h+t) - Y(h-t)],
 *
 * 1. h < -10 and h + t < -10 + tau: an asymptotic expansion of Y(h+t) - Y(h-t) (Abramowitz & Stegun 26.2.12);
 * 2. t < tau: a Taylor expansion of Y(h+t) - Y(h-t) in t around h;
 * 3. h + t > 0.85: the two terms separately (the first dominates, no cancellation), each tail formed as the
 *    density times the Mills ratio R so that both share one exponential;
 * 4. otherwise: erfcx, b = exp(-(h^2+t^2)/2)/2 [erfcx(-(h+t)/sqrt2) - erfcx(-(h-t)/sqrt2)], one exponential.
 * The thresholds -10, tau = 2 * 2^(-52/16) and 0.85 are Jäckel's. Every region is built on the one exponential
 * E = exp(-(h^2 + t^2)/2), and the vega db/ds = E / sqrt(2 pi) is that same number, so the implied-volatility
 * iteration gets b and b' for the price of one exponential.
 */

/** Receives db/ds from normalisedBlackOtmAndVega. */
export interface VegaSink {
  vega: number;
}

const INV_SQRT_2PI = 0.3989422804014327;
/** sqrt(pi/2): Y(h) = Phi(h)/phi(h) = sqrt(pi/2) erfcx(-h/sqrt2). */
const SQRT_HALF_PI = 1.2533141373155003;
/** Region 1 applies for h below this (Jäckel's asymptotic_expansion_accuracy_threshold). */
const ASYMPTOTIC_THRESHOLD = -10;
/** Region 2 applies for t below tau = 2 eps^(1/16) ~ 0.2102 (Jäckel's small_t_expansion_of_normalized_black_threshold). */
const SMALL_T_THRESHOLD = 2 * 2 ** (-52 / 16);
/** Beyond |z| = 0.46875 sqrt(2), Phi(z) is formed from the density and the Mills ratio (Cody's intervals). */
const CENTRAL = 0.6629126073623883;
/** Cody's first interval |a| <= 0.46875, where erf is a rational function and erfcx needs an exponential. */
const CODY_SMALL = 0.46875;

/**
 * Region 1 coefficients. With z+ = h+t, z- = h-t (both below -9.79), r = z+ z-, e = (t/h)^2, q = (h/r)^2,
 * inserting Y(z) ~ -(1/z) sum_n (-1)^n (2n-1)!! z^(-2n) into Y(z+) - Y(z-) and factoring t/r gives
 *
 *   (r/t) [Y(z+) - Y(z-)] = 2 sum_n (-1)^n (2n-1)!! q^n sum_{j=0..n} C(2n+1, 2j+1) e^j.
 *
 * Jäckel stops at n = 17; measured against 50-digit arithmetic that leaves 6e-15 relative error at the region's
 * edge (h = -10.01, t = 0.2), while n <= 23 keeps it below 5e-17 (the series diverges only far later there).
 * ASYMPTOTIC_COEFFICIENTS[n][j] = 2 (-1)^n (2n-1)!! C(2n+1, 2j+1).
 */
const ASYMPTOTIC_TERMS = 24;
const ASYMPTOTIC_COEFFICIENTS: readonly Float64Array[] = buildAsymptoticCoefficients(ASYMPTOTIC_TERMS);

function buildAsymptoticCoefficients(terms: number): Float64Array[] {
  const rows: Float64Array[] = [];
  let doubleFactorial = 1; // (2n-1)!!, with (-1)!! = 1
  for (let n = 0; n < terms; n++) {
    if (n > 0) doubleFactorial *= 2 * n - 1;
    const row = new Float64Array(n + 1);
    // C(2n+1, k) for odd k, built from C(2n+1, 1) by the ratio C(m, k+2)/C(m, k) = (m-k)(m-k-1)/((k+1)(k+2)).
    const m = 2 * n + 1;
    let binomial = m;
    for (let j = 0; j <= n; j++) {
      row[j] = 2 * (n % 2 === 0 ? 1 : -1) * doubleFactorial * binomial;
      const k = 2 * j + 1;
      binomial = (binomial * (m - k) * (m - k - 1)) / ((k + 1) * (k + 2));
    }
    rows.push(row);
  }
  return rows;
}

/** Region 1: b / E for h < -10, h + t < -10 + tau. */
function asymptoticExpansion(h: number, t: number): number {
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  let sum = 0;
  for (let n = ASYMPTOTIC_TERMS - 1; n >= 0; n--) {
    const row = ASYMPTOTIC_COEFFICIENTS[n]!;
    let poly = 0;
    for (let j = n; j >= 0; j--) poly = poly * e + row[j]!;
    sum = sum * q + poly;
  }
  return INV_SQRT_2PI * (t / r) * sum;
}

/**
 * Region 2: b / E for t < tau, from Y(h+t) - Y(h-t) = 2 sum_{k odd} Y^(k)(h) t^k / k!. Because Y' = 1 + hY,
 * every odd derivative is a polynomial in h^2 and a = 1 + h Y(h): Y' = a, Y''' = a(h^2+3) - 1,
 * Y^(5) = a(h^4+10h^2+15) - h^2 - 7, ... (derived symbolically; they agree with Jäckel's published expansion).
 * Thirteenth order in t is below one ulp for t < tau. The cancellation in a = 1 + hY(h) as h -> -inf limits the
 * relative accuracy to about h^2 ulps, which costs sigma nothing because the implied volatility's sensitivity
 * to b is smaller by the same factor there.
 */
function smallTExpansion(h: number, t: number): number {
  const a = 1 + h * SQRT_HALF_PI * erfcx(-Math.SQRT1_2 * h);
  const w = t * t;
  const h2 = h * h;
  // Divisions by k! written as products with the reciprocals: six divisions were a tenth of the whole inversion.
  const c3 = (-1 + a * (3 + h2)) * (1 / 6);
  const c5 = (-7 - h2 + a * (15 + h2 * (10 + h2))) * (1 / 120);
  const c7 = (-57 + h2 * (-18 - h2) + a * (105 + h2 * (105 + h2 * (21 + h2)))) * (1 / 5040);
  const c9 =
    (-561 + h2 * (-285 + h2 * (-33 - h2)) + a * (945 + h2 * (1260 + h2 * (378 + h2 * (36 + h2))))) * (1 / 362880);
  const c11 =
    (-6555 +
      h2 * (-4680 + h2 * (-840 + h2 * (-52 - h2))) +
      a * (10395 + h2 * (17325 + h2 * (6930 + h2 * (990 + h2 * (55 + h2)))))) *
    (1 / 39916800);
  const c13 =
    (-89055 +
      h2 * (-82845 + h2 * (-20370 + h2 * (-1926 + h2 * (-75 - h2)))) +
      a * (135135 + h2 * (270270 + h2 * (135135 + h2 * (25740 + h2 * (2145 + h2 * (78 + h2))))))) *
    (1 / 6227020800);
  return INV_SQRT_2PI * 2 * t * (a + w * (c3 + w * (c5 + w * (c7 + w * (c9 + w * (c11 + w * c13))))));
}

/**
 * b(x, s) for an out-of-the-money call, x <= 0, s >= 0, given bMax = e^(x/2), with its vega db/ds written to
 * `sink` when one is given. Both come from the one exponential E = exp(-(h^2 + t^2)/2). The implied-volatility
 * kernel calls this directly with its own e^(x/2), so that b tends to exactly that bound as s grows.
 */
export function normalisedBlackOtmAndVega(x: number, s: number, bMax: number, sink: VegaSink | null): number {
  if (!(s > 0)) {
    if (sink !== null) sink.vega = 0;
    return 0;
  }
  const h = x / s;
  const t = 0.5 * s;
  const E = Math.exp(-0.5 * (h * h + t * t));
  if (sink !== null) sink.vega = INV_SQRT_2PI * E;
  let b: number;
  if (h < ASYMPTOTIC_THRESHOLD && h + t < ASYMPTOTIC_THRESHOLD + SMALL_T_THRESHOLD) {
    b = E * asymptoticExpansion(h, t);
  } else if (t < SMALL_T_THRESHOLD) {
    b = E * smallTExpansion(h, t);
  } else if (h + t > 0.85) {
    // Phi(h+t) e^(ht) = e^(x/2) - phi(h+t) e^(ht) R(h+t), and phi(h+t) e^(ht) = phi(h-t) e^(-ht) = E / sqrt(2 pi).
    const densityE = INV_SQRT_2PI * E;
    const second = h - t < -CENTRAL ? densityE * millsRatio(t - h) : normCdf(h - t) / bMax;
    b = bMax - densityE * millsRatio(h + t) - second;
  } else {
    // b = E [erfcx(a1) - erfcx(a2)] / 2 with a1 = -(h+t)/sqrt2, a2 = -(h-t)/sqrt2 > 0. Where Cody's erfcx would
    // need an exponential of its own (|a| <= 0.46875, or a < 0), use E erfcx(a1) = e^(x/2) erfc(a1) and
    // E erfcx(a2) = e^(-x/2) erfc(a2) instead (E e^(a1^2) = e^(ht) = e^(x/2)): the same numbers, no new exponential.
    const a1 = -Math.SQRT1_2 * (h + t);
    const a2 = -Math.SQRT1_2 * (h - t);
    const first =
      a1 > CODY_SMALL ? E * erfcx(a1) : a1 >= -CODY_SMALL ? bMax * (1 - erf(a1)) : 2 * bMax - E * erfcx(-a1);
    const second = a2 > CODY_SMALL ? E * erfcx(a2) : (1 - erf(a2)) / bMax;
    b = 0.5 * (first - second);
  }
  return b > 0 ? b : 0;
}

/** b(x, s) for an out-of-the-money call, x <= 0, s >= 0. */
export function normalisedBlackOtm(x: number, s: number): number {
  return normalisedBlackOtmAndVega(x, s, Math.exp(0.5 * x), null);
}

/** Normalised intrinsic value of a call, max(e^(x/2) - e^(-x/2), 0) = 2 sinh(x/2) for x > 0, without cancellation. */
export function normalisedIntrinsicCall(x: number): number {
  return x > 0 ? 2 * Math.sinh(0.5 * x) : 0;
}

/** b(x, s) for a call (theta = +1) or a put (theta = -1), any x, s >= 0. */
export function normalisedBlack(x: number, s: number, theta: 1 | -1): number {
  const y = theta * x;
  return y > 0 ? normalisedIntrinsicCall(y) + normalisedBlackOtm(-y, s) : normalisedBlackOtm(y, s);
}

/** db/ds = phi(x/s + s/2) e^(x/2) = exp(-(x^2/s^2 + s^2/4)/2) / sqrt(2 pi), the same for calls and puts. */
export function normalisedVega(x: number, s: number): number {
  if (!(s > 0)) return 0;
  const h = x / s;
  const t = 0.5 * s;
  return INV_SQRT_2PI * Math.exp(-0.5 * (h * h + t * t));
}
