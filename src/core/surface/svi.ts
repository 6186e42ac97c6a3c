/**
 * Raw SVI (Gatheral 2004): total implied variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)) at
 * log-moneyness k = ln(K/F). The no-butterfly-arbitrage test is Gatheral and Jacquier's density condition
 * g(k) >= 0 ("Arbitrage-free SVI volatility surfaces", Quantitative Finance 14(1), 2014, section 2.2 and
 * Lemma 2.2); docs/numerics.md, "Calibrated surfaces".
 */

export interface SviParameters {
  readonly a: number;
  /** >= 0: the wings' overall slope. */
  readonly b: number;
  /** In (-1, 1): tilts the smile. */
  readonly rho: number;
  /** Log-moneyness of the vertex. */
  readonly m: number;
  /** > 0: the curvature at the vertex. */
  readonly sigma: number;
}

/** Total implied variance w(k) = sigma_BS(k)^2 T. */
export function sviTotalVariance(k: number, p: SviParameters): number {
  const d = k - p.m;
  return p.a + p.b * (p.rho * d + Math.sqrt(d * d + p.sigma * p.sigma));
}

/**
 * Gatheral and Jacquier's g(k) = (1 - k w'/(2w))^2 - (w'^2/4)(1/w + 1/4) + w''/2: the risk-neutral density is
 * g(k)/sqrt(2 pi w) times a positive factor, so a slice is free of butterfly arbitrage iff g >= 0 and w > 0.
 */
export function sviDensityFactor(k: number, p: SviParameters): number {
  const d = k - p.m;
  const root = Math.sqrt(d * d + p.sigma * p.sigma);
  const w = p.a + p.b * (p.rho * d + root);
  const w1 = p.b * (p.rho + d / root);
  const w2 = (p.b * p.sigma * p.sigma) / (root * root * root);
  const t = 1 - (k * w1) / (2 * w);
  return t * t - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

/** The smallest w over all k, a + b sigma sqrt(1 - rho^2): must be >= 0 for the slice to make sense. */
export function sviMinimumVariance(p: SviParameters): number {
  return p.a + p.b * p.sigma * Math.sqrt(1 - p.rho * p.rho);
}

/**
 * Roger Lee's moment formula ("The moment formula for implied volatility at extreme strikes", Mathematical
 * Finance 14(3), 2004) bounds total variance by 2|k| as |k| grows; the asymptotic slopes of raw SVI are
 * b (1 +- rho), so the larger one, b (1 + |rho|), must not exceed 2.
 */
export const SVI_MAX_WING_SLOPE = 2;
