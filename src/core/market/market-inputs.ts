import type { Price, Rate, Volatility } from '../types.js';

/** The market an option is priced in (QuantLib's "process"): flat rate, flat dividend yield, flat volatility. */
export interface MarketInputs {
  readonly spot: Price;
  /** Continuously compounded risk-free rate. */
  readonly rate: Rate;
  /** Continuous dividend yield. */
  readonly dividendYield: Rate;
  readonly volatility: Volatility;
}
