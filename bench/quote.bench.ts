/**
 * The quote API's rows of `npm run bench:http` (BENCH_SCENARIOS=quote runs only these): /quote black_scholes and
 * /quote monte_carlo (20,000 paths) against the v1 single route pricing the same contract with the same model, all
 * greeks, in one service process. Target: the quote route within 10 % of the v1 route's requests/s. What /quote does
 * on top: canonical JSON both ways, two SHA-256 (request hash, capsule id; a third for the Monte Carlo seed) and a
 * capsule in the document store (the embedded SQLite file, empty at the start of each run).
 *
 * Black-Scholes is measured twice. "same body": every request is identical, so after the first one the capsule is
 * already stored and /quote skips its write (docs/api.md, "Seeds, capsules, idempotency"). "new contract each
 * request": the strike moves by 1e-6 per request, on both routes, so every quote makes a new capsule and commits it.
 */

export interface QuoteBenchRow {
  readonly scenario: string;
  readonly okPerSecond: number;
}

export interface QuoteBenchOptions<Row extends QuoteBenchRow> {
  readonly url: string;
  readonly token: string;
  readonly threads: number;
  readonly run: (
    url: string,
    token: string,
    scenario: string,
    path: string,
    body: string | (() => string),
    connections: number,
  ) => Promise<Row>;
  readonly print: (row: Row) => void;
  /** CPU seconds so far of the service's event loop (its main thread), or null where unknown (off Linux). */
  readonly eventLoopCpu?: () => number | null;
  /** Seconds each row measures (BENCH_SECONDS). */
  readonly seconds: number;
}

const CONTRACT = { symbol: 'BENCH', strike_price: 105, time_to_expiry: 0.7, option_type: 'call' } as const;
const MARKET = { spot_price: 100, risk_free_rate: 0.03, dividend_yield: 0.01 } as const;
const VOLATILITY = 0.25;

function v1Body(model: string, strike: number = CONTRACT.strike_price): string {
  return JSON.stringify({
    contracts: [{ ...CONTRACT, strike_price: strike, exercise_style: 'european' }],
    market_data: { ...MARKET, volatility: VOLATILITY },
    model,
    calculate_greeks: true,
    ...(model === 'monte_carlo_20k' ? { seed: 42 } : {}),
  });
}

function quoteBody(family: string, strike: number = CONTRACT.strike_price): string {
  return JSON.stringify({
    contract: { ...CONTRACT, strike_price: strike },
    market: MARKET,
    volatility: VOLATILITY,
    model: family === 'monte_carlo' ? { family, params: { paths: 20_000 } } : { family },
  });
}

/** A strike never sent before in this run (both routes draw from it): 105.000001, 105.000002, ... */
let strikes = 0;
const newStrike = (): number => CONTRACT.strike_price + ++strikes / 1e6;

/** Rounds per pair (BENCH_QUOTE_ROUNDS, default 3): the two routes alternate, so drifting load on a shared machine hits both alike. */
const ROUNDS = Number(process.env.BENCH_QUOTE_ROUNDS ?? 3);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchQuoteApi<Row extends QuoteBenchRow>(options: QuoteBenchOptions<Row>): Promise<void> {
  const { url, token, threads, run, print, seconds } = options;
  const loopCpu = options.eventLoopCpu ?? (() => null);
  const pairs: [
    label: string,
    v1: [string, string | (() => string)],
    quote: [string, string | (() => string)],
    connections: number,
  ][] = [
    [
      'black_scholes, same body',
      ['single black_scholes (v1)', v1Body('black_scholes')],
      ['/quote black_scholes', quoteBody('black_scholes')],
      10,
    ],
    [
      'black_scholes, new contract each request',
      ['v1 black_scholes, new strikes', () => v1Body('black_scholes', newStrike())],
      ['/quote black_scholes, new strikes', () => quoteBody('black_scholes', newStrike())],
      10,
    ],
    [
      'monte_carlo 20k',
      ['single monte_carlo_20k (v1)', v1Body('monte_carlo_20k')],
      ['/quote monte_carlo 20k paths', quoteBody('monte_carlo')],
      4 * threads,
    ],
  ];
  for (const [label, [v1Name, v1], [quoteName, quote], connections] of pairs) {
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    /**
     * A row, and the service's event-loop CPU per answered request (us; null off Linux). On a shared machine the
     * requests/s of both routes move with the load; the CPU each request costs the event loop, which both routes
     * are bound by, moves much less, so it is printed beside them.
     */
    const measure = async (name: string, path: string, body: string | (() => string)) => {
      const before = loopCpu();
      const row = await run(url, token, name, path, body, connections);
      const after = loopCpu();
      const usPerRequest =
        before === null || after === null ? null : (1e6 * (after - before)) / Math.max(1, row.okPerSecond * seconds);
      print(row);
      if (usPerRequest !== null)
        console.log(`${''.padEnd(34)}   event loop ${usPerRequest.toFixed(0)} us CPU per request`);
      return { row, usPerRequest };
    };
    for (let round = 0; round < ROUNDS; round++) {
      const measureV1 = () => measure(v1Name, '/api/v1/pricing/single', v1);
      const measureQuote = () => measure(quoteName, '/quote', quote);
      // Alternate which goes first, so neither always runs on the warmer (or busier) half of a round.
      const [first, second] = round % 2 === 0 ? [measureV1, measureQuote] : [measureQuote, measureV1];
      const a = await first();
      const b = await second();
      const [base, row] = round % 2 === 0 ? [a, b] : [b, a];
      ratios.push(row.row.okPerSecond / base.row.okPerSecond);
      if (base.usPerRequest !== null && row.usPerRequest !== null) cpuRatios.push(row.usPerRequest / base.usPerRequest);
    }
    const percents = (values: number[]): string => values.map((r) => (100 * r).toFixed(0)).join(', ');
    console.log(
      `${''.padEnd(34)}   /quote ${label}: median ${(100 * median(ratios)).toFixed(0)} % of the v1 route's requests/s over ${ROUNDS} rounds ` +
        `(${percents(ratios)} %; target >= 90 %)`,
    );
    if (cpuRatios.length > 0)
      console.log(
        `${''.padEnd(34)}   /quote ${label}: event-loop CPU per request median ${(100 * median(cpuRatios)).toFixed(0)} % of the v1 route's (${percents(cpuRatios)} %)`,
      );
  }
}
