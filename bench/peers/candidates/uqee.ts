/**
 * @uqee/black-scholes: a typed class with price and greeks in one call and implied volatility by bisection or
 * Newton-Raphson. No dividend yield (see dividend-adapter.ts). Two rows: its defaults (a single-precision normal
 * CDF, implied volatility to 1e-3 in price) and its most accurate settings (the double-precision CDF, bisection
 * to 1e-12 in price), since a user who wants accuracy can ask for it.
 */
import { BlackScholes } from '@uqee/black-scholes';
import { greekOutputs, perContractJob, valueOutputs, type Candidate } from '../candidate.js';
import { dividendAdjustedSpot } from './dividend-adapter.js';
import { packageVersion } from './package-version.js';

function uqeeCandidate(name: string, engine: BlackScholes, ivCount: number, extraNote: string): Candidate {
  return {
    name,
    packages: `@uqee/black-scholes@${packageVersion('@uqee/black-scholes')}`,
    notes: [
      extraNote,
      'no dividend yield: priced on S e^(-qT), greeks converted (dividend-adapter.ts); its theta is dV/dT, sign flipped to dV/dt',
      'price: option() (it always computes the greeks too); implied volatility: sigma()',
    ],
    jobs: {
      price: ({ european: set }) => {
        const count = 100_000;
        const outputs = valueOutputs(count);
        return perContractJob(count, outputs, (i) => {
          const time = set.expiry[i]!;
          const underlying = dividendAdjustedSpot(set.spot[i]!, set.dividendYield[i]!, time);
          outputs.value[i] = engine.option({
            rate: set.rate[i]!,
            sigma: set.volatility[i]!,
            strike: set.strike[i]!,
            time,
            type: set.isCall[i] === 1 ? 'call' : 'put',
            underlying,
          }).price;
        });
      },
      greeks: ({ european: set }) => {
        const count = 100_000;
        const outputs = greekOutputs(count);
        const { delta, gamma, theta, vega, rho } = outputs.greeks;
        return perContractJob(count, outputs, (i) => {
          const time = set.expiry[i]!,
            q = set.dividendYield[i]!;
          const dq = Math.exp(-q * time);
          const underlying = set.spot[i]! * dq;
          const o = engine.option({
            rate: set.rate[i]!,
            sigma: set.volatility[i]!,
            strike: set.strike[i]!,
            time,
            type: set.isCall[i] === 1 ? 'call' : 'put',
            underlying,
          });
          outputs.value[i] = o.price;
          delta[i] = dq * o.delta;
          gamma[i] = dq * dq * o.gamma;
          theta[i] = -o.theta + q * underlying * o.delta;
          vega[i] = o.vega;
          rho[i] = o.rho;
        });
      },
      iv: ({ european: set, quotes }) => {
        const outputs = valueOutputs(ivCount);
        return perContractJob(ivCount, outputs, (i) => {
          const time = set.expiry[i]!;
          const underlying = dividendAdjustedSpot(set.spot[i]!, set.dividendYield[i]!, time);
          outputs.value[i] = engine.sigma({
            price: quotes[i]!,
            rate: set.rate[i]!,
            strike: set.strike[i]!,
            time,
            type: set.isCall[i] === 1 ? 'call' : 'put',
            underlying,
          });
        });
      },
    },
  };
}

export const uqeeDefaults = uqeeCandidate(
  '@uqee/black-scholes (defaults)',
  new BlackScholes(),
  10_000,
  'defaults: single-precision CDF, bisection on [0, 2] to 1e-3 in price',
);
export const uqeeDouble = uqeeCandidate(
  '@uqee/black-scholes (double, 1e-12)',
  new BlackScholes({ sigmaToPricePrecision: 'double', priceToSigmaAccuracy: 1e-12 }),
  10_000,
  'sigmaToPricePrecision "double", priceToSigmaAccuracy 1e-12 (bisection on [0, 2])',
);
