/**
 * Types for the untyped peer packages, written from their sources in node_modules (only what the benchmark
 * calls). Units are the packages' own; the candidates convert to OPE's.
 */
declare module 'black-scholes' {
  const api: {
    /** Price without dividends; t in years, v and r as decimals. */
    blackScholes(s: number, k: number, t: number, v: number, r: number, callPut: 'call' | 'put'): number;
  };
  export = api;
}

declare module 'greeks' {
  const api: {
    getDelta(s: number, k: number, t: number, v: number, r: number, callPut: 'call' | 'put'): number;
    getGamma(s: number, k: number, t: number, v: number, r: number): number;
    /** Per `scale` days (default 365, i.e. per calendar day). */
    getTheta(s: number, k: number, t: number, v: number, r: number, callPut: 'call' | 'put', scale?: number): number;
    /** Per 1% of volatility (the result of dV/dsigma divided by 100). */
    getVega(s: number, k: number, t: number, v: number, r: number): number;
    /** Per `scale` (default 100, i.e. per 1% of rate). */
    getRho(s: number, k: number, t: number, v: number, r: number, callPut: 'call' | 'put', scale?: number): number;
  };
  export = api;
}

declare module 'implied-volatility' {
  const api: {
    getImpliedVolatility(
      expectedCost: number,
      s: number,
      k: number,
      t: number,
      r: number,
      callPut: 'call' | 'put',
      estimate?: number,
    ): number;
  };
  export = api;
}

declare module 'option-pricing' {
  export interface OptionParameters {
    style: 'european' | 'american';
    type: 'call' | 'put';
    initialSpotPrice: number;
    strikePrice: number;
    timeToMaturity: number;
    volatility: number;
    riskFreeRate?: number;
    dividendYield?: number;
  }
  export class Option {
    constructor(parameters: OptionParameters);
    style: 'european' | 'american';
    type: 'call' | 'put';
    initialSpotPrice: number;
    strikePrice: number;
    timeToMaturity: number;
    volatility: number;
    riskFreeRate: number;
    dividendYield: number;
    price(method: 'bs'): number | undefined;
    price(method: 'bt', params: { timeSteps: number }): number;
    price(
      method: 'mcs',
      params: {
        simulations: number;
        timeSteps?: number;
        prngName?: 'sfc32' | 'mulberry32' | 'xoshiro128ss' | 'jsf32';
        prngSeed?: string;
        prngAdvancePast?: number;
      },
    ): number;
  }
}
