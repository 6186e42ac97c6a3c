/**
 * `npm run bench`: single-threaded, steady-state cost of every model and of implied volatility, through the
 * library API a user would call. Median of several timed rounds after a warm-up, per option.
 * Targets (docs/numerics.md, "Performance"; one core of this 2-core machine) are printed beside each figure.
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { priceOption, type ModelName } from '../src/core/models.js';
import type { OptionSpec } from '../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../src/core/market/market-inputs.js';
import { priceBlackScholesBatch } from '../src/core/engines/black-scholes-batch.js';
import { blackScholesPrice } from '../src/core/engines/black-scholes.js';
import { impliedVolatilityBatch } from '../src/core/engines/implied-volatility-batch.js';
import { xorshift32 } from './support/xorshift32.js';

interface Case {
  option: OptionSpec;
  market: MarketInputs;
}

function makeCases(n: number, exercise: 'european' | 'american', seed: number): Case[] {
  const rnd = xorshift32(seed);
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      option: { type: rnd() < 0.5 ? 'call' : 'put', strike: 50 + 100 * rnd(), expiry: 0.05 + 2.95 * rnd(), exercise },
      market: {
        spot: 50 + 100 * rnd(),
        rate: 0.08 * rnd(),
        dividendYield: 0.03 * rnd(),
        volatility: 0.05 + 0.75 * rnd(),
      },
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `body` (which processes `count` options) `rounds` times after `warmup` rounds; returns ns/option per round. */
function measure(count: number, rounds: number, warmup: number, body: () => void): number[] {
  for (let i = 0; i < warmup; i++) body();
  const perOption: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    body();
    perOption.push(((performance.now() - t0) * 1e6) / count);
  }
  return perOption;
}

const rows: { workload: string; ns: number[]; target: number }[] = [];
let sink = 0;

function benchModel(
  model: ModelName,
  exercise: 'european' | 'american',
  n: number,
  rounds: number,
  target: number,
  greeks: boolean,
): void {
  const cases = makeCases(n, exercise, 7);
  const seed = 42n;
  const ns = measure(n, rounds, 2, () => {
    for (const c of cases) sink += priceOption(model, c.option, c.market, { greeks, seed }).value;
  });
  rows.push({ workload: `${model} ${exercise}${greeks ? ' + greeks' : ''}`, ns, target });
}

// Black-Scholes batch kernel: price + 5 greeks over typed arrays.
{
  const n = 100_000;
  const cases = makeCases(n, 'european', 11);
  const input = {
    isCall: new Uint8Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    expiry: new Float64Array(n),
    volatility: new Float64Array(n),
    rate: new Float64Array(n),
    dividendYield: new Float64Array(n),
  };
  cases.forEach((c, i) => {
    input.isCall[i] = c.option.type === 'call' ? 1 : 0;
    input.spot[i] = c.market.spot;
    input.strike[i] = c.option.strike;
    input.expiry[i] = c.option.expiry;
    input.volatility[i] = c.market.volatility;
    input.rate[i] = c.market.rate;
    input.dividendYield[i] = c.market.dividendYield;
  });
  const output = {
    price: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    theta: new Float64Array(n),
    vega: new Float64Array(n),
    rho: new Float64Array(n),
  };
  rows.push({
    workload: 'black_scholes batch kernel, price + 5 greeks',
    ns: measure(n, 15, 3, () => priceBlackScholesBatch(input, output, n)),
    target: 150,
  });

  // Implied volatility batch: quotes made from known vols, recovered to 1e-12.
  const price = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    price[i] = blackScholesPrice(
      input.isCall[i] ? 'call' : 'put',
      input.spot[i]!,
      input.strike[i]!,
      input.expiry[i]!,
      input.volatility[i]!,
      input.rate[i]!,
      input.dividendYield[i]!,
    );
  }
  const ivIn = {
    isCall: input.isCall,
    price,
    spot: input.spot,
    strike: input.strike,
    expiry: input.expiry,
    rate: input.rate,
    dividendYield: input.dividendYield,
  };
  const ivOut = { volatility: new Float64Array(n), iterations: new Uint16Array(n), status: new Uint8Array(n) };
  rows.push({
    workload: 'implied volatility batch (1e-12)',
    ns: measure(n, 9, 2, () => impliedVolatilityBatch(ivIn, ivOut, n)),
    target: 700,
  });
  // Accuracy: sigma is only determined to (price rounding) x (condition number price / (sigma * vega)); judge the
  // 1e-12 target on quotes with condition <= 100, as the tests do, and report the rest by their repricing error.
  let worstWell = 0;
  let well = 0;
  let worstReprice = 0;
  let failures = 0;
  for (let i = 0; i < n; i++) {
    if (ivOut.status[i] !== 0) {
      failures++;
      continue;
    }
    const vega = output.vega[i]!;
    const cond = price[i]! / (input.volatility[i]! * vega);
    if (cond <= 100) {
      well++;
      worstWell = Math.max(worstWell, Math.abs(ivOut.volatility[i]! / input.volatility[i]! - 1));
    }
    const repriced = blackScholesPrice(
      input.isCall[i] ? 'call' : 'put',
      input.spot[i]!,
      input.strike[i]!,
      input.expiry[i]!,
      ivOut.volatility[i]!,
      input.rate[i]!,
      input.dividendYield[i]!,
    );
    worstReprice = Math.max(worstReprice, Math.abs(repriced / price[i]! - 1));
  }
  console.log(
    `implied volatility: ${n - failures}/${n} solved (the others lie within rounding of a no-arbitrage bound);` +
      ` worst relative sigma error ${worstWell.toExponential(2)} over the ${well} well-conditioned quotes (condition <= 100);` +
      ` worst relative repricing error over all solved ${worstReprice.toExponential(2)}`,
  );
}

benchModel('black_scholes', 'european', 20_000, 9, 150, true);
benchModel('binomial_200', 'american', 400, 9, 60_000, false);
benchModel('leisen_reimer', 'american', 400, 9, 60_000, false);
benchModel('barone_adesi_whaley', 'american', 20_000, 9, 1_000, false);
benchModel('bjerksund_stensland', 'american', 20_000, 9, 1_000, false);
benchModel('bjerksund_stensland_1993', 'american', 20_000, 9, 1_000, false);
benchModel('monte_carlo_20k', 'european', 60, 9, 1_000_000, false);
benchModel('binomial_200', 'american', 200, 5, Number.NaN, true);
benchModel('leisen_reimer', 'american', 200, 5, Number.NaN, true);
benchModel('monte_carlo_20k', 'european', 40, 5, Number.NaN, true);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `\nOPE core benchmark: node ${process.version}, ${cpu}, ${availableParallelism()} logical CPUs, single thread`,
);
console.log(
  'workload'.padEnd(48),
  'median ns/option'.padStart(17),
  'min-max'.padStart(24),
  'target'.padStart(10),
  '  status',
);
for (const r of rows) {
  const med = median(r.ns);
  const range = `${Math.min(...r.ns).toFixed(0)}-${Math.max(...r.ns).toFixed(0)}`;
  const status = Number.isNaN(r.target) ? '' : med <= r.target ? 'met' : 'NOT MET';
  console.log(
    r.workload.padEnd(48),
    med.toFixed(0).padStart(17),
    range.padStart(24),
    (Number.isNaN(r.target) ? '-' : String(r.target)).padStart(10),
    ' ',
    status,
  );
}
if (!Number.isFinite(sink)) console.log('(sink)', sink);
