/**
 * OPE through its library API (src/core/index.ts), exactly as a TypeScript user would call it: the batch entry
 * points where the library has them (Black-Scholes with greeks, implied volatility), the per-contract engines
 * otherwise.
 */
import {
  blackScholesPrice,
  impliedVolatilityBatch,
  priceBaroneAdesiWhaley,
  priceBinomialCrr,
  priceBjerksundStensland1993,
  priceBlackScholesBatch,
  priceLeisenReimer,
  priceMonteCarlo,
  type MarketInputs,
  type OptionSpec,
  type PriceResult,
} from '../../../src/core/index.js';
import type { OptionSet } from '../dataset.js';
import { greekOutputs, perContractJob, valueOutputs, type Candidate, type CandidateJob } from '../candidate.js';

/** Seed of every Monte Carlo run; contract i uses stream i. */
export const MONTE_CARLO_SEED = 42n;

function americanPut(set: OptionSet, i: number): { option: OptionSpec; market: MarketInputs } {
  return {
    option: { type: 'put', strike: set.strike[i]!, expiry: set.expiry[i]!, exercise: 'american' },
    market: {
      spot: set.spot[i]!,
      rate: set.rate[i]!,
      dividendYield: set.dividendYield[i]!,
      volatility: set.volatility[i]!,
    },
  };
}

type AmericanEngine = (option: OptionSpec, market: MarketInputs) => PriceResult;

function americanJob(set: OptionSet, count: number, engine: AmericanEngine): CandidateJob {
  const outputs = valueOutputs(count);
  return perContractJob(count, outputs, (i) => {
    const { option, market } = americanPut(set, i);
    outputs.value[i] = engine(option, market).value;
  });
}

export const ope: Candidate = {
  name: 'OPE',
  packages: 'this repository, src/core (TypeScript)',
  notes: [
    'price: blackScholesPrice per contract; price + greeks: priceBlackScholesBatch over the set (structure of arrays)',
    'implied volatility: impliedVolatilityBatch (Jaeckel, "Let\'s be rational")',
    'trees, BAW, BjS 1993, Monte Carlo: priceBinomialCrr / priceLeisenReimer / priceBaroneAdesiWhaley / ' +
      'priceBjerksundStensland1993 / priceMonteCarlo per contract, greeks off',
  ],
  jobs: {
    price: ({ european: set }) => {
      const count = set.size;
      const outputs = valueOutputs(count);
      return {
        count,
        outputs,
        run() {
          const { isCall, spot, strike, expiry, volatility, rate, dividendYield } = set;
          for (let i = 0; i < count; i++) {
            outputs.value[i] = blackScholesPrice(
              isCall[i] === 1 ? 'call' : 'put',
              spot[i]!,
              strike[i]!,
              expiry[i]!,
              volatility[i]!,
              rate[i]!,
              dividendYield[i]!,
            );
          }
          return outputs.value[count - 1]!;
        },
      };
    },
    greeks: ({ european: set }) => {
      const count = set.size;
      const outputs = greekOutputs(count);
      const batchOutput = { price: outputs.value, ...outputs.greeks };
      return {
        count,
        outputs,
        run() {
          priceBlackScholesBatch(set, batchOutput, count);
          return outputs.value[count - 1]!;
        },
      };
    },
    iv: ({ european: set, quotes }) => {
      const count = set.size;
      const outputs = valueOutputs(count);
      const status = new Uint8Array(count);
      const batchOutput = { volatility: outputs.value, iterations: new Uint8Array(count), status };
      const batchInput = { ...set, price: quotes };
      return {
        count,
        outputs,
        run() {
          impliedVolatilityBatch(batchInput, batchOutput, count);
          // A quote the solver refuses (at or beyond a no-arbitrage bound) is a failure, not a volatility of 0.
          for (let i = 0; i < count; i++) if (status[i] !== 0) outputs.value[i] = Number.NaN;
          return outputs.value[count - 1]!;
        },
      };
    },
    crr: ({ american }) => americanJob(american, 1000, (o, m) => priceBinomialCrr(o, m, { greeks: false, steps: 200 })),
    lr: ({ american }) => americanJob(american, 1000, (o, m) => priceLeisenReimer(o, m, { greeks: false, steps: 201 })),
    baw: ({ american }) => americanJob(american, 20_000, (o, m) => priceBaroneAdesiWhaley(o, m, { greeks: false })),
    bjs: ({ american }) =>
      americanJob(american, 20_000, (o, m) => priceBjerksundStensland1993(o, m, { greeks: false })),
    mc: ({ european: set }) => {
      const count = 100;
      const outputs = valueOutputs(count);
      return perContractJob(count, outputs, (i) => {
        const option: OptionSpec = {
          type: set.isCall[i] === 1 ? 'call' : 'put',
          strike: set.strike[i]!,
          expiry: set.expiry[i]!,
          exercise: 'european',
        };
        const market: MarketInputs = {
          spot: set.spot[i]!,
          rate: set.rate[i]!,
          dividendYield: set.dividendYield[i]!,
          volatility: set.volatility[i]!,
        };
        outputs.value[i] = priceMonteCarlo(option, market, { greeks: false, seed: MONTE_CARLO_SEED, stream: i }).value;
      });
    },
  },
};
