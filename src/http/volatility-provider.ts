/**
 * Where a pricing request without `market_data.volatility` gets its volatility: the volatility surface
 * (API-V1.md, "Volatility surface"). The surface answers 0.20 while it holds fewer than 4 points, so a service
 * without any surface points prices with the constant provider below and behaves exactly as specified.
 */
export interface VolatilityProvider {
  /** Annualised volatility at (strike, maturity in years) for the given spot. */
  estimate(strike: number, maturity: number, spot: number): number;
}

/** The surface's answer while it has fewer than 4 points. */
export const SPARSE_SURFACE_VOLATILITY = 0.2;

export function constantVolatilityProvider(volatility = SPARSE_SURFACE_VOLATILITY): VolatilityProvider {
  return { estimate: () => volatility };
}
