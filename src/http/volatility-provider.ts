/**
 * Where a pricing request without `market_data.volatility` gets its volatility: the volatility surface
 * (docs/api.md, "Volatility surface"; VolatilitySurfaceStore implements this).
 */
export interface VolatilityProvider {
  /** Annualised volatility at (strike, maturity in years) for the given spot. */
  estimate(strike: number, maturity: number, spot: number): number;
  /**
   * The version of the surface estimate() answers from, when the surface is versioned (docs/architecture.md,
   * "The store"). Read in the same synchronous step as estimate(), it names exactly the surface that was used.
   */
  readonly version?: number;
}
