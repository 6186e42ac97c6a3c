import { VolatilitySurface, type VolatilityPoint } from '../core/market/volatility-surface.js';
import type { VolatilityProvider } from './volatility-provider.js';

/**
 * The process's one volatility surface. The core's surface is an immutable value; this holder swaps in the
 * upserted surface in one assignment, so a pricing request reads either the old or the new surface, never a mix.
 */
export class VolatilitySurfaceStore implements VolatilityProvider {
  private surface: VolatilitySurface;

  /** `maxPoints`: the surface's point cap (OPE_VOLATILITY_MAX_POINTS); default unbounded. */
  constructor(options: { readonly maxPoints?: number } = {}) {
    this.surface = new VolatilitySurface([], options);
  }

  get points(): readonly VolatilityPoint[] {
    return this.surface.points;
  }

  get maxPoints(): number {
    return this.surface.maxPoints;
  }

  /**
   * Throws the core's CoreError (code ERR_CORE_INVALID_INPUT): param 'volatility' for a volatility outside
   * [0.01, 5], param 'points' for a new point past the cap.
   */
  upsert(point: VolatilityPoint): VolatilityPoint {
    this.surface = this.surface.upsert(point);
    return point;
  }

  /** Spot only scales the strike distances of the inverse-distance fallback (docs/api.md, "Volatility surface"). */
  estimate(strike: number, maturity: number, spot?: number): number {
    return this.surface.estimate(strike, maturity, spot).volatility;
  }
}
