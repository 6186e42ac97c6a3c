/**
 * The workloads of the comparison and the reference each one is checked against.
 */
import {
  priceBaroneAdesiWhaley,
  priceBinomialCrr,
  priceBjerksundStensland1993,
  priceLeisenReimer,
  type MarketInputs,
  type OptionSpec,
  type PriceResult,
} from '../../src/core/index.js';
import { absoluteError, relativeError, RELATIVE_FLOOR, type ErrorMeasure } from './accuracy.js';
import type { Outputs, WorkloadId, WorkloadInputs } from './candidate.js';
import type { OptionSet } from './dataset.js';

export interface Reference {
  readonly arrays: readonly Float64Array[];
  /** Which contracts are compared (all by default). */
  readonly include?: (i: number) => boolean;
}

/** The reference European results, computed once by OPE's TypeScript Black-Scholes batch over the whole set. */
export interface EuropeanReference extends WorkloadInputs {
  readonly analytic: Required<Outputs>;
}

export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  /** What the error column measures, for the table's legend. */
  readonly errorDescription: string;
  readonly measure: ErrorMeasure;
  /** The candidate arrays compared, in the order of the reference arrays. */
  readonly compared: (outputs: Outputs) => readonly Float64Array[];
  /** The reference for the first `count` contracts. */
  readonly reference: (context: EuropeanReference, count: number) => Reference;
}

const valueOnly = (outputs: Outputs): readonly Float64Array[] => [outputs.value];

/**
 * A quote determines its volatility to ~2e-14 relative from a double price when a 1-ulp change of the price
 * moves sigma that little: elasticity vega sigma / price >= 0.01. Deep in-the-money quotes whose time value
 * is lost in the price's last bits fall outside; no method can recover their volatility.
 */
export const WELL_POSED_ELASTICITY = 0.01;
/**
 * Quotes below this price (far out of the money, down to 1e-170 in this set) are left out of the error column:
 * nobody trades them, and counting them would rank the peers by their underflow handling rather than by their
 * accuracy. OPE inverts them too (its own tests cover that range).
 */
export const SMALLEST_QUOTE = RELATIVE_FLOOR;

type AmericanEngine = (option: OptionSpec, market: MarketInputs) => PriceResult;

function americanReference(set: OptionSet, count: number, engine: AmericanEngine): Reference {
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const option: OptionSpec = { type: 'put', strike: set.strike[i]!, expiry: set.expiry[i]!, exercise: 'american' };
    const market: MarketInputs = {
      spot: set.spot[i]!,
      rate: set.rate[i]!,
      dividendYield: set.dividendYield[i]!,
      volatility: set.volatility[i]!,
    };
    values[i] = engine(option, market).value;
  }
  return { arrays: [values] };
}

export const WORKLOADS: readonly Workload[] = [
  {
    id: 'price',
    title: 'European price',
    errorDescription: 'max relative error vs OPE analytic (absolute below 1e-6)',
    measure: relativeError,
    compared: valueOnly,
    reference: ({ analytic }) => ({ arrays: [analytic.value] }),
  },
  {
    id: 'greeks',
    title: 'price + 5 greeks',
    errorDescription: 'max relative error over price and the 5 greeks vs OPE analytic (absolute below 1e-6, raw units)',
    measure: relativeError,
    compared: (o) =>
      o.greeks ? [o.value, o.greeks.delta, o.greeks.gamma, o.greeks.theta, o.greeks.vega, o.greeks.rho] : [o.value],
    reference: ({ analytic: a }) => ({
      arrays: [a.value, a.greeks.delta, a.greeks.gamma, a.greeks.theta, a.greeks.vega, a.greeks.rho],
    }),
  },
  {
    id: 'iv',
    title: 'implied volatility',
    errorDescription: `max relative error of sigma over the quotes worth at least ${SMALLEST_QUOTE} whose price determines sigma (vega sigma >= ${WELL_POSED_ELASTICITY} price)`,
    measure: relativeError,
    compared: valueOnly,
    reference: ({ european, analytic }) => ({
      arrays: [european.volatility],
      include: (i) => {
        const price = analytic.value[i]!;
        return (
          price >= SMALLEST_QUOTE && analytic.greeks.vega[i]! * european.volatility[i]! >= WELL_POSED_ELASTICITY * price
        );
      },
    }),
  },
  {
    id: 'crr',
    title: 'American put, CRR 200',
    errorDescription: "max relative difference vs OPE's binomial_200 (absolute below 1e-6)",
    measure: relativeError,
    compared: valueOnly,
    reference: ({ american }, count) =>
      americanReference(american, count, (o, m) => priceBinomialCrr(o, m, { greeks: false, steps: 200 })),
  },
  {
    id: 'lr',
    title: 'American put, Leisen-Reimer 201',
    errorDescription: "max relative difference vs OPE's leisen_reimer (absolute below 1e-6)",
    measure: relativeError,
    compared: valueOnly,
    reference: ({ american }, count) =>
      americanReference(american, count, (o, m) => priceLeisenReimer(o, m, { greeks: false, steps: 201 })),
  },
  {
    id: 'baw',
    title: 'American put, Barone-Adesi-Whaley',
    errorDescription: "max relative difference vs OPE's barone_adesi_whaley (absolute below 1e-6)",
    measure: relativeError,
    compared: valueOnly,
    reference: ({ american }, count) =>
      americanReference(american, count, (o, m) => priceBaroneAdesiWhaley(o, m, { greeks: false })),
  },
  {
    id: 'bjs',
    title: 'American put, Bjerksund-Stensland 1993',
    errorDescription: "max relative difference vs OPE's bjerksund_stensland_1993 (absolute below 1e-6)",
    measure: relativeError,
    compared: valueOnly,
    reference: ({ american }, count) =>
      americanReference(american, count, (o, m) => priceBjerksundStensland1993(o, m, { greeks: false })),
  },
  {
    id: 'mc',
    title: 'Monte Carlo, 20,000 paths',
    errorDescription:
      'max absolute error vs the analytic price, in price units (statistical: about 1-3 standard errors)',
    measure: absoluteError,
    compared: valueOnly,
    reference: ({ analytic }) => ({ arrays: [analytic.value] }),
  },
];
