/**
 * @quantlib/ql: quantlib.js, a TypeScript re-implementation of QuantLib (not emscripten). Instruments are built
 * the QuantLib way: one Black-Scholes-Merton process over flat curves and a constant volatility driven by
 * SimpleQuotes, and per contract a VanillaOption (payoff + exercise date) priced by an engine.
 *
 * Two things make it usable at all in a loop, and both are done here in QuantLib's favour:
 * - every instrument unregisters from its observables once priced. JavaScript has no weak observers, so without
 *   that each quote change notifies every instrument ever built, and the cost per contract grows without bound
 *   (measured: 20 us per contract with the unregistration, 330 us and rising after 2,000 contracts without);
 * - implied volatility uses QuantLib's free function blackFormulaImpliedStdDev (0.005 ms per quote) rather than
 *   VanillaOption.impliedVolatility, which builds a process per call that stays registered with the curves
 *   (0.5 ms per quote and rising).
 * Expiries are dates: the set's expiries are whole days, so Actual/365 Fixed gives exactly the same T.
 */
import * as ql from '@quantlib/ql';
import type { OptionSet } from '../dataset.js';
import { greekOutputs, perContractJob, valueOutputs, type Candidate } from '../candidate.js';
import { MONTE_CARLO_SEED } from './ope.js';
import { packageVersion } from './package-version.js';

/** The pricing environment: one process whose inputs are quotes that each contract sets. */
class Market {
  readonly today = ql.DateExt.UTC('2 January 2024');
  readonly spot = new ql.SimpleQuote(100);
  readonly rate = new ql.SimpleQuote(0);
  readonly dividendYield = new ql.SimpleQuote(0);
  readonly volatility = new ql.SimpleQuote(0.2);
  readonly process: ql.BlackScholesMertonProcess;

  constructor() {
    ql.Settings.evaluationDate.set(this.today);
    const dayCounter = new ql.Actual365Fixed();
    // FlatForward is a YieldTermStructure at run time; the package's declarations build it from a mixin that
    // the compiler cannot relate to the class, hence the cast.
    const curve = (quote: ql.SimpleQuote): ql.Handle<ql.YieldTermStructure> =>
      new ql.Handle(
        new ql.FlatForward().ffInit1(
          this.today,
          new ql.Handle(quote),
          dayCounter,
          ql.Compounding.Continuous,
        ) as unknown as ql.YieldTermStructure,
      );
    const volatility = new ql.Handle(
      new ql.BlackConstantVol().bcvInit2(this.today, new ql.NullCalendar(), new ql.Handle(this.volatility), dayCounter),
    );
    this.process = new ql.BlackScholesMertonProcess(
      new ql.Handle(this.spot),
      curve(this.dividendYield),
      curve(this.rate),
      volatility,
    );
  }

  /** Sets the quotes to contract i and builds its instrument, priced by `engine`. */
  instrument(set: OptionSet, i: number, american: boolean, engine: ql.PricingEngine): ql.VanillaOption {
    this.spot.setValue(set.spot[i]!);
    this.rate.setValue(set.rate[i]!);
    this.dividendYield.setValue(set.dividendYield[i]!);
    this.volatility.setValue(set.volatility[i]!);
    const maturity = ql.DateExt.add(this.today, set.days[i]!);
    const exercise = american ? new ql.AmericanExercise().aeInit2(maturity) : new ql.EuropeanExercise(maturity);
    const type = set.isCall[i] === 1 ? ql.Option.Type.Call : ql.Option.Type.Put;
    const option = new ql.VanillaOption(new ql.PlainVanillaPayoff(type, set.strike[i]!), exercise);
    option.setPricingEngine(engine);
    return option;
  }
}

function engineJob(market: Market, set: OptionSet, count: number, american: boolean, engine: ql.PricingEngine) {
  const outputs = valueOutputs(count);
  return perContractJob(count, outputs, (i) => {
    const option = market.instrument(set, i, american, engine);
    try {
      outputs.value[i] = option.NPV();
    } finally {
      option.unregisterWithAll();
    }
  });
}

/**
 * A fresh market per job, so that no workload pays for the engines an earlier one left registered with the
 * process (each quote change notifies every engine still registered).
 */
function market(): Market {
  return new Market();
}

export const quantlib: Candidate = {
  name: '@quantlib/ql',
  packages: `@quantlib/ql@${packageVersion('@quantlib/ql')}`,
  notes: [
    'instruments unregistered after pricing, implied volatility by blackFormulaImpliedStdDev (see candidates/quantlib.ts)',
    'AnalyticEuropeanEngine; BinomialVanillaEngine(CoxRossRubinstein, 200) and (LeisenReimer, 201); ' +
      'BaroneAdesiWhaleyApproximationEngine; BjerksundStenslandApproximationEngine (the 1993 flat boundary)',
    'MakeMCEuropeanEngine(PseudoRandom): 1 step, 10,000 antithetic samples (20,000 paths), seed 42 + contract index',
    "QuantLib's CRR tree takes p = 1/2 + (r - q - sigma^2/2) sqrt(dt) / (2 sigma): a different tree from OPE's, " +
      'so its prices differ at O(1/steps)',
  ],
  jobs: {
    price: ({ european: set }) => {
      const m = market();
      return engineJob(m, set, 1000, false, new ql.AnalyticEuropeanEngine().init1(m.process));
    },
    greeks: ({ european: set }) => {
      const m = market();
      const engine = new ql.AnalyticEuropeanEngine().init1(m.process);
      const count = 1000;
      const outputs = greekOutputs(count);
      const { delta, gamma, theta, vega, rho } = outputs.greeks;
      return perContractJob(count, outputs, (i) => {
        const option = m.instrument(set, i, false, engine);
        try {
          outputs.value[i] = option.NPV();
          delta[i] = option.delta();
          gamma[i] = option.gamma();
          theta[i] = option.theta();
          vega[i] = option.vega();
          rho[i] = option.rho();
        } finally {
          option.unregisterWithAll();
        }
      });
    },
    iv: ({ european: set, quotes }) => {
      const count = 10_000;
      const outputs = valueOutputs(count);
      return perContractJob(count, outputs, (i) => {
        const T = set.expiry[i]!,
          r = set.rate[i]!;
        const forward = set.spot[i]! * Math.exp((r - set.dividendYield[i]!) * T);
        const type = set.isCall[i] === 1 ? ql.Option.Type.Call : ql.Option.Type.Put;
        const stdDev = ql.blackFormulaImpliedStdDev1(
          type,
          set.strike[i]!,
          forward,
          quotes[i]!,
          Math.exp(-r * T),
          0,
          undefined,
          1e-12,
          100,
        );
        outputs.value[i] = stdDev / Math.sqrt(T);
      });
    },
    crr: ({ american: set }) => {
      const m = market();
      return engineJob(
        m,
        set,
        50,
        true,
        new ql.BinomialVanillaEngine(new ql.CoxRossRubinstein()).bveInit(m.process, 200),
      );
    },
    lr: ({ american: set }) => {
      const m = market();
      return engineJob(m, set, 30, true, new ql.BinomialVanillaEngine(new ql.LeisenReimer()).bveInit(m.process, 201));
    },
    baw: ({ american: set }) => {
      const m = market();
      return engineJob(m, set, 1000, true, new ql.BaroneAdesiWhaleyApproximationEngine(m.process));
    },
    bjs: ({ american: set }) => {
      const m = market();
      return engineJob(m, set, 1000, true, new ql.BjerksundStenslandApproximationEngine(m.process));
    },
    mc: ({ european: set }) => {
      const m = market();
      const count = 5;
      const outputs = valueOutputs(count);
      return perContractJob(count, outputs, (i) => {
        const engine = new ql.MakeMCEuropeanEngine(new ql.PseudoRandom())
          .mmceeInit(m.process)
          .withSteps(1)
          .withSamples(10_000)
          .withAntitheticVariate(true)
          .withSeed(Number(MONTE_CARLO_SEED) + i)
          .f();
        const option = m.instrument(set, i, false, engine);
        try {
          outputs.value[i] = option.NPV();
        } finally {
          option.unregisterWithAll();
          (engine as unknown as ql.Observer).unregisterWithAll();
        }
      });
    },
  },
};
