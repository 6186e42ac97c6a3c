/**
 * `npm run bench:http`: load against the real service (built and run as `node dist/main.js`, as production runs it, or
 * through tsx with BENCH_SERVICE=tsx: bench/support/service-env.ts; in a child process), dev HS256
 * tokens, result cache off, rate limit out of the way), one scenario after another.
 *   throughput (autocannon, closed loop): two yardsticks in their own process (bench/support/fastify-yardsticks.ts:
 *     a bare hello-world GET, and a POST with OPE's schemas and nothing else), then single black_scholes (placed
 *     inline), a 100-contract black_scholes batch, a 10-contract American binomial_200 batch and a single
 *     monte_carlo_20k (on the pool);
 *   overload: 100-contract monte_carlo_20k batches (OVERLOAD_CONTRACTS). The unloaded p99 comes from one connection, the capacity (1x) from
 *     two connections per thread (closed loop, so the pool never idles); then an open-loop generator (bench/support/open-loop.ts, HTTP/1.1 on
 *     plain sockets so that it takes little CPU from the service it shares the cores with) offers 2x and 10x that rate. Goodput (200s answered
 *     while the load is offered, per second) should hold, the excess be refused fast with 503 + Retry-After, the accepted
 *     requests' p99 stay near the unloaded one, and no other status appear. Run twice: with the pool settings given
 *     (OPE_THREAD_QUEUE_MAX, default 32; OPE_THREAD_QUEUE_TIMEOUT_SECONDS, default 0.5), and with the runbook's
 *     latency-sensitive settings (a queue of one job per thread, no wait for room). The service's resident memory
 *     is read from its /metrics before and after each overload series.
 * Each throughput row is followed by the CPU its process's main thread (the event loop) spent per 200 answer, read
 * from /proc: on a shared machine requests/s move with the neighbours' load, CPU per request much less.
 * Knobs: BENCH_SERVICE (dist, the default, or tsx), BENCH_SECONDS (default 10), BENCH_WARMUP_SECONDS (10x load before each overload series, default 5), BENCH_SCENARIOS (throughput,overload; capacity = the overload's first two rows only),
 * BENCH_THROUGHPUT_WARMUP_SECONDS (unmeasured load before each throughput row, so no row measures a cold JIT; default 2),
 * BENCH_OVERLOAD_FACTORS (default 2,10; e.g. 10,10,10,10,10,10 to watch memory across repeated overloads), OPE_THREADS / OPE_THREAD_QUEUE_MAX /
 * OPE_THREAD_QUEUE_TIMEOUT_SECONDS passed through. Client and service share the CPUs: run it on a quiet machine.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintDevToken } from '../src/auth/dev-token.js';
import { openLoop } from './support/open-loop.js';
import { benchServiceEnv, prepareService, serviceBuild } from './support/service-env.js';
import { benchQuoteApi } from './quote.bench.js';

interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}
interface AutocannonResult {
  readonly requests: Histogram & { readonly total: number };
  readonly latency: Histogram;
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): void;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SECRET = 'http-benchmark-secret-0123456789abcdef0123456789';
const THREADS = Number(process.env.OPE_THREADS ?? availableParallelism());
const QUEUE_MAX = Number(process.env.OPE_THREAD_QUEUE_MAX ?? 32);
const QUEUE_TIMEOUT = Number(process.env.OPE_THREAD_QUEUE_TIMEOUT_SECONDS ?? 0.5);
/**
 * Contracts per overload request. The overload runs are about the pool's back-pressure, so each request carries
 * enough pricing (about 0.1 s of one thread) that the pool, not the event loop, is the bottleneck: with 20 contracts
 * 10x capacity is about 900 requests/s, and on 2 shared cores the load generator and the event loop then saturate
 * before the pool does (bench/results/2026-11-29-measurement-notes.md).
 */
const OVERLOAD_CONTRACTS = 100;
/** Offered load in multiples of capacity, one row each in one service process (repeat a level to watch memory). */
const OVERLOAD_FACTORS = (process.env.BENCH_OVERLOAD_FACTORS ?? '2,10').split(',').map(Number);
/**
 * Seconds of 10x load offered to each overload service before its measured rounds, not counted: the refusal path
 * (pre-validation shedding, the error handler, the 503) is not exercised at capacity, and a fresh process runs it
 * unoptimized at first (its event loop took 29 % of a core in a first 10x round, 22-23 % in the next five).
 */
const OVERLOAD_WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
/** How the service runs; built (dist) once per benchmark run, before the first service starts. */
const BUILD = serviceBuild();
let serviceArgs: string[] | undefined;
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'throughput,overload').split(','));
const THROUGHPUT_WARMUP_SECONDS = Number(process.env.BENCH_THROUGHPUT_WARMUP_SECONDS ?? 2);

interface PoolSettings {
  readonly queueMax: number;
  readonly queueTimeoutSeconds: number;
}

interface Service {
  readonly url: string;
  /** CPU seconds so far of the service's event loop (its main thread) and of its whole process; null off Linux. */
  readonly cpu: () => { readonly eventLoop: number; readonly process: number } | null;
  readonly stop: () => Promise<number | null>;
}

/** utime + stime of a /proc stat line, in seconds (USER_HZ is 100 on Linux). */
function procCpuSeconds(path: string): number {
  const fields = readFileSync(path, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** "event loop 33 % of one core, process 165 %" between two readings `seconds` apart, or '' off Linux. */
function cpuShares(before: ReturnType<Service['cpu']>, after: ReturnType<Service['cpu']>, seconds: number): string {
  if (before === null || after === null) return '';
  const share = (a: number, b: number): string => `${((100 * (b - a)) / seconds).toFixed(0)} %`;
  return `service CPU: event loop ${share(before.eventLoop, after.eventLoop)} of one core, whole process ${share(before.process, after.process)}`;
}

async function startService(pool: PoolSettings): Promise<Service> {
  // The service's log goes to a file, not a pipe: stdout writes to a pipe are synchronous on Linux, so a benchmark
  // process busy driving autocannon would stall the service's event loop whenever the pipe filled up.
  const logDir = mkdtempSync(join(tmpdir(), 'ope-bench-'));
  const logFile = join(logDir, 'service.log');
  // An empty embedded store per service (removed with the log): no run finds the capsules of an earlier one.
  const dataDir = join(logDir, 'data');
  const log = openSync(logFile, 'w');
  serviceArgs ??= prepareService(ROOT, BUILD);
  const child = spawn(process.execPath, serviceArgs, {
    cwd: ROOT,
    env: benchServiceEnv({
      secret: SECRET,
      threads: THREADS,
      queueMax: pool.queueMax,
      queueTimeoutSeconds: pool.queueTimeoutSeconds,
      dataDir,
    }),
    stdio: ['ignore', log, 'inherit'],
  });
  closeSync(log);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  let port: number | undefined;
  while (port === undefined) {
    if (exitCode !== undefined) throw new Error(`the service exited with code ${exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"service.start"'))
      .map((line) => JSON.parse(line) as { port: number })[0];
    port = start?.port;
  }
  const pid = child.pid!;
  return {
    url: `http://127.0.0.1:${port}`,
    cpu: () => {
      try {
        return {
          eventLoop: procCpuSeconds(`/proc/${pid}/task/${pid}/stat`),
          process: procCpuSeconds(`/proc/${pid}/stat`),
        };
      } catch {
        return null;
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(logDir, { recursive: true, force: true });
      return code;
    },
  };
}

function contracts(n: number, exercise: 'european' | 'american'): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    symbol: 'ABC',
    strike_price: 80 + (i % 41),
    time_to_expiry: 0.1 + (i % 10) * 0.2,
    option_type: i % 2 === 0 ? 'call' : 'put',
    exercise_style: exercise,
  }));
}

function request(model: string, n: number, exercise: 'european' | 'american', withSeed = false): string {
  return JSON.stringify({
    contracts: contracts(n, exercise),
    market_data: { spot_price: 100, risk_free_rate: 0.03, dividend_yield: 0.01, volatility: 0.25 },
    model,
    calculate_greeks: true,
    ...(withSeed ? { seed: 42 } : {}),
  });
}

interface Row {
  readonly scenario: string;
  readonly connections: number;
  readonly okPerSecond: number;
  readonly okP50: number;
  readonly okP99: number;
  readonly refused: number;
  readonly refusedP99: number;
  readonly other: string;
  /** Milliseconds of the answering process's main-thread CPU per 200, when measured (throughput rows). */
  readonly cpuMsPerOk?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function run(
  url: string,
  token: string,
  scenario: string,
  path: string,
  body: string | (() => string) | null,
  connections: number,
  /** CPU seconds so far of the answering process's main thread (null off Linux): measured around the row. */
  cpu?: () => number | null,
): Promise<Row> {
  // One answered request per thread first, so no scenario measures a thread's start-up.
  const headers: Record<string, string> =
    body === null ? {} : { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const method = body === null ? 'GET' : 'POST';
  const bodyNow = (): string | null => (typeof body === 'function' ? body() : body);
  await Promise.all(
    Array.from({ length: THREADS }, () => {
      const text = bodyNow();
      return fetch(url + path, { method, headers, ...(text === null ? {} : { body: text }) }).then((r) => r.text());
    }),
  );
  // A body function gives each request its own body (autocannon then builds every request anew).
  const bodyOptions =
    typeof body === 'function'
      ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }] }
      : body === null
        ? {}
        : { body };
  if (cpu !== undefined && THROUGHPUT_WARMUP_SECONDS > 0) {
    await autocannon({
      url: url + path,
      method,
      headers,
      ...bodyOptions,
      connections,
      duration: THROUGHPUT_WARMUP_SECONDS,
      timeout: 60,
    });
  }
  const ok: number[] = [];
  const refused: number[] = [];
  const cpuBefore = cpu?.() ?? null;
  const instance = autocannon({
    url: url + path,
    method,
    headers,
    ...bodyOptions,
    connections,
    duration: SECONDS,
    timeout: 60,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status === 200) ok.push(ms);
    else if (status === 503) refused.push(ms);
  });
  const result = await instance;
  const cpuAfter = cpu?.() ?? null;
  const other = Object.entries(result.statusCodeStats)
    .filter(([code]) => code !== '200' && code !== '503')
    .map(([code, { count }]) => `${code}x${count}`);
  const row = rowOf(scenario, connections, { ok, refused, other, errors: result.errors, seconds: result.duration });
  if (cpuBefore === null || cpuAfter === null || ok.length === 0) return row;
  return { ...row, cpuMsPerOk: (1000 * (cpuAfter - cpuBefore)) / ok.length };
}

/** A table row from the answers' latencies (ms) by kind; `other` lists the other statuses as `<code>x<count>`. */
function rowOf(
  scenario: string,
  connections: number,
  answers: { ok: number[]; refused: number[]; other: string[]; errors: number; seconds: number },
): Row {
  const ok = [...answers.ok].sort((a, b) => a - b);
  const refused = [...answers.refused].sort((a, b) => a - b);
  const other = answers.errors > 0 ? [...answers.other, `errors x${answers.errors}`] : answers.other;
  return {
    scenario,
    connections,
    okPerSecond: ok.length / answers.seconds,
    okP50: percentile(ok, 0.5),
    okP99: percentile(ok, 0.99),
    refused: refused.length,
    refusedP99: percentile(refused, 0.99),
    other: other.join(' ') || '-',
  };
}

function print(row: Row): void {
  const f = (x: number, d = 1): string => (Number.isNaN(x) ? '-' : x.toFixed(d));
  console.log(
    `${row.scenario.padEnd(34)} | ${String(row.connections).padStart(4)} | ${f(row.okPerSecond).padStart(9)} | ${f(row.okP50).padStart(8)} | ${f(row.okP99).padStart(8)} | ${String(row.refused).padStart(7)} | ${f(row.refusedP99).padStart(8)} | ${row.other}`,
  );
  if (row.cpuMsPerOk !== undefined)
    console.log(`${''.padEnd(34)}   event loop: ${row.cpuMsPerOk.toFixed(3)} ms of CPU per 200`);
}

/** CPU seconds so far of process `pid`'s main thread, or null off Linux (or once it has exited). */
function mainThreadCpu(pid: number): number | null {
  try {
    return procCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
  } catch {
    return null;
  }
}

/** bench/support/fastify-yardsticks.ts in its own process, like the service. */
async function startYardsticks(): Promise<{ url: string; cpu: () => number | null; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/fastify-yardsticks.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the yardsticks exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    cpu: () => mainThreadCpu(child.pid!),
    stop: () => void child.kill('SIGTERM'),
  };
}

/** Resident memory and V8 heap in use, from the service's /metrics. */
async function memoryReading(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mib = (name: string): string =>
    (Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / 2 ** 20).toFixed(0);
  return `resident ${mib('process_resident_memory_bytes')} MiB, heap used ${mib('nodejs_heap_size_used_bytes')} MiB`;
}

async function residentMegabytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const bytes = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]);
  return bytes / 2 ** 20;
}

/** Offers POST /api/v1/pricing/batch with `body` at `rate` per second for `seconds`, open loop. */
function offerBatches(
  url: string,
  token: string,
  body: string,
  rate: number,
  seconds: number,
  onOfferEnd?: () => void,
): ReturnType<typeof openLoop> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return openLoop({
    url: `${url}/api/v1/pricing/batch`,
    method: 'POST',
    headers,
    body,
    rate,
    seconds,
    ...(onOfferEnd ? { onOfferEnd } : {}),
  });
}

/**
 * An open-loop row; its goodput, the 200s answered while the load was offered, per second; and the load
 * generator's own CPU over the run as a share of one core.
 */
async function overloadRow(
  url: string,
  token: string,
  scenario: string,
  body: string,
  rate: number,
  onOfferEnd: () => void,
): Promise<{ row: Row; goodput: number; clientCore: number }> {
  const result = await offerBatches(url, token, body, rate, SECONDS, onOfferEnd);
  const other = [...result.latencies]
    .filter(([code]) => code !== 200 && code !== 503)
    .map(([code, list]) => `${code}x${list.length}`);
  const row = rowOf(scenario, Math.round(rate), {
    ok: result.latencies.get(200) ?? [],
    refused: result.latencies.get(503) ?? [],
    other,
    errors: result.errors,
    seconds: result.duration,
  });
  const goodput = (result.answeredInWindow.get(200) ?? 0) / SECONDS;
  return { row: { ...row, okPerSecond: goodput }, goodput, clientCore: result.clientCpuSeconds / result.duration };
}

interface Baseline {
  /** 200s per second at capacity (1x). */
  readonly capacity: number;
  /** p99 of a lone client's requests, ms. */
  readonly unloadedP99: number;
}

/**
 * The pool's capacity and the unloaded p99 are properties of the machine and the workload, not of the queue
 * settings, so they are measured once, with queue room for every connection: two connections per thread keep every
 * thread busy (the next job waits while one runs), one connection alone gives the unloaded latency.
 */
async function baseline(token: string, body: string): Promise<Baseline> {
  const service = await startService({
    queueMax: Math.max(QUEUE_MAX, 2 * THREADS),
    queueTimeoutSeconds: QUEUE_TIMEOUT,
  });
  try {
    const unloaded = await run(
      service.url,
      token,
      `unloaded: batch ${OVERLOAD_CONTRACTS} monte_carlo_20k`,
      '/api/v1/pricing/batch',
      body,
      1,
    );
    print(unloaded);
    const cpuBefore = service.cpu();
    const began = performance.now();
    const full = await run(
      service.url,
      token,
      '1x: capacity, 2 connections/thread',
      '/api/v1/pricing/batch',
      body,
      2 * THREADS,
    );
    print(full);
    console.log(`${''.padEnd(34)}   ${cpuShares(cpuBefore, service.cpu(), (performance.now() - began) / 1000)}`);
    return { capacity: full.okPerSecond, unloadedP99: unloaded.okP99 };
  } finally {
    await service.stop();
  }
}

async function overload(token: string, label: string, pool: PoolSettings, body: string, base: Baseline): Promise<void> {
  const service = await startService(pool);
  try {
    console.log(
      `overload, ${label}: OPE_THREAD_QUEUE_MAX=${pool.queueMax} OPE_THREAD_QUEUE_TIMEOUT_SECONDS=${pool.queueTimeoutSeconds} (conn column: requests/s offered)`,
    );
    const rssBefore = await residentMegabytes(service.url);
    if (OVERLOAD_WARMUP_SECONDS > 0) {
      await offerBatches(service.url, token, body, 10 * base.capacity, OVERLOAD_WARMUP_SECONDS);
      console.log(`${''.padEnd(34)}   (warm-up: ${OVERLOAD_WARMUP_SECONDS} s at 10x, not counted)`);
    }
    for (const factor of OVERLOAD_FACTORS) {
      const cpuBefore = service.cpu();
      const began = performance.now();
      let cpu = '';
      const offerEnded = (): void => {
        cpu = cpuShares(cpuBefore, service.cpu(), (performance.now() - began) / 1000);
      };
      const { row, goodput, clientCore } = await overloadRow(
        service.url,
        token,
        `${factor}x offered (open loop)`,
        body,
        factor * base.capacity,
        offerEnded,
      );
      print(row);
      console.log(
        `${''.padEnd(34)}   goodput ${goodput.toFixed(1)}/s answered during the offer, ${((100 * goodput) / base.capacity).toFixed(0)} % of 1x; accepted p99 ${(row.okP99 / base.unloadedP99).toFixed(1)}x the unloaded p99; ` +
          `service memory ${await memoryReading(service.url)} (resident ${rssBefore.toFixed(0)} MiB before the overload); ` +
          `${cpu}; load generator ${(100 * clientCore).toFixed(0)} % of one core`,
      );
    }
  } finally {
    const code = await service.stop();
    if (code !== 0) console.error(`the service exited with code ${code}`);
  }
}

const token = await mintDevToken({ secret: new TextEncoder().encode(SECRET), scopes: ['pricing:read'] });
console.log(
  `# HTTP benchmark: node ${process.version}, ${availableParallelism()} CPUs, OPE_THREADS=${THREADS}, ${SECONDS} s per scenario, service ${BUILD === 'dist' ? 'dist/main.js' : 'src/main.ts under tsx'}\n`,
);
console.log('scenario                           | conn |    200/s |  p50 ms |  p99 ms |    503s | 503 p99 | other');
if (SCENARIOS.has('throughput')) {
  const yardsticks = await startYardsticks();
  const service = await startService({ queueMax: QUEUE_MAX, queueTimeoutSeconds: QUEUE_TIMEOUT });
  try {
    const single = request('black_scholes', 1, 'european');
    const yardstickCpu = yardsticks.cpu;
    const serviceCpu = (): number | null => service.cpu()?.eventLoop ?? null;
    const hello = await run(
      yardsticks.url,
      token,
      'yardstick: Fastify hello-world GET',
      '/hello',
      null,
      10,
      yardstickCpu,
    );
    print(hello);
    const ceiling = await run(
      yardsticks.url,
      token,
      'yardstick: Fastify + OPE schemas',
      '/api/v1/pricing/single',
      single,
      10,
      yardstickCpu,
    );
    print(ceiling);
    const priced = await run(
      service.url,
      token,
      'single black_scholes',
      '/api/v1/pricing/single',
      single,
      10,
      serviceCpu,
    );
    print(priced);
    const cpuRatio =
      priced.cpuMsPerOk !== undefined && ceiling.cpuMsPerOk !== undefined
        ? `; its event loop spends ${(priced.cpuMsPerOk / ceiling.cpuMsPerOk).toFixed(2)}x the schemas-only route's CPU per answer`
        : '';
    console.log(
      `${''.padEnd(34)}   ${((100 * priced.okPerSecond) / hello.okPerSecond).toFixed(0)} % of the hello-world route's requests/s (former target >= 50 %), ` +
        `${((100 * priced.okPerSecond) / ceiling.okPerSecond).toFixed(0)} % of the schemas-only route's${cpuRatio}`,
    );
    print(
      await run(
        service.url,
        token,
        'batch 100 black_scholes',
        '/api/v1/pricing/batch',
        request('black_scholes', 100, 'european'),
        10,
        serviceCpu,
      ),
    );
    print(
      await run(
        service.url,
        token,
        'batch 10 binomial_200 american',
        '/api/v1/pricing/batch',
        request('binomial_200', 10, 'american'),
        10,
        serviceCpu,
      ),
    );
    print(
      await run(
        service.url,
        token,
        'single monte_carlo_20k',
        '/api/v1/pricing/single',
        request('monte_carlo_20k', 1, 'european', true),
        4 * THREADS,
        serviceCpu,
      ),
    );
  } finally {
    yardsticks.stop();
    const code = await service.stop();
    if (code !== 0) console.error(`the service exited with code ${code}`);
  }
}
if (SCENARIOS.has('overload') || SCENARIOS.has('capacity')) {
  const heavy = request('monte_carlo_20k', OVERLOAD_CONTRACTS, 'european', true);
  console.log(`\noverload: batch ${OVERLOAD_CONTRACTS} monte_carlo_20k`);
  const base = await baseline(token, heavy);
  if (SCENARIOS.has('overload'))
    await overload(
      token,
      'pool settings as given',
      { queueMax: QUEUE_MAX, queueTimeoutSeconds: QUEUE_TIMEOUT },
      heavy,
      base,
    );
  if (SCENARIOS.has('overload'))
    await overload(token, 'latency-sensitive settings', { queueMax: THREADS, queueTimeoutSeconds: 0 }, heavy, base);
}
if (SCENARIOS.has('throughput') || SCENARIOS.has('quote')) {
  const service = await startService({ queueMax: QUEUE_MAX, queueTimeoutSeconds: QUEUE_TIMEOUT });
  console.log('\nquote API against v1 (same contract, model and greeks)');
  await benchQuoteApi({
    url: service.url,
    token,
    threads: THREADS,
    run,
    print,
    seconds: SECONDS,
    eventLoopCpu: () => service.cpu()?.eventLoop ?? null,
  }).finally(() => service.stop());
}
