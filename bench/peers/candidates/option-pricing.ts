/**
 * option-pricing: an Option class with Black-Scholes-Merton (with dividend yield), a CRR binomial tree and
 * Monte Carlo (seedable generators, antithetic paths). No greeks, no implied volatility. One Option object is
 * reused through its setters (cheaper than constructing one per contract); its tree keeps one object per node,
 * so the tree and Monte Carlo are timed on a handful of contracts.
 */
import { Option } from 'option-pricing';
import type { OptionSet } from '../dataset.js';
import { perContractJob, valueOutputs, type Candidate } from '../candidate.js';
import { packageVersion } from './package-version.js';

function load(option: Option, set: OptionSet, i: number): void {
  option.type = set.isCall[i] === 1 ? 'call' : 'put';
  option.initialSpotPrice = set.spot[i]!;
  option.strikePrice = set.strike[i]!;
  option.timeToMaturity = set.expiry[i]!;
  option.volatility = set.volatility[i]!;
  option.riskFreeRate = set.rate[i]!;
  option.dividendYield = set.dividendYield[i]!;
}

function newOption(style: 'european' | 'american'): Option {
  return new Option({
    style,
    type: 'put',
    initialSpotPrice: 100,
    strikePrice: 100,
    timeToMaturity: 1,
    volatility: 0.2,
  });
}

export const optionPricing: Candidate = {
  name: 'option-pricing',
  packages: `option-pricing@${packageVersion('option-pricing')}`,
  notes: [
    'one Option object reused through its validating setters',
    'binomial tree: price("bt", { timeSteps: 200 }), the same CRR tree as OPE (p = (e^((r-q)dt) - d)/(u - d))',
    'Monte Carlo: price("mcs", { simulations: 20000, prngName: "sfc32", prngSeed: contract index }), one step, antithetic',
  ],
  jobs: {
    price: ({ european: set }) => {
      const count = 20_000;
      const outputs = valueOutputs(count);
      const option = newOption('european');
      return perContractJob(count, outputs, (i) => {
        load(option, set, i);
        outputs.value[i] = option.price('bs') ?? Number.NaN;
      });
    },
    crr: ({ american: set }) => {
      const count = 10;
      const outputs = valueOutputs(count);
      const option = newOption('american');
      return perContractJob(count, outputs, (i) => {
        load(option, set, i);
        outputs.value[i] = option.price('bt', { timeSteps: 200 });
      });
    },
    mc: ({ european: set }) => {
      const count = 2;
      const outputs = valueOutputs(count);
      const option = newOption('european');
      return perContractJob(count, outputs, (i) => {
        load(option, set, i);
        outputs.value[i] = option.price('mcs', { simulations: 20_000, prngName: 'sfc32', prngSeed: String(i) });
      });
    },
  },
};
