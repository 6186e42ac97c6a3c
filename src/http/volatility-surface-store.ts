import { VolatilitySurface, type VolatilityPoint } from '../core/market/volatility-surface.js';
import type { VolatilityProvider } from './volatility-provider.js';

/**
 * The process's one volatility surface. The core's surface is an immutable value; this holder swaps in the
 * upserted surface in one assignment, so a pricing request reads either the old or the new surface, never a mix.
 */
export class VolatilitySurfaceStore implements VolatilityProvider {
  private surface = new VolatilitySurface();

  get points(): readonly VolatilityPoint[] {
    return this.surface.points;
  }

  /** Throws the core's CoreError (code ERR_CORE_INVALID_INPUT, param 'volatility') for a volatility outside [0.01, 5]. */
  upsert(point: VolatilityPoint): VolatilityPoint {
    this.surface = this.surface.upsert(point);
    return point;
  }

  /** Spot is accepted for compatibility with the Python service's estimate request; the surface is in absolute strike. */
  estimate(strike: number, maturity: number, _spot?: number): number {
    return this.surface.estimate(strike, maturity).volatility;
  }
}
