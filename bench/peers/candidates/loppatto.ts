/**
 * Matt Loppatto's trio, the first hits for "black scholes", "greeks" and "implied volatility" on npm: plain
 * functions of (s, k, t, v, r, "call" | "put") without a dividend yield (see dividend-adapter.ts).
 */
import blackScholesPackage from 'black-scholes';
import greeksPackage from 'greeks';
import impliedVolatilityPackage from 'implied-volatility';
import { greekOutputs, perContractJob, valueOutputs, type Candidate } from '../candidate.js';
import { dividendAdjustedSpot } from './dividend-adapter.js';
import { packageVersion } from './package-version.js';

const { blackScholes } = blackScholesPackage;
const { getDelta, getGamma, getTheta, getVega, getRho } = greeksPackage;
const { getImpliedVolatility } = impliedVolatilityPackage;

export const loppatto: Candidate = {
  name: 'black-scholes + greeks + implied-volatility',
  packages: `black-scholes@${packageVersion('black-scholes')}, greeks@${packageVersion('greeks')}, implied-volatility@${packageVersion('implied-volatility')}`,
  notes: [
    'no dividend yield: priced on S e^(-qT), greeks converted (dividend-adapter.ts); getTheta/getRho with scale 1, vega x 100',
    'normal CDF by a 100-term Taylor series, so each call costs tens of microseconds: timed on small subsets',
    'implied volatility: getImpliedVolatility with its defaults (bisection until the price matches to the cent, at most 100 steps)',
  ],
  jobs: {
    price: ({ european: set }) => {
      const count = 2000;
      const outputs = valueOutputs(count);
      return perContractJob(count, outputs, (i) => {
        const T = set.expiry[i]!;
        const s = dividendAdjustedSpot(set.spot[i]!, set.dividendYield[i]!, T);
        outputs.value[i] = blackScholes(
          s,
          set.strike[i]!,
          T,
          set.volatility[i]!,
          set.rate[i]!,
          set.isCall[i] === 1 ? 'call' : 'put',
        );
      });
    },
    greeks: ({ european: set }) => {
      const count = 500;
      const outputs = greekOutputs(count);
      const { delta, gamma, theta, vega, rho } = outputs.greeks;
      return perContractJob(count, outputs, (i) => {
        const T = set.expiry[i]!,
          K = set.strike[i]!,
          v = set.volatility[i]!,
          r = set.rate[i]!,
          q = set.dividendYield[i]!;
        const type = set.isCall[i] === 1 ? 'call' : 'put';
        const dq = Math.exp(-q * T);
        const s = set.spot[i]! * dq;
        outputs.value[i] = blackScholes(s, K, T, v, r, type);
        const delta0 = getDelta(s, K, T, v, r, type);
        delta[i] = dq * delta0;
        gamma[i] = dq * dq * getGamma(s, K, T, v, r);
        theta[i] = getTheta(s, K, T, v, r, type, 1) + q * s * delta0;
        vega[i] = 100 * getVega(s, K, T, v, r);
        rho[i] = getRho(s, K, T, v, r, type, 1);
      });
    },
    iv: ({ european: set, quotes }) => {
      const count = 20;
      const outputs = valueOutputs(count);
      return perContractJob(count, outputs, (i) => {
        const T = set.expiry[i]!;
        const s = dividendAdjustedSpot(set.spot[i]!, set.dividendYield[i]!, T);
        outputs.value[i] = getImpliedVolatility(
          quotes[i]!,
          s,
          set.strike[i]!,
          T,
          set.rate[i]!,
          set.isCall[i] === 1 ? 'call' : 'put',
        );
      });
    },
  },
};
