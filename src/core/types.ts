/** Semantic aliases in the spirit of QuantLib's ql/types.hpp: they document units, the compiler sees numbers. */
/** Time in years (ACT/365 year fractions as the caller computes them). */
export type YearFraction = number;
/** Continuously compounded annual rate, 0.05 = 5%. */
export type Rate = number;
/** Annualised lognormal volatility, 0.2 = 20%. */
export type Volatility = number;
/** A price in the currency of the underlying. */
export type Price = number;
