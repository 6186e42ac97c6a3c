/**
 * Prints how the quote API's default Monte Carlo numbers moved when it switched from the v1 monte_carlo_20k engine
 * to the tunable estimator (docs/api.md, "Monte Carlo in this build"): the same contract, seed and 20,000 paths in
 * antithetic pairs through both, with each number's difference in units in the last place.
 * Run: ./node_modules/.bin/tsx scripts/quote-monte-carlo-default-diff.ts
 */
import { priceMonteCarloModel } from '../src/core/engines/monte-carlo-model.js';
import { priceOption } from '../src/core/models.js';

const option = { type: 'call', strike: 105, expiry: 0.75, exercise: 'european' } as const;
const market = { spot: 100, rate: 0.05, dividendYield: 0.01, volatility: 0.25 };
const seed = 123_456_789n;

const v1 = priceOption('monte_carlo_20k', option, market, { greeks: true, seed, pairs: 10_000 });
const tunable = priceMonteCarloModel(option, market, { seed, paths: 20_000, antithetic: true, greeks: true });

function ulps(a: number, b: number): number {
  const ulp = Math.abs(a) * Number.EPSILON;
  return Math.round(Math.abs(a - b) / ulp);
}

const rows: [string, number, number][] = [
  ['value', v1.value, tunable.value],
  ['standard error', v1.diagnostics.standardError ?? Number.NaN, tunable.standardError],
  ...(['delta', 'gamma', 'theta', 'vega', 'rho'] as const).map((g): [string, number, number] => [
    g,
    v1.greeks?.[g] ?? Number.NaN,
    tunable.greeks?.[g] ?? Number.NaN,
  ]),
];
for (const [name, a, b] of rows)
  console.log(
    `${name.padEnd(15)} v1 ${a}  tunable ${b}  ~${ulps(a, b)} ulp  rel ${(Math.abs(a - b) / Math.abs(a)).toExponential(1)}`,
  );
