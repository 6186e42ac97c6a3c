/**
 * Measures what docs/RUNBOOK.md's "Monte Carlo batching guidance" states: the latency of one
 * POST /api/v1/pricing/batch with model monte_carlo_20k for 1, 10, 100 and 1000 contracts, through the real service
 * (src/main.ts in its own process, OPE_THREADS=2), one request at a time, after a warm-up. No seed, so nothing is
 * answered from the result cache. Beside the wall-clock latency it reports the service's CPU time per request
 * (process_cpu_seconds_total from its /metrics, all threads), which other load on a shared machine barely changes:
 * on dedicated cores the latency approaches CPU time / OPE_THREADS. Prints a Markdown table and the machine.
 *
 *   node --import tsx test/deploy/measure-monte-carlo-batches.ts [threads]
 *
 * Not a test (performance is measured, never asserted): the numbers depend on the machine and its load.
 */
import { cpus, loadavg } from 'node:os';
import { mintDevToken } from '../../src/auth/dev-token.js';
import { DEV_SECRET, freePort, startOpe, waitHealthy } from './ope-process.js';

const THREADS = Number(process.argv[2] ?? '2');
const SIZES: readonly [contracts: number, repetitions: number][] = [
  [1, 30],
  [10, 15],
  [100, 7],
  [1000, 5],
];

function batch(contracts: number): string {
  const list = Array.from({ length: contracts }, (_, i) => ({
    symbol: 'MC',
    strike_price: 70 + (60 * i) / Math.max(1, contracts - 1),
    time_to_expiry: 0.25 + (i % 8) * 0.25,
    option_type: i % 2 === 0 ? 'call' : 'put',
  }));
  return JSON.stringify({
    contracts: list,
    market_data: { spot_price: 100, risk_free_rate: 0.03, volatility: 0.25 },
    model: 'monte_carlo_20k',
    calculate_greeks: true,
  });
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

async function main(): Promise<void> {
  const port = await freePort();
  const ope = startOpe(port, { OPE_THREADS: String(THREADS), LOG_LEVEL: 'warn', OPE_MAX_CONTRACTS: '1000' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(`${url}/healthz`, ope);
    const token = await mintDevToken({ secret: new TextEncoder().encode(DEV_SECRET), scopes: ['pricing:read'] });
    const post = async (body: string): Promise<number> => {
      const started = performance.now();
      const response = await fetch(`${url}/api/v1/pricing/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      const json = (await response.json()) as { results?: { error: string | null }[] };
      const elapsed = performance.now() - started;
      if (response.status !== 200 || json.results?.some((r) => r.error !== null))
        throw new Error(`status ${response.status}: ${JSON.stringify(json).slice(0, 300)}`);
      return elapsed;
    };
    // Warm-up: worker threads started, JIT-compiled engine, the placement estimate settled.
    for (const [contracts] of SIZES) for (let i = 0; i < 2; i += 1) await post(batch(contracts));

    const cpuSeconds = async (): Promise<number> => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const match = /^process_cpu_seconds_total (\S+)$/m.exec(text);
      if (match === null) throw new Error('no process_cpu_seconds_total in /metrics');
      return Number(match[1]);
    };
    const loadBefore = loadavg()[0]!;
    const rows: string[] = [];
    for (const [contracts, repetitions] of SIZES) {
      const body = batch(contracts);
      const times: number[] = [];
      const cpuBefore = await cpuSeconds();
      for (let i = 0; i < repetitions; i += 1) times.push(await post(body));
      const cpuMs = (((await cpuSeconds()) - cpuBefore) * 1000) / repetitions;
      times.sort((a, b) => a - b);
      const median = quantile(times, 0.5);
      rows.push(
        `| ${contracts} | ${repetitions} | ${median.toFixed(1)} | ${times[0]!.toFixed(1)} | ${times.at(-1)!.toFixed(1)} | ${cpuMs.toFixed(1)} | ${(cpuMs / THREADS).toFixed(1)} |`,
      );
    }
    const loadAfter = loadavg()[0]!;
    console.log(
      `OPE_THREADS=${THREADS}; ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    );
    console.log('');
    console.log('| contracts | requests | median ms | min ms | max ms | CPU ms per request | CPU ms / OPE_THREADS |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    await ope.stop();
  }
}

await main();
