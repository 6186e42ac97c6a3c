import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * `npm start` as a user runs it: src/main.ts in its own process, configured only by environment variables.
 * Each test owns the child it spawns and ends it by its pid.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // Only what the test sets: no OIDC or secrets leak in from the developer's shell.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', OPE_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** GET on a connection of its own, closed afterwards, so no keep-alive connection outlives the call. */
function getOnFreshConnection(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function listeningPort(started: Started): number | undefined {
  const line = logLines(started.stdout()).find((l) => l.event === 'service.start');
  return typeof line?.port === 'number' ? line.port : undefined;
}

describe('npm start (src/main.ts)', () => {
  it('in development without identity settings, prints a working all-scope token and curl command; SIGHUP keeps it running; SIGTERM exits 0', async () => {
    const started = start({});
    try {
      const port = await until('the listener', () => listeningPort(started));
      const token = await until('the printed token', () => /^export OPE_TOKEN=(\S+)$/m.exec(started.stderr())?.[1]);
      assert.match(
        started.stderr(),
        /curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/pricing\/single -H "Authorization: Bearer \$OPE_TOKEN" -H 'Content-Type: application\/json' --data @examples\/price_single\.json/,
      );

      const response = await fetch(`http://127.0.0.1:${port}/api/v1/pricing/single`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: readFileSync(new URL('../../examples/price_single.json', import.meta.url)),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { results: { contract_id: string; theoretical_price: number }[] };
      assert.equal(body.results[0]!.contract_id, 'ABC_100.0000_0.500000_call');
      assert.ok(body.results[0]!.theoretical_price > 0);
      for (const scoped of ['/api/v1/models']) {
        assert.equal(
          (await fetch(`http://127.0.0.1:${port}${scoped}`, { headers: { authorization: `Bearer ${token}` } })).status,
          200,
        );
      }

      started.child.kill('SIGHUP');
      await until('the SIGHUP log line', () =>
        logLines(started.stdout()).some((l) => l.event === 'jwks.manual_refresh') ? true : undefined,
      );
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);

      assert.ok(!started.stdout().includes(token), 'the token reached the JSON logs');
      started.child.kill('SIGTERM');
      assert.equal(await started.exit, 0);
      const events = logLines(started.stdout()).map((l) => l.event);
      assert.ok(events.includes('shutdown.start'));
      assert.ok(events.includes('shutdown.complete'));
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });

  it('finishes an in-flight request after SIGTERM, refuses new connections, then exits 0', async () => {
    const started = start({ DEV_JWT_SECRET: 'a-development-secret-of-32-bytes!!' });
    try {
      const port = await until('the listener', () => listeningPort(started));
      const { mintDevToken } = await import('../../src/auth/dev-token.js');
      const token = await mintDevToken({
        secret: new TextEncoder().encode('a-development-secret-of-32-bytes!!'),
        scopes: ['pricing:read'],
      });
      // 1,000 Monte Carlo contracts on one thread: long enough (a few hundred ms even on the WebAssembly kernels)
      // to be still running when the signal comes.
      const contracts = Array.from({ length: 1000 }, (_, i) => ({
        symbol: 'MC',
        strike_price: 50 + (i % 100),
        time_to_expiry: 1,
        option_type: 'call',
      }));
      const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/pricing/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          contracts,
          market_data: { spot_price: 100, risk_free_rate: 0.01, volatility: 0.2 },
          model: 'monte_carlo_20k',
          seed: 1,
        }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { results: unknown[] },
      }));
      // Signal once the pool is working on the batch.
      while (!/^ope_threadpool_tasks_in_flight\{[^}]*\} [1-9]/m.test(await getOnFreshConnection(port, '/metrics'))) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      started.child.kill('SIGTERM');
      await until('draining', () =>
        logLines(started.stdout()).some((l) => l.event === 'shutdown.start') ? true : undefined,
      );
      await assert.rejects(getOnFreshConnection(port, '/healthz'), 'a new connection was accepted during the drain');
      const answered = await inFlight;
      assert.equal(answered.status, 200);
      assert.equal(answered.body.results.length, 1000);
      assert.equal(await started.exit, 0);
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });

  it('refuses to start in production without the OIDC variables, with one line naming them, and exit code 1', async () => {
    const started = start({ OPE_ENVIRONMENT: 'production', OPE_ALLOWED_HOSTS: 'api.example.com' });
    assert.equal(await started.exit, 1);
    const lines = started.stderr().trim().split('\n');
    assert.equal(lines.length, 1, started.stderr());
    assert.match(lines[0]!, /OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL/);
  });

  it('refuses a bad value with a line naming the variable', async () => {
    const started = start({ OPE_THREADS: 'many' });
    assert.equal(await started.exit, 1);
    assert.match(started.stderr().trim(), /^ope: cannot start: OPE_THREADS: /);
  });
});
