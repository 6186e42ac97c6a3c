import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  IMPLIED_VOLATILITY_STATUS,
  ImpliedVolatilityWorkspace,
  impliedVolatility,
  solveImpliedVolatility,
} from '../../../src/core/engines/implied-volatility.js';
import { blackScholesPrice } from '../../../src/core/engines/black-scholes.js';
import { normalisedVega } from '../../../src/core/engines/normalised-black.js';
import { CoreError, type CoreErrorCode } from '../../../src/core/errors.js';
import type { OptionSpec, OptionType } from '../../../src/core/instruments/option-spec.js';

type Quote = [
  type: OptionType,
  spot: number,
  strike: number,
  expiry: number,
  rate: number,
  dividendYield: number,
  volatility: number,
  price: number,
  condition: number,
];
const reference = JSON.parse(
  readFileSync(new URL('../reference/mpmath-implied-volatility.json', import.meta.url), 'utf8'),
) as {
  source: string;
  rows: Quote[];
};

const european = (type: OptionType, strike: number, expiry: number): OptionSpec => ({
  type,
  strike,
  expiry,
  exercise: 'european',
});

/** P / (sigma * dP/dsigma): how much a relative error in the price is amplified in sigma. */
function conditionNumber(S: number, K: number, T: number, r: number, q: number, sigma: number, price: number): number {
  const x = Math.log(S / K) + (r - q) * T;
  const vega =
    Math.sqrt(S * Math.exp(-q * T) * K * Math.exp(-r * T)) * normalisedVega(x, sigma * Math.sqrt(T)) * Math.sqrt(T);
  return price / (sigma * vega);
}

function describeQuote(q: Quote | unknown[]): string {
  const [type, spot, strike, expiry, rate, dividendYield, volatility, price, condition] = q as Quote;
  return `type=${type} S=${spot} K=${strike} T=${expiry} r=${rate} q=${dividendYield} sigma=${volatility} price=${price} cond=${condition}`;
}

function isCoreError(code: CoreErrorCode, param?: string, message?: RegExp) {
  return (error: unknown): boolean =>
    error instanceof CoreError &&
    error.code === code &&
    (param === undefined || error.param === param) &&
    (message === undefined || message.test(error.message));
}

/**
 * The "meaningful margin" of docs/numerics.md ("Implied volatility"), as a condition number: cond <= 100 means a 1% move in sigma moves the
 * price by at least 0.01% of itself, so rounding the price to a double moves sigma by at most ~1e-14.
 */
const WELL_CONDITIONED = 100;

describe('impliedVolatility against exact prices (mpmath, 50 digits)', () => {
  it(`recovers sigma to 1e-12 relative in at most two steps wherever cond <= ${WELL_CONDITIONED} (${reference.source})`, () => {
    const out = new ImpliedVolatilityWorkspace();
    let checked = 0;
    for (const row of reference.rows) {
      const [type, S, K, T, r, q, sigma, price, cond] = row;
      if (!(cond <= WELL_CONDITIONED)) continue;
      checked++;
      const status = solveImpliedVolatility(price, type === 'call', S, K, T, r, q, out);
      assert.equal(status, IMPLIED_VOLATILITY_STATUS.ok, `status ${status} for ${describeQuote(row)}`);
      const error = Math.abs(out.volatility / sigma - 1);
      assert.ok(error <= 1e-12, `relative error ${error} > 1e-12 for ${describeQuote(row)}: got ${out.volatility}`);
      assert.ok(out.iterations >= 1 && out.iterations <= 2, `iterations ${out.iterations} for ${describeQuote(row)}`);
    }
    assert.ok(checked > 1500, `only ${checked} well-conditioned rows`);
  });

  it('returns, for every other quote strictly inside the bounds, a sigma that reproduces the exact price (backward error <= 4e-14)', () => {
    const out = new ImpliedVolatilityWorkspace();
    let solved = 0;
    for (const row of reference.rows) {
      const [type, S, K, T, r, q, sigma, price, cond] = row;
      const status = solveImpliedVolatility(price, type === 'call', S, K, T, r, q, out);
      if (status === IMPLIED_VOLATILITY_STATUS.ok) {
        solved++;
        // A relative sigma error e corresponds to a relative price error of about e / cond.
        const error = Math.abs(out.volatility / sigma - 1);
        assert.ok(error <= 4e-14 * Math.max(1, cond), `relative error ${error} for ${describeQuote(row)}`);
        assert.ok(out.iterations <= 2, `iterations ${out.iterations} for ${describeQuote(row)}`);
      } else {
        // Only quotes whose time value is below the price's own rounding (cond ~ 1e13 and up) may be refused,
        // and then as "at the lower bound".
        assert.equal(status, IMPLIED_VOLATILITY_STATUS.belowIntrinsic, `status ${status} for ${describeQuote(row)}`);
        assert.ok(cond > 1e12, `refused a quote with cond ${cond}: ${describeQuote(row)}`);
      }
    }
    assert.ok(solved > 1800, `solved only ${solved}`);
  });
});

describe('impliedVolatility round trips through blackScholesPrice', () => {
  const sGrid = [0.001, 0.003, 0.01, 0.05, 0.2, 0.5, 1, 2, 3.5, 5];
  const xGrid = [-5, -3, -1.5, -0.5, -0.1, -0.01, 0, 0.01, 0.1, 0.5, 1.5, 3, 5];
  const markets = [
    { spot: 100, rate: 0.05, dividendYield: 0.02, expiry: 0.5 },
    { spot: 37.5, rate: -0.005, dividendYield: 0.04, expiry: 3 },
  ];

  it('recovers sigma to 1e-12 on a deterministic grid of total volatility 1e-3..5 and ln(F/K) -5..5 (well-conditioned points)', () => {
    let checked = 0;
    for (const m of markets) {
      for (const s of sGrid) {
        for (const x of xGrid) {
          for (const type of ['call', 'put'] as const) {
            const sigma = s / Math.sqrt(m.expiry);
            const K = m.spot * Math.exp((m.rate - m.dividendYield) * m.expiry - x);
            const price = blackScholesPrice(type, m.spot, K, m.expiry, sigma, m.rate, m.dividendYield);
            const cond = conditionNumber(m.spot, K, m.expiry, m.rate, m.dividendYield, sigma, price);
            if (!(price > 1e-300) || !(cond <= WELL_CONDITIONED)) continue;
            checked++;
            const context = describeQuote([type, m.spot, K, m.expiry, m.rate, m.dividendYield, sigma, price, cond]);
            const result = impliedVolatility(price, european(type, K, m.expiry), m);
            const error = Math.abs(result.volatility / sigma - 1);
            assert.ok(error <= 1e-12, `relative error ${error} for ${context}`);
            assert.ok(result.converged && result.iterations <= 2, `iterations ${result.iterations} for ${context}`);
          }
        }
      }
    }
    assert.ok(checked > 300, `only ${checked} grid points checked`);
  });

  it('recovers sigma to 1e-12 for random quotes (property), and never returns a wrong number for the rest', () => {
    fc.assert(
      fc.property(
        fc.record({
          isCall: fc.boolean(),
          spot: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
          logTotalVol: fc.double({ min: Math.log(1e-3), max: Math.log(5), noNaN: true }),
          x: fc.double({ min: -5, max: 5, noNaN: true }),
          expiry: fc.double({ min: 1 / 365, max: 30, noNaN: true }),
          rate: fc.double({ min: -0.05, max: 0.2, noNaN: true }),
          dividendYield: fc.double({ min: 0, max: 0.15, noNaN: true }),
        }),
        ({ isCall, spot, logTotalVol, x, expiry, rate, dividendYield }) => {
          const type: OptionType = isCall ? 'call' : 'put';
          const sigma = Math.exp(logTotalVol) / Math.sqrt(expiry);
          const K = spot * Math.exp((rate - dividendYield) * expiry - x);
          const price = blackScholesPrice(type, spot, K, expiry, sigma, rate, dividendYield);
          const cond = conditionNumber(spot, K, expiry, rate, dividendYield, sigma, price);
          // x = ln(S/K) + (r-q)T is itself rounded, by about eps (|ln(S/K)| + |(r-q)T|); near the money with a
          // small total volatility that moves sigma by that over max(|x|, s), whatever the price's accuracy.
          const carry = (rate - dividendYield) * expiry;
          const inputCondition = (Math.abs(x - carry) + Math.abs(carry)) / Math.max(Math.abs(x), Math.exp(logTotalVol));
          const context = `${describeQuote([type, spot, K, expiry, rate, dividendYield, sigma, price, cond])} inputCond=${inputCondition}`;
          let volatility: number;
          try {
            const result = impliedVolatility(price, european(type, K, expiry), { spot, rate, dividendYield });
            assert.ok(result.iterations <= 2, `iterations ${result.iterations} for ${context}`);
            volatility = result.volatility;
          } catch (error) {
            // Refusal is allowed only where the time value is lost in the price's rounding.
            assert.ok(
              error instanceof CoreError && error.code === 'ERR_CORE_PRICE_BELOW_INTRINSIC',
              `${String(error)} for ${context}`,
            );
            assert.ok(!(price > 1e-300) || cond > 1e10, `refused a quote with cond ${cond}: ${context}`);
            return;
          }
          assert.ok(Number.isFinite(volatility) && volatility > 0, `volatility ${volatility} for ${context}`);
          if (price > 1e-300 && cond <= WELL_CONDITIONED && inputCondition <= 100) {
            const error = Math.abs(volatility / sigma - 1);
            assert.ok(error <= 1e-12, `relative error ${error} for ${context}`);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('impliedVolatility worked examples', () => {
  it("gives about 23.5% for Hull's example (S=21, K=20, r=10%, T=0.25, call at 1.875)", () => {
    // J. C. Hull, "Options, Futures, and Other Derivatives", section "Implied volatilities": 0.235 (to 3 places);
    // 0.2345129139976438 is the root by mpmath's findroot at 40 digits.
    const result = impliedVolatility(1.875, european('call', 20, 0.25), { spot: 21, rate: 0.1, dividendYield: 0 });
    // (The exact root is 0.23451291399764...; Hull rounds.)
    assert.ok(Math.abs(result.volatility - 0.2345129139976438) < 1e-15, `volatility ${result.volatility}`);
    const repriced = blackScholesPrice('call', 21, 20, 0.25, result.volatility, 0.1, 0);
    assert.ok(Math.abs(repriced / 1.875 - 1) < 1e-14, `repriced ${repriced}`);
  });

  it('recovers 20% from the at-the-money call priced at 10.450583572185565 (S=K=100, r=5%, T=1)', () => {
    // 10.450583572185565 is the Black-Scholes price at sigma = 0.2 (Hull's and Haug's standard example, to 16 digits by mpmath).
    const result = impliedVolatility(10.450583572185565, european('call', 100, 1), {
      spot: 100,
      rate: 0.05,
      dividendYield: 0,
    });
    assert.ok(Math.abs(result.volatility / 0.2 - 1) < 1e-13, `volatility ${result.volatility}`);
  });

  it('treats an American call with no dividends and a non-negative rate like the European one', () => {
    const european = impliedVolatility(
      5,
      { type: 'call', strike: 100, expiry: 1, exercise: 'european' },
      { spot: 95, rate: 0.03, dividendYield: 0 },
    );
    const american = impliedVolatility(
      5,
      { type: 'call', strike: 100, expiry: 1, exercise: 'american' },
      { spot: 95, rate: 0.03, dividendYield: 0 },
    );
    assert.deepEqual(american, european);
  });
});

describe('impliedVolatility refusals', () => {
  const market = { spot: 100, rate: 0.05, dividendYield: 0.02 };
  const T = 0.75;
  const discountedForward = 100 * Math.exp(-0.02 * T);
  const discountedStrike = (K: number): number => K * Math.exp(-0.05 * T);

  it('throws ERR_CORE_PRICE_BELOW_INTRINSIC (param price) at and below the discounted intrinsic value, naming the bound', () => {
    const callBound = discountedForward - discountedStrike(80);
    const putBound = discountedStrike(120) - discountedForward;
    for (const [type, K, price] of [
      ['call', 80, callBound],
      ['call', 80, callBound * (1 - 1e-9)],
      ['put', 120, putBound],
      ['put', 120, 0.5 * putBound],
      ['call', 120, 0],
      ['put', 80, 0],
    ] as const) {
      assert.throws(
        () => impliedVolatility(price, european(type, K, T), market),
        isCoreError('ERR_CORE_PRICE_BELOW_INTRINSIC', 'price', /lower no-arbitrage bound/),
        `${type} K=${K} price=${price}`,
      );
    }
    assert.throws(
      () => impliedVolatility(callBound, european('call', 80, T), market),
      (error: unknown) => error instanceof CoreError && error.message.includes(String(callBound)),
    );
  });

  it('throws ERR_CORE_PRICE_ABOVE_MAXIMUM (param price) at and above S e^(-qT) for calls and K e^(-rT) for puts, naming the bound', () => {
    for (const [type, K, price, bound] of [
      ['call', 100, discountedForward, discountedForward],
      ['call', 100, 1.01 * discountedForward, discountedForward],
      ['put', 100, discountedStrike(100), discountedStrike(100)],
      ['put', 100, 200, discountedStrike(100)],
    ] as const) {
      assert.throws(
        () => impliedVolatility(price, european(type, K, T), market),
        (error: unknown) =>
          isCoreError('ERR_CORE_PRICE_ABOVE_MAXIMUM', 'price', /upper no-arbitrage bound/)(error) &&
          (error as Error).message.includes(String(bound)),
        `${type} K=${K} price=${price}`,
      );
    }
  });

  it('solves prices just inside either bound', () => {
    const lower = discountedForward - discountedStrike(80);
    const nearLower = impliedVolatility(lower * (1 + 1e-6), european('call', 80, T), market);
    assert.ok(nearLower.volatility > 0 && Number.isFinite(nearLower.volatility));
    const nearUpper = impliedVolatility(discountedForward * (1 - 1e-6), european('call', 100, T), market);
    assert.ok(nearUpper.volatility > 5 && Number.isFinite(nearUpper.volatility), `volatility ${nearUpper.volatility}`);
    const repriced = blackScholesPrice('call', 100, 100, T, nearUpper.volatility, 0.05, 0.02);
    assert.ok(Math.abs(repriced / (discountedForward * (1 - 1e-6)) - 1) < 1e-12);
  });

  it('throws ERR_CORE_INVALID_INPUT for a NaN, infinite or negative price', () => {
    for (const price of [Number.NaN, Infinity, -Infinity, -1e-300, -3]) {
      assert.throws(
        () => impliedVolatility(price, european('call', 100, T), market),
        isCoreError('ERR_CORE_INVALID_INPUT', 'price'),
        `price ${price}`,
      );
    }
  });

  it('throws ERR_CORE_INVALID_INPUT naming each bad market or option field', () => {
    const ok = european('call', 100, T);
    const cases: [string, () => unknown][] = [
      ['spot', () => impliedVolatility(5, ok, { ...market, spot: 0 })],
      ['spot', () => impliedVolatility(5, ok, { ...market, spot: Number.NaN })],
      ['strike', () => impliedVolatility(5, { ...ok, strike: -1 }, market)],
      ['expiry', () => impliedVolatility(5, { ...ok, expiry: 0 }, market)],
      ['rate', () => impliedVolatility(5, ok, { ...market, rate: Infinity })],
      ['dividendYield', () => impliedVolatility(5, ok, { ...market, dividendYield: Number.NaN })],
      ['type', () => impliedVolatility(5, { ...ok, type: 'straddle' as OptionType }, market)],
    ];
    for (const [param, call] of cases) assert.throws(call, isCoreError('ERR_CORE_INVALID_INPUT', param), param);
  });

  it('throws ERR_CORE_INVALID_INPUT (param rate) when rates and expiry put the forward outside the range of doubles', () => {
    assert.throws(
      () => impliedVolatility(5, european('call', 100, 1e4), { spot: 100, rate: 0.1, dividendYield: 0.1 }),
      isCoreError('ERR_CORE_INVALID_INPUT', 'rate', /outside the range of doubles/),
    );
  });

  it('refuses American exercise where early exercise can matter, with ERR_CORE_UNSUPPORTED_EXERCISE', () => {
    assert.throws(
      () => impliedVolatility(5, { type: 'put', strike: 100, expiry: 1, exercise: 'american' }, market),
      isCoreError('ERR_CORE_UNSUPPORTED_EXERCISE', 'exercise', /impliedVolatilityAmerican/),
    );
    assert.throws(
      () => impliedVolatility(5, { type: 'call', strike: 100, expiry: 1, exercise: 'american' }, market),
      isCoreError('ERR_CORE_UNSUPPORTED_EXERCISE', 'exercise'),
    );
  });

  it('never returns NaN, Infinity or a non-positive volatility for arbitrary inputs (property)', () => {
    const anyNumber = fc.oneof(fc.double(), fc.double({ min: -10, max: 10 }), fc.double({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(
        fc.boolean(),
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        (isCall, price, spot, strike, expiry, rate, q) => {
          try {
            const result = impliedVolatility(price, european(isCall ? 'call' : 'put', strike, expiry), {
              spot,
              rate,
              dividendYield: q,
            });
            assert.ok(Number.isFinite(result.volatility) && result.volatility > 0, `volatility ${result.volatility}`);
          } catch (error) {
            assert.ok(error instanceof CoreError, String(error));
            assert.ok(
              ['ERR_CORE_INVALID_INPUT', 'ERR_CORE_PRICE_BELOW_INTRINSIC', 'ERR_CORE_PRICE_ABOVE_MAXIMUM'].includes(
                error.code,
              ),
              `${error.code}: ${error.message}`,
            );
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
