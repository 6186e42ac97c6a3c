import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreError } from '../../../src/core/errors.js';
import { checkButterfly } from '../../../src/core/surface/arbitrage.js';
import type { BoardQuote, QuoteBoard } from '../../../src/core/surface/board.js';
import { buildSurface } from '../../../src/core/surface/build-surface.js';
import { sabrVolatility } from '../../../src/core/surface/sabr.js';
import { sviTotalVariance } from '../../../src/core/surface/svi.js';
import { SurfaceEvaluator } from '../../../src/core/surface/surface.js';
import { brokenParityQuotes, loadGolden, toCoreBoard } from './support.js';

const golden = loadGolden();

describe('buildSurface on the golden board (reference/golden-surface-board.json)', () => {
  const board = toCoreBoard(golden.board);
  const build = buildSurface(board);

  it('keeps every quote, finds no violation, and fits each expiry to RMSE <= 0.0075', () => {
    assert.equal(build.quality.quotesIn, 126);
    assert.equal(build.quality.quotesKept, 126);
    assert.deepEqual(build.violations, []);
    assert.deepEqual(
      build.slices.map((s) => s.expiry),
      [0.25, 0.5, 1],
    );
    for (const slice of build.slices) {
      assert.ok(slice.rmse <= 0.0075, `expiry ${slice.expiry}: rmse ${slice.rmse}`);
      assert.ok(slice.rmse <= Math.min(slice.sabr.rmse, slice.svi.rmse) + 0, 'the chosen model has the lower RMSE');
      assert.match(slice.reason, /RMSE/);
    }
  });

  it('reproduces the generating smiles to within the noise', () => {
    const surface = new SurfaceEvaluator(build.definition);
    for (const t of golden.truth) {
      for (let strike = 80; strike <= 120; strike += 2) {
        const expected = sabrVolatility(100, strike, t.expiry, t);
        assert.ok(Math.abs(surface.volatility(strike, t.expiry) - expected) < 0.002, `K ${strike} T ${t.expiry}`);
      }
    }
  });

  it('is deterministic: the same board gives the same surface bit for bit', () => {
    assert.deepEqual(buildSurface(board), build);
  });

  it('refuses nothing but reports parity when the ATM call volatility is x1.5 and the put x0.2', () => {
    const broken = buildSurface(toCoreBoard(golden.board, brokenParityQuotes(golden.board)));
    const parity = broken.violations.filter((v) => v.kind === 'put_call_parity');
    assert.deepEqual(
      parity.map((v) => [v.expiry, v.strike]),
      [
        [0.25, 100],
        [0.5, 100],
        [1, 100],
      ],
    );
    assert.match(parity[0]!.detail, /put-call parity/);
  });
});

describe('buildSurface: cleaning and checks', () => {
  const base = toCoreBoard(golden.board);

  it('removes crossed, stale, out-of-bounds and outlier quotes, each with its reason', () => {
    const quotes: BoardQuote[] = base.quotes.map((q) => ({ ...q, timestamp: base.asOf - 10 }));
    quotes[0] = { ...quotes[0]!, bidIv: 0.3, askIv: 0.2 };
    quotes[1] = { ...quotes[1]!, timestamp: base.asOf - 301 };
    quotes.push({ expiry: 0.25, strike: 10_000, optionType: 'call', midIv: 0.5 });
    quotes[20] = { ...quotes[20]!, bidIv: 0.4, askIv: 0.41, midIv: 0.405 };
    const build = buildSurface({ ...base, quotes });
    const reasons = build.quality.removed.map((r) => [r.index, r.reason]);
    assert.deepEqual(reasons, [
      [0, 'crossed'],
      [1, 'stale'],
      [20, 'outlier'],
      [126, 'out_of_bounds'],
    ]);
    assert.equal(build.quality.quotesKept, 123);
    const staleAfter = buildSurface({ ...base, quotes }, { maxAgeSeconds: 400 });
    assert.ok(!staleAfter.quality.removed.some((r) => r.reason === 'stale'));
  });

  it('tests the wings too: a mistyped volatility at the lowest strike of the last expiry is removed', () => {
    // Call and put alike (so parity holds) at 2.0 instead of about 0.25. The lowest strikes sat in a log-moneyness
    // bucket of their own, too small to test, and the quote bent the fitted smile to 0.073 at the money.
    const lastExpiry = Math.max(...base.quotes.map((q) => q.expiry));
    const lowest = Math.min(...base.quotes.map((q) => q.strike));
    const quotes = base.quotes.map((q) =>
      q.expiry === lastExpiry && q.strike === lowest ? { ...q, bidIv: 1.995, askIv: 2.005, midIv: 2 } : q,
    );
    const build = buildSurface({ ...base, quotes });
    const removed = build.quality.removed.map((r) => [quotes[r.index]!.strike, quotes[r.index]!.expiry, r.reason]);
    assert.deepEqual(removed, [
      [lowest, lastExpiry, 'outlier'],
      [lowest, lastExpiry, 'outlier'],
    ]);
    const clean = new SurfaceEvaluator(buildSurface(base).definition).volatility(100, lastExpiry);
    const cleaned = new SurfaceEvaluator(build.definition).volatility(100, lastExpiry);
    assert.ok(Math.abs(cleaned - clean) < 0.002, `${cleaned} vs ${clean}`);
  });

  it('keeps a quote its own spread away from a nearly flat smile (the MAD alone made that a gross error)', () => {
    const quotes = base.quotes.map((q) => {
      if (q.expiry !== 0.5) return q;
      const mid = q.strike === 100 ? 0.207 : 0.2 + 1e-6 * q.strike;
      return { ...q, bidIv: mid - 0.005, askIv: mid + 0.005, midIv: mid };
    });
    const build = buildSurface({ ...base, quotes });
    assert.deepEqual(
      build.quality.removed.filter((r) => r.reason === 'outlier'),
      [],
    );
  });

  it('converts prices to volatilities with the implied-volatility solver', () => {
    // Undiscounted Black prices at the golden mids (r = q = 0), given back as prices: the same surface results.
    const normCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);
    const black = (isCall: boolean, k: number, v: number, t: number): number => {
      const s = v * Math.sqrt(t);
      const d1 = Math.log(100 / k) / s + s / 2;
      return isCall ? 100 * normCdf(d1) - k * normCdf(d1 - s) : k * normCdf(s - d1) - 100 * normCdf(-d1);
    };
    const quotes = base.quotes.map((q) => ({
      expiry: q.expiry,
      strike: q.strike,
      optionType: q.optionType,
      bidPrice: black(q.optionType === 'call', q.strike, q.bidIv!, q.expiry),
      askPrice: black(q.optionType === 'call', q.strike, q.askIv!, q.expiry),
      midPrice: black(q.optionType === 'call', q.strike, q.midIv!, q.expiry),
    }));
    const fromPrices = buildSurface({ ...base, quotes });
    const fromVols = buildSurface(base);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(fromPrices.slices[i]!.rmse - fromVols.slices[i]!.rmse) < 1e-6);
    const tooCheap = buildSurface({
      ...base,
      quotes: [...quotes, { expiry: 0.5, strike: 80, optionType: 'call', midPrice: 5 }],
    });
    assert.deepEqual(
      tooCheap.quality.removed.map((r) => r.reason),
      ['not_invertible'],
    );
  });

  it('discounts price quotes at the rate and reads the forwards the board gives', () => {
    // Discounted Black prices with r = 3%, forwards per expiry that differ from S e^(rT) (a dividend): the
    // volatilities come back to 1e-10 and the slices sit at the given forwards.
    const normCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);
    const rate = 0.03;
    const forwards = [
      { expiry: 0.25, forward: 100.4 },
      { expiry: 0.5, forward: 100.9 },
      { expiry: 1, forward: 101.5 },
    ];
    const quotes = base.quotes.map((q) => {
      const f = forwards.find((x) => x.expiry === q.expiry)!.forward;
      const s = q.midIv! * Math.sqrt(q.expiry);
      const d1 = Math.log(f / q.strike) / s + s / 2;
      const df = Math.exp(-rate * q.expiry);
      const price =
        q.optionType === 'call'
          ? df * (f * normCdf(d1) - q.strike * normCdf(d1 - s))
          : df * (q.strike * normCdf(s - d1) - f * normCdf(-d1));
      return { expiry: q.expiry, strike: q.strike, optionType: q.optionType, midPrice: price };
    });
    const build = buildSurface({ ...base, rate, forwards, quotes });
    assert.deepEqual(
      build.definition.slices.map((s) => s.forward),
      [100.4, 100.9, 101.5],
    );
    build.quotes.forEach((q, i) => assert.ok(Math.abs(q.mid - base.quotes[i]!.midIv!) < 1e-10, `quote ${i}: ${q.mid}`));
  });

  it('finds calendar and butterfly violations', () => {
    // The 1-year smile at half the 0.5-year volatility: total variance falls with expiry.
    const calendar = buildSurface({
      ...base,
      quotes: base.quotes.map((q) =>
        q.expiry === 1 ? { ...q, bidIv: q.bidIv! / 2, askIv: q.askIv! / 2, midIv: q.midIv! / 2 } : q,
      ),
    });
    assert.ok(calendar.violations.some((v) => v.kind === 'calendar' && v.expiry === 1));
    // A spike at one strike, calls and puts alike (so no parity problem): a concave kink in the call price. The
    // outlier filter would take it out of a full board, so the check is run on the quotes directly.
    const smile = base.quotes
      .filter((q) => q.expiry === 0.5 && q.optionType === 'call')
      .map((q, index) => {
        const mid = q.strike === 96 ? 0.3 : q.midIv!;
        const spread = q.strike === 96 ? 0.005 : q.askIv! - q.midIv!;
        return {
          index,
          expiry: 0.5,
          strike: q.strike,
          optionType: q.optionType,
          forward: 100,
          logMoneyness: Math.log(q.strike / 100),
          bid: mid - spread,
          ask: mid + spread,
          mid,
        };
      });
    const butterfly = checkButterfly(smile);
    assert.deepEqual(
      butterfly.map((v) => [v.kind, v.expiry, v.strike]),
      [['butterfly', 0.5, 96]],
    );
    assert.match(butterfly[0]!.detail, /implied density -/);
    assert.deepEqual(checkButterfly(smile.filter((q) => q.strike !== 96)), []);
  });

  it('refuses boards it cannot use, naming the field', () => {
    const refuses = (board: QuoteBoard, param: string): void => {
      assert.throws(
        () => buildSurface(board),
        (e: unknown) => e instanceof CoreError && e.param === param,
        param,
      );
    };
    refuses({ ...base, quotes: [] }, 'quotes');
    refuses({ ...base, quotes: base.quotes.filter((q) => q.expiry !== 0.5 || q.strike < 88) }, 'quotes');
    refuses({ ...base, quotes: base.quotes.map((q) => ({ ...q, bidIv: 0.3, askIv: 0.2, midIv: 0.25 })) }, 'quotes');
    refuses({ ...base, quotes: [{ ...base.quotes[0]!, strike: 0 }] }, 'quotes[0].strike');
    refuses({ ...base, quotes: [{ ...base.quotes[0]!, midIv: Number.NaN }] }, 'quotes[0].midIv');
    refuses({ ...base, quotes: [{ ...base.quotes[0]!, optionType: 'straddle' as 'call' }] }, 'quotes[0].optionType');
    refuses({ ...base, spot: -1 }, 'spot');
  });
});

describe('SurfaceEvaluator', () => {
  const definition = buildSurface(toCoreBoard(golden.board)).definition;
  const surface = new SurfaceEvaluator(definition);

  it('interpolates total variance linearly in time at fixed log-moneyness', () => {
    const w25 = surface.totalVariance(104, 0.25);
    const w50 = surface.totalVariance(104, 0.5);
    assert.ok(Math.abs(surface.totalVariance(104, 0.375) - (w25 + w50) / 2) < 1e-15);
  });

  it('keeps volatility constant at fixed log-moneyness before the first and after the last expiry', () => {
    assert.ok(Math.abs(surface.volatility(90, 0.1) - surface.volatility(90, 0.25)) < 1e-15);
    assert.ok(Math.abs(surface.volatility(90, 3) - surface.volatility(90, 1)) < 1e-15);
  });

  it('extends the wings linearly in total variance with a slope within [-2, 2]', () => {
    const kMax = definition.slices[2]!.kMax;
    const f = surface.forward(1);
    const w = (k: number): number => surface.totalVariance(f * Math.exp(k), 1);
    const slope1 = w(kMax + 1) - w(kMax + 0.5);
    const slope2 = w(kMax + 2) - w(kMax + 1.5);
    assert.ok(Math.abs(slope1 - slope2) < 1e-12 && slope1 >= 0 && slope1 <= 1);
    assert.ok(surface.volatility(1, 1) > 0 && surface.volatility(1e4, 1) > 0);
  });

  it("evaluates each expiry's own model at its node (the evaluator's SABR-in-k form agrees with sabrVolatility)", () => {
    const manual = new SurfaceEvaluator({
      spot: 100,
      slices: [
        {
          model: 'sabr',
          parameters: { alpha: 2, beta: 0.5, rho: -0.3, nu: 0.6 },
          expiry: 0.5,
          forward: 101,
          kMin: -0.3,
          kMax: 0.3,
        },
        {
          model: 'svi',
          parameters: { a: 0.02, b: 0.1, rho: -0.5, m: 0.02, sigma: 0.2 },
          expiry: 1,
          forward: 102,
          kMin: -0.4,
          kMax: 0.4,
        },
      ],
    });
    for (let strike = 76; strike <= 130; strike += 3) {
      const sabr = sabrVolatility(101, strike, 0.5, { alpha: 2, beta: 0.5, rho: -0.3, nu: 0.6 });
      assert.ok(Math.abs(manual.volatility(strike, 0.5) / sabr - 1) < 1e-13, `sabr at ${strike}`);
      const k = Math.log(strike / 102);
      const svi = Math.sqrt(sviTotalVariance(k, { a: 0.02, b: 0.1, rho: -0.5, m: 0.02, sigma: 0.2 }));
      assert.ok(Math.abs(manual.volatility(strike, 1) / svi - 1) < 1e-13, `svi at ${strike}`);
    }
    // The forward between and beyond the nodes: ln F linear in T through (0, ln S).
    assert.ok(Math.abs(manual.forward(0.25) - Math.sqrt(100 * 101)) < 1e-12);
    assert.ok(Math.abs(manual.forward(0.75) - Math.sqrt(101 * 102)) < 1e-12);
    assert.ok(Math.abs(manual.forward(1.5) - (102 * 102) / 101) < 1e-12);
  });

  it('refuses a non-positive strike or expiry', () => {
    assert.throws(
      () => surface.volatility(0, 1),
      (e: unknown) => e instanceof CoreError && e.param === 'strike',
    );
    assert.throws(
      () => surface.volatility(100, Number.NaN),
      (e: unknown) => e instanceof CoreError && e.param === 'expiry',
    );
  });
});

function erfc(x: number): number {
  // Only for building test prices; the core's own erfc is what the solver uses, so this is deliberately separate:
  // W. J. Cody's rational approximations are overkill here, a continued-fraction-free series to 1e-15 suffices.
  return 1 - erfSeries(x);
}

function erfSeries(x: number): number {
  if (Math.abs(x) > 3) return Math.sign(x) * (1 - erfcAsymptotic(Math.abs(x)));
  let sum = x;
  let term = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function erfcAsymptotic(x: number): number {
  let sum = 1;
  let term = 1;
  for (let n = 1; n < 12; n++) {
    term *= -(2 * n - 1) / (2 * x * x);
    sum += term;
  }
  return (Math.exp(-x * x) / (x * Math.sqrt(Math.PI))) * sum;
}
