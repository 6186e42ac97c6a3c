import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { blackScholesPrice, priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import { CoreError, isCoreError } from '../../../src/core/errors.js';
import type { OptionSpec, OptionType } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import type { Greeks } from '../../../src/core/results.js';

type GreekName = keyof Greeks;
const GREEKS: readonly GreekName[] = ['delta', 'gamma', 'theta', 'vega', 'rho'];
const EPS = 2 ** -53;

interface Inputs {
  type: OptionType;
  spot: number;
  strike: number;
  expiry: number;
  volatility: number;
  rate: number;
  dividendYield: number;
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../reference/${name}`, import.meta.url), 'utf8')) as T;
}

function split(row: Inputs, exercise: OptionSpec['exercise'] = 'european'): [OptionSpec, MarketInputs] {
  return [
    { type: row.type, strike: row.strike, expiry: row.expiry, exercise },
    { spot: row.spot, rate: row.rate, dividendYield: row.dividendYield, volatility: row.volatility },
  ];
}

function describeInputs(row: Inputs): string {
  return `${row.type} S=${row.spot} K=${row.strike} T=${row.expiry} sigma=${row.volatility} r=${row.rate} q=${row.dividendYield}`;
}

function price(row: Inputs): { value: number; greeks: Greeks } {
  const result = priceBlackScholes(...split(row));
  assert.ok(result.greeks !== null);
  return { value: result.value, greeks: result.greeks };
}

describe('black_scholes against published examples', () => {
  interface PublishedRow extends Inputs {
    example: string;
    expect: Partial<Record<'value' | GreekName, number>>;
    abs: number;
  }
  for (const file of ['haug-2007-european.json', 'hull-2012-european.json']) {
    const table = load<{ source: string; rows: PublishedRow[] }>(file);
    it(`reproduces ${file} to the printed precision`, () => {
      for (const row of table.rows) {
        const got = price(row);
        for (const [name, want] of Object.entries(row.expect)) {
          const value = name === 'value' ? got.value : got.greeks[name as GreekName];
          assert.ok(
            Math.abs(value - want) <= row.abs,
            `${row.example}: ${name} = ${value}, printed ${want} (+-${row.abs}) for ${describeInputs(row)} [${table.source}]`,
          );
        }
      }
    });
  }
});

describe('black_scholes against the mpmath reference (60 digits)', () => {
  interface MpmathRow extends Inputs {
    group: string;
    value: number;
    greeks: Record<GreekName, number>;
    thetaAbsFloor: number;
    xCondition: Record<'value' | GreekName, number>;
  }
  const table = load<{
    source: string;
    tolerance: { priceRel: number; greekRel: number; abs: number };
    rows: MpmathRow[];
  }>('mpmath-black-scholes.json');

  /**
   * docs/numerics.md: 1e-12 relative in price, 1e-10 in greeks. The one loss no double-precision method avoids is
   * the rounding of x = ln(S/K) + (r - q)T itself, of order eps (|ln(S/K)| + |(r - q)T|); the generator
   * records what that does to each output (xCondition), and where 8 eps xCondition is the larger it is the
   * bound (21 price rows, all far out of the money with sigma sqrt(T) < 0.01). Values below 1e-300 carry no
   * relative accuracy in doubles (absolute floor 1e-300), and theta, which crosses zero by cancellation of
   * its three terms, also gets 1e-10 times the sum of their magnitudes as an absolute floor.
   */
  function tolerance(row: MpmathRow, name: 'value' | GreekName): number {
    const rel = Math.max(
      name === 'value' ? table.tolerance.priceRel : table.tolerance.greekRel,
      8 * EPS * row.xCondition[name],
    );
    const want = name === 'value' ? row.value : row.greeks[name];
    return rel * Math.abs(want) + table.tolerance.abs + (name === 'theta' ? row.thetaAbsFloor : 0);
  }

  const groups = [...new Set(table.rows.map((r) => r.group))];
  for (const group of groups) {
    const rows = table.rows.filter((r) => r.group === group);
    it(`matches the ${group} rows (${rows.length}) in price and all five greeks`, () => {
      for (const row of rows) {
        const got = price(row);
        for (const name of ['value', ...GREEKS] as const) {
          const value = name === 'value' ? got.value : got.greeks[name];
          const want = name === 'value' ? row.value : row.greeks[name];
          const tol = tolerance(row, name);
          assert.ok(
            Math.abs(value - want) <= tol,
            `${name} = ${value}, mpmath ${want}, |error| ${Math.abs(value - want)} > ${tol} for ${describeInputs(row)} [${table.source}]`,
          );
        }
      }
    });
  }

  it('meets 1e-12 in price on every row where rounding ln(F/K) to a double does not forbid it', () => {
    let checked = 0;
    for (const row of table.rows) {
      if (row.value < 1e-290 || 8 * EPS * row.xCondition.value > 1e-12) continue;
      const got = price(row);
      assert.ok(
        Math.abs(got.value - row.value) <= 1e-12 * row.value,
        `price ${got.value}, mpmath ${row.value} for ${describeInputs(row)}`,
      );
      checked++;
    }
    assert.ok(checked > 800, `only ${checked} rows checked`);
  });
});

describe('black_scholes against QuantLib 1.29 AnalyticEuropeanEngine', () => {
  interface QuantLibRow extends Inputs {
    value: number;
    greeks: Record<GreekName, number>;
    tolerance: { rel: number; greekRel: number; abs: Record<'value' | GreekName, number> };
  }
  const table = load<{ source: string; rows: QuantLibRow[] }>('quantlib-1.29-black-scholes.json');
  it(`agrees on ${table.rows.length} random rows within QuantLib's normal-CDF accuracy`, () => {
    for (const row of table.rows) {
      const got = price(row);
      for (const name of ['value', ...GREEKS] as const) {
        const value = name === 'value' ? got.value : got.greeks[name];
        const want = name === 'value' ? row.value : row.greeks[name];
        const tol =
          (name === 'value' ? row.tolerance.rel : row.tolerance.greekRel) * Math.abs(want) + row.tolerance.abs[name];
        assert.ok(
          Math.abs(value - want) <= tol,
          `${name} = ${value}, QuantLib ${want} (tol ${tol}) for ${describeInputs(row)}`,
        );
      }
    }
  });
});

describe('black_scholes relations and limits', () => {
  it('satisfies put-call parity C - P = S e^{-qT} - K e^{-rT} to a few ulps of the forward', () => {
    for (const spot of [20, 80, 100, 125, 500]) {
      for (const expiry of [1e-6, 0.1, 1, 10]) {
        for (const volatility of [1e-6, 0.05, 0.3, 1.5]) {
          for (const [rate, dividendYield] of [
            [0.05, 0.02],
            [-0.01, 0.04],
            [0, 0],
          ]) {
            const base = { spot, strike: 100, expiry, volatility, rate: rate!, dividendYield: dividendYield! };
            const call = price({ ...base, type: 'call' }).value;
            const put = price({ ...base, type: 'put' }).value;
            const forward = spot * Math.exp(-dividendYield! * expiry) - 100 * Math.exp(-rate! * expiry);
            const scale = spot * Math.exp(-dividendYield! * expiry) + 100 * Math.exp(-rate! * expiry);
            assert.ok(
              Math.abs(call - put - forward) <= 8 * EPS * scale,
              `C - P = ${call - put}, forward ${forward} for ${describeInputs({ ...base, type: 'call' })}`,
            );
          }
        }
      }
    }
  });

  it('tends to the discounted forward intrinsic value as sigma -> 0 and T -> 0, never NaN or negative', () => {
    const tiny = [1e-12, 1e-100, 1e-300, Number.MIN_VALUE];
    for (const type of ['call', 'put'] as const) {
      for (const strike of [90, 100, 110]) {
        for (const v of tiny) {
          for (const [expiry, volatility] of [
            [1, v],
            [v, 0.3],
          ] as const) {
            const row = { type, spot: 100, strike, expiry, volatility, rate: 0.03, dividendYield: 0.01 };
            const { value, greeks } = price(row);
            const DS = 100 * Math.exp(-0.01 * expiry);
            const DK = strike * Math.exp(-0.03 * expiry);
            const intrinsic = Math.max(type === 'call' ? DS - DK : DK - DS, 0);
            assert.ok(
              value >= 0 && Math.abs(value - intrinsic) <= 1e-5 * 100,
              `value ${value} vs ${intrinsic} for ${describeInputs(row)}`,
            );
            for (const name of GREEKS)
              assert.ok(!Number.isNaN(greeks[name]), `${name} is NaN for ${describeInputs(row)}`);
          }
        }
      }
    }
  });

  it('keeps the at-the-money value sigma sqrt(T) S / sqrt(2 pi) when sigma sqrt(T) is tiny, and refuses once sigma sqrt(T) underflows (gamma would be infinite)', () => {
    const atm = price({
      type: 'call',
      spot: 100,
      strike: 100,
      expiry: 1,
      volatility: 1e-10,
      rate: 0,
      dividendYield: 0,
    });
    assert.ok(Math.abs(atm.value / (1e-10 * 100 * 0.3989422804014327) - 1) < 1e-12, String(atm.value));
    const finite = price({
      type: 'call',
      spot: 100,
      strike: 100,
      expiry: 1e-200,
      volatility: 0.2,
      rate: 0,
      dividendYield: 0,
    });
    assert.ok(Number.isFinite(finite.greeks.gamma) && finite.value > 0);
    assert.throws(
      () =>
        price({
          type: 'call',
          spot: 100,
          strike: 100,
          expiry: Number.MIN_VALUE,
          volatility: Number.MIN_VALUE,
          rate: 0,
          dividendYield: 0,
        }),
      (error: unknown) =>
        isCoreError(error) && error.code === 'ERR_CORE_INVALID_INPUT' && /non-finite gamma/.test(error.message),
    );
  });

  it('gives the analytic greeks of a finite-difference check of its own price', () => {
    const rnd = fc.sample(
      fc.record({
        type: fc.constantFrom('call' as const, 'put' as const),
        spot: fc.double({ min: 60, max: 140, noNaN: true }),
        strike: fc.double({ min: 60, max: 140, noNaN: true }),
        expiry: fc.double({ min: 0.1, max: 3, noNaN: true }),
        volatility: fc.double({ min: 0.1, max: 0.6, noNaN: true }),
        rate: fc.double({ min: -0.01, max: 0.08, noNaN: true }),
        dividendYield: fc.double({ min: 0, max: 0.05, noNaN: true }),
      }),
      { numRuns: 200, seed: 7 },
    );
    for (const row of rnd) {
      const { greeks } = price(row);
      const at = (patch: Partial<Inputs>): number => price({ ...row, ...patch }).value;
      const hS = 1e-3 * row.spot;
      const numeric: Greeks = {
        delta: (at({ spot: row.spot + hS }) - at({ spot: row.spot - hS })) / (2 * hS),
        gamma: (at({ spot: row.spot + hS }) - 2 * at({}) + at({ spot: row.spot - hS })) / (hS * hS),
        theta: -(at({ expiry: row.expiry + 1e-5 }) - at({ expiry: row.expiry - 1e-5 })) / 2e-5,
        vega: (at({ volatility: row.volatility + 1e-5 }) - at({ volatility: row.volatility - 1e-5 })) / 2e-5,
        rho: (at({ rate: row.rate + 1e-5 }) - at({ rate: row.rate - 1e-5 })) / 2e-5,
      };
      for (const name of GREEKS) {
        const scale = name === 'gamma' ? 1e-4 : 1e-6;
        assert.ok(
          Math.abs(greeks[name] - numeric[name]) <= 1e-5 * Math.abs(numeric[name]) + scale * row.spot,
          `${name} = ${greeks[name]}, finite difference ${numeric[name]} for ${describeInputs(row)}`,
        );
      }
    }
  });

  it('blackScholesPrice returns the same number as priceBlackScholes, bit for bit', () => {
    const row = {
      type: 'put' as const,
      spot: 97,
      strike: 103,
      expiry: 0.7,
      volatility: 0.27,
      rate: 0.035,
      dividendYield: 0.012,
    };
    const full = price(row).value;
    assert.equal(
      blackScholesPrice(row.type, row.spot, row.strike, row.expiry, row.volatility, row.rate, row.dividendYield),
      full,
    );
    assert.equal(priceBlackScholes(...split(row), { greeks: false }).value, full);
  });
});

describe('priceBlackScholes contract', () => {
  const option: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'european' };
  const market: MarketInputs = { spot: 100, rate: 0.05, dividendYield: 0.02, volatility: 0.2 };

  it('reports model black_scholes, converged, and null greeks when they are not requested', () => {
    const result = priceBlackScholes(option, market, { greeks: false });
    assert.deepEqual(result.diagnostics, { model: 'black_scholes', converged: true });
    assert.equal(result.greeks, null);
    assert.notEqual(priceBlackScholes(option, market).greeks, null);
  });

  it('refuses NaN, infinite, zero and negative inputs with ERR_CORE_INVALID_INPUT naming the parameter', () => {
    const bad = [NaN, Infinity, -Infinity, 0, -1];
    const cases: [string, (v: number) => [OptionSpec, MarketInputs]][] = [
      ['spot', (v) => [option, { ...market, spot: v }]],
      ['strike', (v) => [{ ...option, strike: v }, market]],
      ['expiry', (v) => [{ ...option, expiry: v }, market]],
      ['volatility', (v) => [option, { ...market, volatility: v }]],
    ];
    for (const [param, make] of cases) {
      for (const v of bad) {
        assert.throws(
          () => priceBlackScholes(...make(v)),
          (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === param,
          `${param} = ${v}`,
        );
      }
    }
    for (const param of ['rate', 'dividendYield'] as const) {
      for (const v of [NaN, Infinity, -Infinity]) {
        assert.throws(
          () => priceBlackScholes(option, { ...market, [param]: v }),
          (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === param,
          `${param} = ${v}`,
        );
      }
    }
  });

  it('prices an American call with q = 0 and r >= 0 as the European call and refuses every other American option (r < 0 included)', () => {
    const noDividend = { ...market, dividendYield: 0 };
    assert.deepEqual(
      priceBlackScholes({ ...option, exercise: 'american' }, noDividend),
      priceBlackScholes(option, noDividend),
    );
    const refused: [OptionSpec, MarketInputs][] = [
      [{ ...option, type: 'put', exercise: 'american' }, noDividend],
      [{ ...option, type: 'put', exercise: 'american' }, market],
      [{ ...option, exercise: 'american' }, market],
      // With r < 0 paying the strike early pays, so even a call without dividends is exercised early.
      [
        { ...option, exercise: 'american' },
        { ...noDividend, rate: -0.01 },
      ],
    ];
    for (const [o, m] of refused) {
      assert.throws(
        () => priceBlackScholes(o, m),
        (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_UNSUPPORTED_EXERCISE' && e.param === 'exercise',
        `${o.type} q=${m.dividendYield} r=${m.rate}`,
      );
    }
  });
});

describe('black_scholes properties (fast-check)', () => {
  const inputs = fc.record({
    type: fc.constantFrom('call' as const, 'put' as const),
    spot: fc.double({ min: 1, max: 1000, noNaN: true }),
    strike: fc.double({ min: 1, max: 1000, noNaN: true }),
    expiry: fc.double({ min: 1e-4, max: 30, noNaN: true }),
    volatility: fc.double({ min: 1e-3, max: 3, noNaN: true }),
    rate: fc.double({ min: -0.05, max: 0.2, noNaN: true }),
    dividendYield: fc.double({ min: -0.02, max: 0.15, noNaN: true }),
  });
  /** Slack for comparisons that hold exactly in real arithmetic: a few ulps of the larger side. */
  const slack = (a: number, b: number): number => 8 * EPS * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;
  const bump = fc.double({ min: 1e-6, max: 0.5, noNaN: true });

  it('stays within the no-arbitrage bounds max(forward intrinsic, 0) <= V <= S e^{-qT} (call) or K e^{-rT} (put)', () => {
    fc.assert(
      fc.property(inputs, (row) => {
        const { value, greeks } = price(row);
        const DS = row.spot * Math.exp(-row.dividendYield * row.expiry);
        const DK = row.strike * Math.exp(-row.rate * row.expiry);
        const lower = Math.max(row.type === 'call' ? DS - DK : DK - DS, 0);
        const upper = row.type === 'call' ? DS : DK;
        assert.ok(
          value >= lower - slack(DS, DK) && value <= upper,
          `${value} outside [${lower}, ${upper}] for ${describeInputs(row)}`,
        );
        for (const name of GREEKS) assert.ok(Number.isFinite(greeks[name]), `${name} for ${describeInputs(row)}`);
        assert.ok(greeks.gamma >= 0 && greeks.vega >= 0);
      }),
      { numRuns: 2000, seed: 20240611 },
    );
  });

  it('never returns NaN or an infinity anywhere in the API domain, down to subnormal inputs: where gamma would overflow it refuses', () => {
    const tiny = (max: number) =>
      fc.oneof(fc.double({ min: Number.MIN_VALUE, max, noNaN: true }), fc.double({ min: 1e-3, max, noNaN: true }));
    const apiDomain = fc.record({
      type: fc.constantFrom('call' as const, 'put' as const),
      spot: tiny(1e9),
      strike: tiny(1e9),
      expiry: tiny(50),
      volatility: tiny(5),
      rate: fc.double({ min: -1, max: 1, noNaN: true }),
      dividendYield: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(apiDomain, (row) => {
        let result: ReturnType<typeof price>;
        try {
          result = price(row);
        } catch (error) {
          assert.ok(
            isCoreError(error) && error.code === 'ERR_CORE_INVALID_INPUT' && /non-finite gamma/.test(error.message),
            String(error),
          );
          return;
        }
        const { value, greeks } = result;
        const DS = row.spot * Math.exp(-row.dividendYield * row.expiry);
        const DK = row.strike * Math.exp(-row.rate * row.expiry);
        const lower = Math.max(row.type === 'call' ? DS - DK : DK - DS, 0);
        const upper = row.type === 'call' ? DS : DK;
        assert.ok(
          value >= lower - slack(DS, DK) && value <= upper,
          `${value} outside [${lower}, ${upper}] for ${describeInputs(row)}`,
        );
        for (const name of GREEKS)
          assert.ok(Number.isFinite(greeks[name]), `${name} = ${greeks[name]} for ${describeInputs(row)}`);
      }),
      { numRuns: 20000, seed: 5 },
    );
  });

  it('is increasing in spot for calls and decreasing for puts', () => {
    fc.assert(
      fc.property(inputs, bump, (row, h) => {
        const a = price(row).value;
        const b = price({ ...row, spot: row.spot * (1 + h) }).value;
        assert.ok(
          row.type === 'call' ? b >= a - slack(a, b) : b <= a + slack(a, b),
          `${a} -> ${b} for ${describeInputs(row)}`,
        );
      }),
      { numRuns: 1000, seed: 1 },
    );
  });

  it('is decreasing in strike for calls and increasing for puts', () => {
    fc.assert(
      fc.property(inputs, bump, (row, h) => {
        const a = price(row).value;
        const b = price({ ...row, strike: row.strike * (1 + h) }).value;
        assert.ok(
          row.type === 'call' ? b <= a + slack(a, b) : b >= a - slack(a, b),
          `${a} -> ${b} for ${describeInputs(row)}`,
        );
      }),
      { numRuns: 1000, seed: 2 },
    );
  });

  it('is increasing in volatility', () => {
    fc.assert(
      fc.property(inputs, bump, (row, h) => {
        const a = price(row).value;
        const b = price({ ...row, volatility: row.volatility * (1 + h) }).value;
        assert.ok(b >= a - slack(a, b), `${a} -> ${b} for ${describeInputs(row)}`);
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it('is convex in strike', () => {
    fc.assert(
      fc.property(inputs, bump, (row, h) => {
        const step = row.strike * h;
        if (row.strike - step <= 0) return;
        const lo = price({ ...row, strike: row.strike - step }).value;
        const mid = price(row).value;
        const hi = price({ ...row, strike: row.strike + step }).value;
        assert.ok(lo + hi >= 2 * mid - 4 * slack(lo + hi, 2 * mid), `${lo}, ${mid}, ${hi} for ${describeInputs(row)}`);
      }),
      { numRuns: 1000, seed: 4 },
    );
  });
});
