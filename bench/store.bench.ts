/**
 * The store's scenarios of `npm run bench:http` (docs/architecture.md, "The store"):
 *   1. upsert latency, p50 and p99, of each store: BENCH_UPSERTS (default 500) sequential single-point upserts through
 *      the VolatilityPointStore API (one committed transaction each): the embedded SQLite file in a temp directory,
 *      and PostgreSQL on loopback (OPE_BENCH_DATABASE_URL, or a throwaway cluster when the Debian binaries are here);
 *   2. pricing a single black_scholes contract with the volatility from the surface (a 10 x 10 grid of points) against
 *      the same request with an explicit volatility: the real service (dist/main.js, or src/main.ts under tsx with
 *      BENCH_SERVICE=tsx: bench/support/service-env.ts; embedded store, result cache off),
 *      autocannon, BENCH_SECONDS (default 10) per run, 10 connections, runs in the order A-B-B-A.
 *   3. the in-process cost of one estimate on that grid (what pricing from the surface adds per contract).
 * Client and service share the CPUs: run it on a quiet machine, and say when it was not.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintDevToken } from '../src/auth/dev-token.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { prepareService } from './support/service-env.js';
import type { VolatilityPointStore } from '../src/store/volatility-point-store.js';
import { VolatilitySurface } from '../src/core/market/volatility-surface.js';
import type { VolatilityPoint } from '../src/core/market/volatility-surface.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'store-bench-secret-of-at-least-32-bytes!';
const UPSERTS = Number(process.env.BENCH_UPSERTS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface AutocannonResult {
  readonly requests: { readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: Record<string, unknown>,
) => Promise<AutocannonResult>;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function upsertLatency(name: string, store: VolatilityPointStore): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < UPSERTS; i += 1) {
    const point = {
      strike: 80 + (i % 40),
      maturity: 0.25 + (i % 8) / 4,
      volatility: 0.15 + (i % 50) / 500,
      timestamp: i,
      source: 'bench',
    };
    const started = performance.now();
    await store.upsert(point, { subject: 'bench', now: new Date() });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(
    `upsert ${name.padEnd(12)} n=${UPSERTS}  p50 ${percentile(times, 0.5).toFixed(2)} ms  p99 ${percentile(times, 0.99).toFixed(2)} ms  max ${times.at(-1)?.toFixed(2)} ms`,
  );
}

async function benchUpserts(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ope-store-bench-'));
  const sqlite = new SqliteStore(dir);
  try {
    await upsertLatency('sqlite', sqlite.points);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }

  let url = process.env.OPE_BENCH_DATABASE_URL;
  let cluster: { close(): Promise<void>; createDatabase(name: string): Promise<string> } | null = null;
  if (url === undefined) {
    const helper = await import('../test/helpers/postgres-server.js');
    if (helper.postgresSkipReason() !== false) {
      console.log('upsert postgres     skipped: no PostgreSQL binaries and no OPE_BENCH_DATABASE_URL');
      return;
    }
    cluster = await helper.startPostgres();
    url = await cluster.createDatabase('store_bench');
  }
  const postgres = await PostgresStore.open({ url });
  try {
    await upsertLatency('postgres', postgres.points);
  } finally {
    await postgres.points.close();
    await cluster?.close();
  }
}

async function startService(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const logFile = join(dataDir, 'service.log');
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, prepareService(ROOT), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DEV_JWT_SECRET: SECRET,
      RATE_LIMIT_DEFAULT: '100000000/second',
      OPE_CACHE_SIZE: '0',
      OPE_DATA_DIR: join(dataDir, 'data'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', log, 'inherit'],
  });
  closeSync(log);
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = readFileSync(logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('"service.start"'));
    port = line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function benchPricing(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ope-store-bench-'));
  const service = await startService(dir);
  try {
    const token = await mintDevToken({
      secret: new TextEncoder().encode(SECRET),
      scopes: ['pricing:read', 'market-data:write'],
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // A full 10 x 10 grid: the surface interpolates (bilinear) rather than answering its 0.20 default.
    for (const point of gridPoints()) {
      const body = JSON.stringify({ strike: point.strike, maturity: point.maturity, volatility: point.volatility });
      const response = await fetch(`${service.url}/api/v1/market-data/volatility`, { method: 'POST', headers, body });
      if (response.status !== 201) throw new Error(`upsert answered ${response.status}: ${await response.text()}`);
    }
    const contract = { symbol: 'ACME', strike_price: 105, time_to_expiry: 1.1, option_type: 'call' };
    const explicit = JSON.stringify({
      contracts: [contract],
      market_data: { spot_price: 100, risk_free_rate: 0.03, volatility: 0.22 },
    });
    const fromSurface = JSON.stringify({
      contracts: [contract],
      market_data: { spot_price: 100, risk_free_rate: 0.03 },
    });
    // A-B-B-A, so warm-up and drifting machine load weigh on both alike; each side reports the mean of its two runs.
    const perSecond: Record<string, number[]> = { 'explicit volatility': [], 'volatility from the surface': [] };
    const order = [
      ['explicit volatility', explicit],
      ['volatility from the surface', fromSurface],
      ['volatility from the surface', fromSurface],
      ['explicit volatility', explicit],
    ] as const;
    for (const [name, body] of order) {
      await fetch(`${service.url}/api/v1/pricing/single`, { method: 'POST', headers, body }).then((r) => r.text());
      const result = await autocannon({
        url: `${service.url}/api/v1/pricing/single`,
        method: 'POST',
        headers,
        body,
        connections: 10,
        duration: SECONDS,
      });
      perSecond[name]!.push(result.requests.average);
      console.log(
        `single black_scholes, ${name.padEnd(28)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`,
      );
    }
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(perSecond['volatility from the surface']!) / mean(perSecond['explicit volatility']!);
    console.log(
      `surface / explicit requests per second (means of two runs each): ${(100 * ratio).toFixed(1)} % (target >= 95 %)`,
    );
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function gridPoints(): VolatilityPoint[] {
  const points: VolatilityPoint[] = [];
  for (let i = 0; i < 10; i += 1) {
    for (let j = 0; j < 10; j += 1)
      points.push({
        strike: 60 + 10 * i,
        maturity: 0.25 * (j + 1),
        volatility: 0.18 + 0.01 * i - 0.002 * j,
        timestamp: 0,
        source: 'bench',
      });
  }
  return points;
}

function benchEstimate(): void {
  const surface = new VolatilitySurface(gridPoints());
  let sink = 0;
  for (let k = 0; k < 20_000; k += 1) sink += surface.estimate(105, 1.1).volatility;
  const calls = 100_000;
  const started = performance.now();
  for (let k = 0; k < calls; k += 1) sink += surface.estimate(105, 1.1).volatility;
  const us = ((performance.now() - started) / calls) * 1000;
  console.log(`estimate on the 10 x 10 grid: ${us.toFixed(2)} us per call (${sink > 0 ? 'ok' : '?'})`);
}

console.log('\nstore');
await benchUpserts();
await benchPricing();
benchEstimate();
