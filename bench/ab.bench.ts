/**
 * Two checkouts of OPE against each other, interleaved: both services run at once (each built and run as
 * `node dist/main.js` in its own directory, or through tsx with BENCH_SERVICE=tsx; bench/support/service-env.ts;
 * with bench/http.bench.ts's settings), and the closed-loop load goes to one, then
 * the other, round after round, alternating which goes first. On the shared 2-core machine the speed of the whole
 * machine drifts by 2-3x within minutes (BENCHMARKS.md, "Machine"), so runs of bench/http.bench.ts made one after
 * the other can compare a fast minute with a slow one; rounds of a few seconds, side by side, compare like with like.
 *
 *   node --import tsx bench/ab.bench.ts <dir A> <dir B>
 *
 * Each directory needs its own `npm ci`. Knobs: BENCH_SERVICE (dist or tsx, both sides), BENCH_SERVICE_B (side B
 * only, to compare the two builds of one checkout), BENCH_AB_SCENARIO (batch: 100 black_scholes contracts with greeks,
 * the default; single: one), BENCH_AB_ROUNDS (default 6), BENCH_SECONDS per row (default 5), OPE_THREADS (default
 * the CPU count). Prints each round: requests/s, and per answered request the CPU of the service's main thread (the
 * event loop), of its whole process (pool threads included), both from /proc (Linux only), and of this process (the
 * load generator), with the cores all three used together; then the medians of A/B: requests/s, and event-loop CPU
 * per answered request.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mintDevToken } from '../src/auth/dev-token.js';
import { benchServiceEnv, prepareService, serviceBuild, type ServiceBuild } from './support/service-env.js';

interface AutocannonResult {
  readonly requests: { readonly average: number };
  readonly '2xx': number;
  readonly non2xx: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const SECRET = 'ab-benchmark-secret-0123456789abcdef0123456789';
const SCENARIO = process.env.BENCH_AB_SCENARIO ?? 'batch';
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const THREADS = Number(process.env.OPE_THREADS ?? availableParallelism());

const [dirA, dirB] = process.argv.slice(2).map((dir) => resolve(dir));
if (dirA === undefined || dirB === undefined || !['batch', 'single'].includes(SCENARIO)) {
  console.error('usage: node --import tsx bench/ab.bench.ts <dir A> <dir B>  (BENCH_AB_SCENARIO=batch|single)');
  process.exit(2);
}

interface Service {
  readonly url: string;
  /** CPU seconds of the service's main thread so far. */
  readonly loopCpu: () => number;
  /** CPU seconds of the whole service process so far: event loop, pool threads and the rest. */
  readonly processCpu: () => number;
  readonly stop: () => Promise<void>;
}

async function startService(dir: string, build: ServiceBuild): Promise<Service> {
  const args = prepareService(dir, build);
  const scratch = mkdtempSync(join(tmpdir(), 'ope-ab-'));
  const logFile = join(scratch, 'service.log');
  const child = spawn(join(dir, 'node_modules/.bin/node'), args, {
    cwd: dir,
    // A file, not a pipe: see bench/http.bench.ts, startService.
    stdio: ['ignore', openSync(logFile, 'w'), 'inherit'],
    env: benchServiceEnv({
      secret: SECRET,
      threads: THREADS,
      queueMax: 32,
      queueTimeoutSeconds: 0.5,
      dataDir: join(scratch, 'data'),
    }),
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null) throw new Error(`the service in ${dir} exited with code ${child.exitCode}`);
    await new Promise((done) => setTimeout(done, 100));
    const start = readFileSync(logFile, 'utf8')
      .split('\n')
      .find((line) => line.includes('"service.start"'));
    if (start !== undefined) port = (JSON.parse(start) as { port: number }).port;
  }
  // utime + stime, in clock ticks (100 per second), of a /proc stat file.
  const cpuOf = (statFile: string): number => {
    const fields = readFileSync(statFile, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    loopCpu: () => cpuOf(`/proc/${child.pid}/task/${child.pid}/stat`),
    processCpu: () => cpuOf(`/proc/${child.pid}/stat`),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

const contracts = SCENARIO === 'batch' ? 100 : 1;
const body = JSON.stringify({
  contracts: Array.from({ length: contracts }, (_, i) => ({
    symbol: 'ABC',
    strike_price: 80 + (i % 41),
    time_to_expiry: 0.1 + (i % 10) * 0.2,
    option_type: i % 2 === 0 ? 'call' : 'put',
    exercise_style: 'european',
  })),
  market_data: { spot_price: 100, risk_free_rate: 0.03, dividend_yield: 0.01, volatility: 0.25 },
  model: 'black_scholes',
  calculate_greeks: true,
});
const path = SCENARIO === 'batch' ? '/api/v1/pricing/batch' : '/api/v1/pricing/single';
const token = await mintDevToken({ secret: new TextEncoder().encode(SECRET), scopes: ['pricing:read'] });

interface Row {
  readonly perSecond: number;
  /** Event-loop CPU per answered request, us. */
  readonly loopUs: number;
  /** The whole service process's CPU per answered request, us. */
  readonly processUs: number;
  /** This process's CPU (the load generator) per answered request, us. */
  readonly clientUs: number;
}

async function measure(service: Service, seconds: number): Promise<Row> {
  const before = { loop: service.loopCpu(), process: service.processCpu(), client: process.cpuUsage() };
  const result = await autocannon({
    url: service.url + path,
    method: 'POST',
    body,
    connections: 10,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  const client = process.cpuUsage(before.client);
  const answered = Math.max(1, result['2xx']);
  if (result.non2xx > 0) throw new Error(`${service.url}: ${result.non2xx} answers were not 2xx`);
  return {
    perSecond: result.requests.average,
    loopUs: (1e6 * (service.loopCpu() - before.loop)) / answered,
    processUs: (1e6 * (service.processCpu() - before.process)) / answered,
    clientUs: (client.user + client.system) / answered,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const buildA = serviceBuild();
const buildB = serviceBuild(process.env.BENCH_SERVICE_B ?? process.env.BENCH_SERVICE);
const a = await startService(dirA, buildA);
const b = await startService(dirB, buildB);
try {
  console.log(
    `# A/B ${SCENARIO} black_scholes: A = ${dirA} (${buildA}), B = ${dirB} (${buildB}); ` +
      `node ${process.version}, ${SECONDS} s rows`,
  );
  // Warm-up: the first seconds of a fresh process run unoptimised code.
  await measure(a, 3);
  await measure(b, 3);
  const rate: number[] = [];
  const cpu: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const aFirst = round % 2 === 1;
    const first = await measure(aFirst ? a : b, SECONDS);
    const second = await measure(aFirst ? b : a, SECONDS);
    const [rowA, rowB] = aFirst ? [first, second] : [second, first];
    rate.push(rowA.perSecond / rowB.perSecond);
    cpu.push(rowA.loopUs / rowB.loopUs);
    const show = (row: Row): string =>
      `${row.perSecond.toFixed(0)} req/s, ${row.loopUs.toFixed(0)} us loop, ${row.processUs.toFixed(0)} us process, ` +
      `${row.clientUs.toFixed(0)} us client, ${((row.perSecond * (row.processUs + row.clientUs)) / 1e6).toFixed(2)} cores`;
    console.log(
      `round ${round}: A ${show(rowA)} | B ${show(rowB)} | ` +
        `A/B ${rate.at(-1)!.toFixed(2)}x requests/s, ${cpu.at(-1)!.toFixed(2)}x event-loop CPU per request`,
    );
  }
  console.log(
    `median A/B: ${median(rate).toFixed(2)}x requests/s, ${median(cpu).toFixed(2)}x event-loop CPU per request`,
  );
} finally {
  await a.stop();
  await b.stop();
}
