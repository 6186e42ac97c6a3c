/**
 * SIGTERM on the real service (`node --import tsx src/main.ts` in a child process, as `npm start` runs it) while
 * pricing requests are on the pool: every one of them completes with 200, new connections are refused while they
 * finish, and the process exits with code 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mintDevToken } from '../../src/auth/dev-token.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'graceful-shutdown-test-secret-0123456789abcdef';

function monteCarloBatch(contracts: number, seed: number): string {
  return JSON.stringify({
    contracts: Array.from({ length: contracts }, (_, i) => ({
      symbol: 'ABC',
      strike_price: 80 + (i % 40),
      time_to_expiry: 0.5,
      option_type: 'call',
    })),
    market_data: { spot_price: 100, risk_free_rate: 0.02, dividend_yield: 0, volatility: 0.25 },
    model: 'monte_carlo_20k',
    calculate_greeks: true,
    seed,
  });
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Resolves true when a TCP connection to the port is refused, false when it is accepted. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown of the service', () => {
  it('on SIGTERM finishes every in-flight pricing request with 200, refuses new connections, and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        DEV_JWT_SECRET: SECRET,
        OPE_THREADS: '1',
        OPE_THREAD_QUEUE_MAX: '8',
        OPE_THREAD_TASK_TIMEOUT_SECONDS: '60',
        OPE_SHUTDOWN_GRACE_SECONDS: '60',
        RATE_LIMIT_DEFAULT: '1000/second',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const events = new Map<string, (line: Record<string, unknown>) => void>();
    const logged = (event: string): Promise<Record<string, unknown>> =>
      new Promise((resolve) => events.set(event, resolve));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      events.get(String(line.event))?.(line);
    });

    try {
      const started = logged('service.start');
      const port = Number(
        (await Promise.race([started, exited.then((code) => assert.fail(`the service exited with ${code}`))])).port,
      );
      const url = `http://127.0.0.1:${port}`;
      const token = await mintDevToken({ secret: new TextEncoder().encode(SECRET), scopes: ['pricing:read'] });
      const post = (body: string): Promise<Response> =>
        fetch(`${url}/api/v1/pricing/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });

      const inFlight = [post(monteCarloBatch(60, 1)), post(monteCarloBatch(60, 2)), post(monteCarloBatch(60, 3))];
      // Every request has reached the pool (started or queued) and none has been answered yet.
      for (;;) {
        const scrape = await (await fetch(`${url}/metrics`)).text();
        const reached =
          metric(scrape, 'ope_threadpool_queue_wait_seconds_count', 'engine="pricing"') +
          metric(scrape, 'ope_threadpool_queue_depth', 'engine="pricing"');
        const answered = scrape
          .split('\n')
          .some((l) => l.startsWith('ope_request_total{') && l.includes('route="/api/v1/pricing/batch"'));
        assert.equal(answered, false, 'the requests must still be in flight when SIGTERM arrives; make them heavier');
        if (reached === inFlight.length) break;
      }

      const draining = logged('shutdown.start');
      child.kill('SIGTERM');
      await draining;
      let answered = false;
      const responses = Promise.all(inFlight).finally(() => {
        answered = true;
      });
      let sawRefusal = false;
      while (!sawRefusal && !answered) sawRefusal = await refused(port);
      assert.ok(sawRefusal, 'a new connection was refused while the in-flight requests were still running');

      for (const response of await responses) {
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as { results: unknown[] }).results.length, 60);
      }
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
