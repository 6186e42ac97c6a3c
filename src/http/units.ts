/**
 * The one place where the core's raw greek units become the v1 display units (docs/api.md):
 * theta per calendar day instead of per year, vega and rho per one point (0.01) instead of per 1.00.
 * Delta and gamma are per 1.0 of spot in both.
 */

export interface RawGreeks {
  readonly delta: number | null;
  readonly gamma: number | null;
  /** dV/dt per year. */
  readonly theta: number | null;
  /** Per 1.00 of volatility. */
  readonly vega: number | null;
  /** Per 1.00 of rate. */
  readonly rho: number | null;
}

export type DisplayGreeks = RawGreeks;

export const DAYS_PER_YEAR = 365;
export const POINTS_PER_UNIT = 100;

function scale(value: number | null, divisor: number): number | null {
  return value === null ? null : value / divisor;
}

export function toDisplayGreeks(raw: RawGreeks): DisplayGreeks {
  return {
    delta: raw.delta,
    gamma: raw.gamma,
    theta: scale(raw.theta, DAYS_PER_YEAR),
    vega: scale(raw.vega, POINTS_PER_UNIT),
    rho: scale(raw.rho, POINTS_PER_UNIT),
  };
}

/** total_vega_exposure: display vega (per point) back to per 1.00 of volatility. */
export function vegaExposure(displayVega: number): number {
  return displayVega * POINTS_PER_UNIT;
}
