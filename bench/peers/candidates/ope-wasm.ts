/**
 * OPE's WebAssembly SIMD kernels (src/core/wasm), the same numbers as the TypeScript engines bit for bit: the
 * Black-Scholes batch (prices alone, or with the five greeks), the tree rollback for binomial_200 and
 * leisen_reimer, and monte_carlo_20k without greeks. Implied volatility and the American approximations have no
 * WebAssembly kernel.
 */
import type { MarketInputs, OptionSpec } from '../../../src/core/index.js';
import {
  priceBinomialCrrWasm,
  priceBlackScholesBatchWasm,
  priceBlackScholesPricesWasm,
  priceLeisenReimerWasm,
  priceMonteCarloWasm,
} from '../../../src/core/wasm/index.js';
import { MONTE_CARLO_SEED } from './ope.js';
import type { OptionSet } from '../dataset.js';
import { greekOutputs, perContractJob, valueOutputs, type Candidate, type CandidateJob } from '../candidate.js';

type TreePricer = (option: OptionSpec, market: MarketInputs) => { value: number };

function treeJob(set: OptionSet, count: number, price: TreePricer): CandidateJob {
  const outputs = valueOutputs(count);
  return perContractJob(count, outputs, (i) => {
    const option: OptionSpec = { type: 'put', strike: set.strike[i]!, expiry: set.expiry[i]!, exercise: 'american' };
    const market: MarketInputs = { spot: set.spot[i]!, rate: set.rate[i]!, dividendYield: set.dividendYield[i]!, volatility: set.volatility[i]! };
    outputs.value[i] = price(option, market).value;
  });
}

export const opeWasm: Candidate = {
  name: 'OPE (WebAssembly)',
  packages: 'this repository, src/core/wasm (AssemblyScript, SIMD)',
  notes: [
    'price: priceBlackScholesPricesWasm over the set; price + greeks: priceBlackScholesBatchWasm (same contract as priceBlackScholesBatch)',
    'trees: priceBinomialCrrWasm / priceLeisenReimerWasm per contract (price only)',
    'Monte Carlo: priceMonteCarloWasm per contract (price, standard error and interval; the same seed and streams as OPE)',
  ],
  jobs: {
    price: ({ european: set }) => {
      const outputs = valueOutputs(set.size);
      return { count: set.size, outputs, run: () => (priceBlackScholesPricesWasm(set, outputs.value), outputs.value[set.size - 1]!) };
    },
    greeks: ({ european: set }) => {
      const outputs = greekOutputs(set.size);
      const batchOutput = { price: outputs.value, ...outputs.greeks };
      return { count: set.size, outputs, run: () => (priceBlackScholesBatchWasm(set, batchOutput), outputs.value[set.size - 1]!) };
    },
    crr: ({ american }) => treeJob(american, 1000, (o, m) => priceBinomialCrrWasm(o, m, { greeks: false, steps: 200 })),
    lr: ({ american }) => treeJob(american, 1000, (o, m) => priceLeisenReimerWasm(o, m, { greeks: false, steps: 201 })),
    mc: ({ european: set }) => {
      const count = 100;
      const outputs = valueOutputs(count);
      return perContractJob(count, outputs, (i) => {
        const option: OptionSpec = { type: set.isCall[i] === 1 ? 'call' : 'put', strike: set.strike[i]!, expiry: set.expiry[i]!, exercise: 'european' };
        const market: MarketInputs = { spot: set.spot[i]!, rate: set.rate[i]!, dividendYield: set.dividendYield[i]!, volatility: set.volatility[i]! };
        outputs.value[i] = priceMonteCarloWasm(option, market, { seed: MONTE_CARLO_SEED, stream: i, greeks: false }).value;
      });
    },
  },
};
