/**
 * Most npm Black-Scholes packages have no dividend yield. A continuous yield q is the same as pricing on the
 * spot S e^(-qT) without dividends: the price is exactly the generalised Black-Scholes-Merton price, and so are
 * vega and rho (rho with q held fixed). Delta and gamma pick up the chain-rule factors e^(-qT) and e^(-2qT),
 * and theta the term from the spot's own drift: theta = theta0 + q S e^(-qT) delta0. A user of such a package
 * has to do exactly this, so the adaptation is part of the peer's timed work.
 */
export function dividendAdjustedSpot(spot: number, dividendYield: number, expiry: number): number {
  return spot * Math.exp(-dividendYield * expiry);
}
