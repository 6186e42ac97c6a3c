/**
 * docs/numerics.md lines that no engine test pinned down through the library's entry point: the model table (wire name ->
 * method, step count, exercise styles, greek methods) as priceOption and MODELS serve it, and the core's raw greek
 * units for every model. Each check here fails if the number or the mapping it guards were off (see
 * docs/numerics.md, "Traceability").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { priceBaroneAdesiWhaley } from '../../src/core/engines/barone-adesi-whaley.js';
import { priceBinomialCrr } from '../../src/core/engines/binomial-crr.js';
import { priceBjerksundStensland1993 } from '../../src/core/engines/bjerksund-stensland-1993.js';
import { priceBjerksundStensland } from '../../src/core/engines/bjerksund-stensland.js';
import { priceBlackScholes } from '../../src/core/engines/black-scholes.js';
import { priceLeisenReimer } from '../../src/core/engines/leisen-reimer.js';
import {
  monteCarloBlockCount,
  priceMonteCarlo,
  simulateMonteCarloBlocks,
  summarizeMonteCarloBlocks,
} from '../../src/core/engines/monte-carlo.js';
import { CoreError } from '../../src/core/errors.js';
import type { ExerciseStyle, OptionSpec } from '../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../src/core/market/market-inputs.js';
import { MODEL_NAMES, MODELS, priceOption, type ModelName } from '../../src/core/models.js';
import type { Greeks, PriceResult } from '../../src/core/results.js';

const GREEKS: readonly (keyof Greeks)[] = ['delta', 'gamma', 'theta', 'vega', 'rho'];
const SEED = 987654321n;

const PUT: OptionSpec = { type: 'put', strike: 105, expiry: 0.75, exercise: 'american' };
const MARKET: MarketInputs = { spot: 100, rate: 0.04, dividendYield: 0.015, volatility: 0.27 };

function describeInputs(option: OptionSpec, market: MarketInputs): string {
  return `${option.exercise} ${option.type} S=${market.spot} K=${option.strike} T=${option.expiry} sigma=${market.volatility} r=${market.rate} q=${market.dividendYield}`;
}

/** Every number of a result, compared with Object.is so that -0, NaN and the last bit all count. */
function assertSameResult(actual: PriceResult, expected: PriceResult, what: string): void {
  assert.ok(Object.is(actual.value, expected.value), `${what}: value ${actual.value} vs ${expected.value}`);
  for (const g of GREEKS)
    assert.ok(
      Object.is(actual.greeks?.[g], expected.greeks?.[g]),
      `${what}: ${g} ${actual.greeks?.[g]} vs ${expected.greeks?.[g]}`,
    );
  assert.deepEqual(actual.diagnostics, expected.diagnostics, what);
}

describe('docs/numerics.md model table, as priceOption and MODELS serve it', () => {
  it('lists exactly the seven wire names of the table, in the catalogue GET /api/v1/models serves', () => {
    assert.deepEqual(
      [...MODEL_NAMES],
      [
        'black_scholes',
        'binomial_200',
        'monte_carlo_20k',
        'leisen_reimer',
        'barone_adesi_whaley',
        'bjerksund_stensland',
        'bjerksund_stensland_1993',
      ],
    );
    assert.deepEqual(
      MODELS.map((m) => m.name),
      [...MODEL_NAMES],
    );
  });

  it('gives each model the exercise styles of the table (black_scholes lists european only; its American call with q = 0 is a special case)', () => {
    const expected: Record<ModelName, ExerciseStyle[]> = {
      black_scholes: ['european'],
      binomial_200: ['european', 'american'],
      monte_carlo_20k: ['european'],
      leisen_reimer: ['european', 'american'],
      barone_adesi_whaley: ['european', 'american'],
      bjerksund_stensland: ['american'],
      bjerksund_stensland_1993: ['american'],
    };
    for (const m of MODELS) assert.deepEqual([...m.exerciseStyles].sort(), expected[m.name].sort(), m.name);
  });

  it("describes each model's greeks by the method of the table: analytic, from the tree with bumped vega and rho, pathwise Monte Carlo, or bump-and-revalue", () => {
    const byName = new Map(MODELS.map((m) => [m.name, m.greeks]));
    for (const g of GREEKS) assert.equal(byName.get('black_scholes')![g], 'analytic', `black_scholes ${g}`);
    for (const tree of ['binomial_200', 'leisen_reimer'] as const) {
      const greeks = byName.get(tree)!;
      for (const g of ['delta', 'gamma', 'theta'] as const) assert.match(greeks[g], /tree nodes/, `${tree} ${g}`);
      for (const g of ['vega', 'rho'] as const)
        assert.match(greeks[g], /central bump on the same tree/, `${tree} ${g}`);
    }
    const mc = byName.get('monte_carlo_20k')!;
    for (const g of ['delta', 'vega', 'rho'] as const) assert.equal(mc[g], 'pathwise', `monte_carlo_20k ${g}`);
    assert.match(mc.gamma, /likelihood-ratio|common random numbers/);
    assert.match(mc.theta, /bump/);
    for (const model of ['barone_adesi_whaley', 'bjerksund_stensland', 'bjerksund_stensland_1993'] as const) {
      for (const g of GREEKS) assert.equal(byName.get(model)![g], 'bump-and-revalue', `${model} ${g}`);
    }
  });

  it("dispatches every wire name to its engine with the table's parameters (CRR 200 steps, Leisen-Reimer 201, 20,000 Monte Carlo paths), bit for bit", () => {
    const european: OptionSpec = { ...PUT, exercise: 'european' };
    const cases: [ModelName, OptionSpec, () => PriceResult][] = [
      ['black_scholes', european, () => priceBlackScholes(european, MARKET)],
      ['binomial_200', PUT, () => priceBinomialCrr(PUT, MARKET, { steps: 200 })],
      ['binomial_200', european, () => priceBinomialCrr(european, MARKET, { steps: 200 })],
      ['leisen_reimer', PUT, () => priceLeisenReimer(PUT, MARKET, { steps: 201 })],
      ['leisen_reimer', european, () => priceLeisenReimer(european, MARKET, { steps: 201 })],
      ['monte_carlo_20k', european, () => priceMonteCarlo(european, MARKET, { seed: SEED, pairs: 10_000 })],
      ['barone_adesi_whaley', PUT, () => priceBaroneAdesiWhaley(PUT, MARKET)],
      ['bjerksund_stensland', PUT, () => priceBjerksundStensland(PUT, MARKET)],
      ['bjerksund_stensland_1993', PUT, () => priceBjerksundStensland1993(PUT, MARKET)],
    ];
    for (const [model, option, engine] of cases) {
      const viaLibrary = priceOption(model, option, MARKET, { seed: SEED });
      assertSameResult(viaLibrary, engine(), `${model}: ${describeInputs(option, MARKET)}`);
      assert.equal(viaLibrary.diagnostics.model, model);
    }
    assert.equal(priceOption('binomial_200', PUT, MARKET).diagnostics.iterations, 200);
    assert.equal(priceOption('leisen_reimer', PUT, MARKET).diagnostics.iterations, 201);
    assert.equal(
      priceOption('monte_carlo_20k', { ...PUT, exercise: 'european' }, MARKET, { seed: SEED }).diagnostics.paths,
      20_000,
    );
  });

  it('gives barone_adesi_whaley on European exercise exactly the black_scholes numbers', () => {
    const european: OptionSpec = { ...PUT, exercise: 'european' };
    const baw = priceOption('barone_adesi_whaley', european, MARKET);
    const bs = priceOption('black_scholes', european, MARKET);
    assert.equal(baw.value, bs.value);
    assert.deepEqual(baw.greeks, bs.greeks);
  });

  it('refuses the exercise styles the table excludes with ERR_CORE_UNSUPPORTED_EXERCISE, and Monte Carlo without a seed with ERR_CORE_INVALID_INPUT', () => {
    const refused: [ModelName, OptionSpec][] = [
      ['black_scholes', PUT],
      ['black_scholes', { ...PUT, type: 'call' }], // q = 1.5% > 0: an American call can be exercised early
      ['monte_carlo_20k', PUT],
      ['bjerksund_stensland', { ...PUT, exercise: 'european' }],
      ['bjerksund_stensland_1993', { ...PUT, exercise: 'european' }],
    ];
    for (const [model, option] of refused) {
      assert.throws(
        () => priceOption(model, option, MARKET, { seed: SEED }),
        (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_UNSUPPORTED_EXERCISE' && e.param === 'exercise',
        `${model}: ${describeInputs(option, MARKET)}`,
      );
    }
    assert.throws(
      () => priceOption('monte_carlo_20k', { ...PUT, exercise: 'european' }, MARKET),
      (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === 'seed',
    );
    assert.throws(
      () => priceOption('no_such_model' as ModelName, PUT, MARKET),
      (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_UNKNOWN_MODEL',
    );
  });
});

describe('docs/numerics.md greek units inside the core (delta and gamma per 1.0 of spot, theta per year as dV/dt, vega per 1.00 of volatility, rho per 1.00 of rate), for every model', () => {
  /**
   * Each model is compared with the analytic Black-Scholes greeks on a product where it must give the same numbers:
   * European exercise for the trees, Monte Carlo and barone_adesi_whaley; an American call with q = 0 and r > 0
   * (never exercised early) for the three American approximations. A unit slip (theta per day, vega or rho per
   * point, theta as dV/dT) is a factor 365, 100 or -1, far outside every tolerance here.
   */
  const market: MarketInputs = { spot: 100, rate: 0.05, dividendYield: 0, volatility: 0.25 };
  const cases: { option: OptionSpec; label: string }[] = [
    { option: { type: 'call', strike: 95, expiry: 0.8, exercise: 'european' }, label: 'call K=95' },
    { option: { type: 'put', strike: 110, expiry: 1.5, exercise: 'european' }, label: 'put K=110' },
  ];
  /** Relative tolerance per model (the trees' greeks carry their O(dt) node errors; see their tests). */
  const relative: Partial<Record<ModelName, number>> = {
    binomial_200: 3e-2,
    leisen_reimer: 3e-2,
    barone_adesi_whaley: 1e-5,
    bjerksund_stensland: 1e-5,
    bjerksund_stensland_1993: 1e-5,
  };

  for (const model of ['binomial_200', 'leisen_reimer', 'barone_adesi_whaley'] as const) {
    it(`${model} (European) matches the analytic greeks in sign and unit`, () => {
      for (const { option, label } of cases) {
        const analytic = priceBlackScholes(option, market).greeks!;
        const got = priceOption(model, option, market).greeks!;
        for (const g of GREEKS) {
          assert.ok(
            Math.abs(got[g] - analytic[g]) <= relative[model]! * Math.abs(analytic[g]),
            `${g}: ${got[g]} vs analytic ${analytic[g]} (${label}; ${describeInputs(option, market)})`,
          );
        }
      }
    });
  }

  for (const model of ['barone_adesi_whaley', 'bjerksund_stensland', 'bjerksund_stensland_1993'] as const) {
    it(`${model} (American call, q = 0, r > 0: the European value) matches the analytic greeks in sign and unit`, () => {
      const option: OptionSpec = { type: 'call', strike: 95, expiry: 0.8, exercise: 'american' };
      const analytic = priceBlackScholes({ ...option, exercise: 'european' }, market).greeks!;
      const got = priceOption(model, option, market).greeks!;
      for (const g of GREEKS) {
        assert.ok(
          Math.abs(got[g] - analytic[g]) <= relative[model]! * Math.abs(analytic[g]),
          `${g}: ${got[g]} vs analytic ${analytic[g]} (${describeInputs(option, market)})`,
        );
      }
    });
  }

  it('monte_carlo_20k matches the analytic greeks within 4 of their standard errors', () => {
    for (const { option, label } of cases) {
      const analytic = priceBlackScholes(option, market).greeks!;
      const { result, greekStandardErrors } = summarizeMonteCarloBlocks(
        simulateMonteCarloBlocks(option, market, { seed: SEED }, 0, monteCarloBlockCount(10_000)),
      );
      for (const g of GREEKS) {
        const z = (result.greeks![g] - analytic[g]) / greekStandardErrors![g];
        assert.ok(
          Math.abs(z) <= 4,
          `${g}: ${result.greeks![g]} vs analytic ${analytic[g]}, ${z} standard errors (${label}; ${describeInputs(option, market)})`,
        );
      }
    }
  });

  it('black_scholes: theta is dV/dt per year (an at-the-money option loses value as time passes) and vega, rho are per 1.00', () => {
    const option: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'european' };
    const { value, greeks } = priceBlackScholes(option, market);
    const later = priceBlackScholes({ ...option, expiry: 1 - 1e-4 }, market).value;
    assert.ok(
      Math.abs((later - value) / 1e-4 - greeks!.theta) <= 1e-4 * Math.abs(greeks!.theta),
      `theta ${greeks!.theta} vs (V(T - h) - V(T)) / h`,
    );
    assert.ok(greeks!.theta < 0);
    const volUp = priceBlackScholes(option, { ...market, volatility: market.volatility + 1e-4 }).value;
    assert.ok(
      Math.abs((volUp - value) / 1e-4 - greeks!.vega) <= 1e-3 * greeks!.vega,
      `vega ${greeks!.vega} per 1.00 of volatility`,
    );
    const rateUp = priceBlackScholes(option, { ...market, rate: market.rate + 1e-4 }).value;
    assert.ok(
      Math.abs((rateUp - value) / 1e-4 - greeks!.rho) <= 1e-3 * greeks!.rho,
      `rho ${greeks!.rho} per 1.00 of rate`,
    );
  });
});
