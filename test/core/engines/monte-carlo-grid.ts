import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';

/**
 * The grid of 50 puts shared with the Longstaff-Schwartz test: S in {80, 90, 100, 110, 120} x sigma in
 * {0.2, 0.4} x T in {0.1, 0.25, 0.5, 1, 2}, K = 100, r = 5%, q = 0.
 */
export function putGrid(exercise: 'european' | 'american'): { option: OptionSpec; market: MarketInputs }[] {
  const out: { option: OptionSpec; market: MarketInputs }[] = [];
  for (const spot of [80, 90, 100, 110, 120]) {
    for (const volatility of [0.2, 0.4]) {
      for (const expiry of [0.1, 0.25, 0.5, 1, 2]) {
        out.push({
          option: { type: 'put', strike: 100, expiry, exercise },
          market: { spot, rate: 0.05, dividendYield: 0, volatility },
        });
      }
    }
  }
  return out;
}
