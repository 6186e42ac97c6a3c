import { CoreError } from '../errors.js';

/** One volatility on one expiry's smile, as the calibrators take it. */
export interface SmileQuote {
  readonly strike: number;
  /** Black (lognormal) implied volatility, 0.2 = 20%. */
  readonly volatility: number;
}

export interface SmileFit {
  /** Root mean square of (model - quoted) volatility over the quotes. */
  readonly rmse: number;
  /** Solver iterations summed over the starts. */
  readonly iterations: number;
  /** How many starting points were tried. */
  readonly starts: number;
}

/** Refuses a smile the calibrators cannot work with, naming the quote at fault. */
export function requireSmile(
  forward: number,
  expiry: number,
  quotes: readonly SmileQuote[],
  minimumStrikes: number,
): void {
  if (!(forward > 0 && forward < Infinity))
    throw new CoreError('ERR_CORE_INVALID_INPUT', `forward must be positive and finite, got ${forward}`, 'forward');
  if (!(expiry > 0 && expiry < Infinity))
    throw new CoreError('ERR_CORE_INVALID_INPUT', `expiry must be positive and finite, got ${expiry}`, 'expiry');
  const strikes = new Set<number>();
  quotes.forEach((q, i) => {
    if (!(q.strike > 0 && q.strike < Infinity)) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `strike must be positive and finite, got ${q.strike}`,
        `quotes[${i}].strike`,
      );
    }
    if (!(q.volatility > 0 && q.volatility < Infinity)) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `volatility must be positive and finite, got ${q.volatility}`,
        `quotes[${i}].volatility`,
      );
    }
    strikes.add(q.strike);
  });
  if (strikes.size < minimumStrikes) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `a smile needs quotes at ${minimumStrikes} distinct strikes at least, got ${strikes.size}`,
      'quotes',
    );
  }
}

/** The volatility at the strike nearest the forward (linear between the two strikes around it). */
export function atTheMoneyVolatility(forward: number, quotes: readonly SmileQuote[]): number {
  let below: SmileQuote | undefined;
  let above: SmileQuote | undefined;
  for (const q of quotes) {
    if (q.strike <= forward && (below === undefined || q.strike > below.strike)) below = q;
    if (q.strike >= forward && (above === undefined || q.strike < above.strike)) above = q;
  }
  if (below === undefined) return above!.volatility;
  if (above === undefined || above.strike === below.strike) return below.volatility;
  const t = (forward - below.strike) / (above.strike - below.strike);
  return below.volatility + t * (above.volatility - below.volatility);
}

/** A residual in place of a model value that is not a finite positive volatility (the expansion broke down). */
export const BROKEN_MODEL_RESIDUAL = 10;
