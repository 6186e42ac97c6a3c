import { isCoreError } from '../../core/errors.js';
import { AppError } from '../errors.js';
import type { VolatilityProvider } from '../volatility-provider.js';
import type { SurfaceRepository } from './surface-repository.js';

/** A request field at fault, as a 422 naming it. */
function surfaceIdRefusal(msg: string): AppError {
  return new AppError('ERR_HTTP_VALIDATION', {
    detail: [{ loc: ['body', 'market_data', 'surface_id'], msg, type: 'value_error' }],
  });
}

/**
 * market_data.surface_id -> the stored surface's volatility at (K, T) (docs/api.md, "Pricing from a calibrated
 * surface"). An unknown id, or a point where the surface has no positive variance, is the request's fault: 422.
 */
export function surfaceVolatilityResolver(
  surfaces: SurfaceRepository,
  now: () => Date = () => new Date(),
): (surfaceId: string) => Promise<VolatilityProvider> {
  return async (surfaceId) => {
    const evaluator = await surfaces.evaluator(surfaceId, now());
    if (evaluator === null) throw surfaceIdRefusal(`no stored surface has the id ${surfaceId}`);
    return {
      estimate(strike, maturity) {
        try {
          return evaluator.volatility(strike, maturity);
        } catch (err) {
          if (isCoreError(err)) throw surfaceIdRefusal(err.message);
          throw err;
        }
      },
    };
  };
}
