import type { Price, YearFraction } from '../types.js';

export type OptionType = 'call' | 'put';
export type ExerciseStyle = 'european' | 'american';

/** What is priced: a vanilla payoff plus its exercise (QuantLib's instrument = payoff + exercise). */
export interface OptionSpec {
  readonly type: OptionType;
  readonly strike: Price;
  /** Time to expiry in years. */
  readonly expiry: YearFraction;
  readonly exercise: ExerciseStyle;
}
