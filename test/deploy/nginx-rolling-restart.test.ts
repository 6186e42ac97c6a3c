import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevToken } from '../../src/auth/dev-token.js';
import { skipUnlessInstalled } from '../monitoring/system-tool.js';
import { DEV_SECRET, freePort, startOpe, waitHealthy } from './ope-process.js';
import type { OpeProcess } from './ope-process.js';

/**
 * Horizontal scale-out and a rolling restart, for real: two OPE processes behind Debian's nginx on loopback, steady
 * authenticated pricing traffic through nginx, and each instance in turn stopped with SIGTERM (graceful drain,
 * exit 0) and started again. No request may fail, and both instances must have served traffic: the count comes
 * from each process's own `request.complete` log lines, which must add up to exactly the successful responses
 * (nothing lost, nothing served twice).
 *
 * The nginx settings are those docs/RUNBOOK.md recommends ("Horizontal"): `proxy_next_upstream error timeout
 * http_503 non_idempotent`. Without `non_idempotent`, nginx never retries a POST it has already sent (docs/RUNBOOK.md,
 * "Scaling guidance"), and a connection nginx opened just as an instance closed its listener is reset after the request was
 * written (observed here: 1 request in about 2,700 answered 502, "recv() failed (104: Connection reset by peer)
 * while reading response header from upstream"). Every OPE POST is a pure computation (or an idempotent upsert),
 * so repeating it on the other instance is safe.
 */

const CONCURRENCY = 4;
/** Each client pauses this long between requests: steady traffic, not a CPU flood that starves the restarts. */
const THINK_MS = 10;
/** nginx's fail_timeout: an upstream that refused a connection is not tried again for this long. */
const FAIL_TIMEOUT_S = 2;
/**
 * After a restarted instance is healthy, the next one waits this long before it stops: nginx may still hold the
 * first one as failed (it refused connections while restarting) for up to fail_timeout, and taking the other one
 * down inside that window leaves nginx with no live upstream (502). docs/RUNBOOK.md states the same rule.
 */
const SETTLE_MS = (FAIL_TIMEOUT_S + 1) * 1000;
/** The whole traffic loop stops by itself after this, whatever happens. */
const MAX_TRAFFIC_MS = 90_000;
const PRICING_PATH = '/api/v1/pricing/single';

function nginxConfig(dir: string, listenPort: number, upstreamPorts: readonly number[]): string {
  const servers = upstreamPorts
    .map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=${FAIL_TIMEOUT_S}s;`)
    .join('\n');
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream ope {
${servers}
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://ope;
      proxy_set_header Host localhost;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_503 non_idempotent;
    }
  }
}
`;
}

interface TrafficResult {
  readonly ok: number;
  readonly failures: string[];
}

/** CONCURRENCY loops of POST /api/v1/pricing/single through nginx until `stop()` is called (or MAX_TRAFFIC_MS). */
function driveTraffic(url: string, token: string): { stop(): Promise<TrafficResult> } {
  let running = true;
  const started = Date.now();
  let ok = 0;
  const failures: string[] = [];
  const loop = async (worker: number): Promise<void> => {
    for (let i = 0; running && Date.now() - started < MAX_TRAFFIC_MS; i += 1) {
      // A different strike each time, so every request is priced rather than answered from the result cache.
      const body = {
        contracts: [
          { symbol: 'ROLL', strike_price: 80 + worker + (i % 997) / 10, time_to_expiry: 0.5, option_type: 'call' },
        ],
        market_data: { spot_price: 100, risk_free_rate: 0.02, volatility: 0.25 },
        model: 'black_scholes',
      };
      try {
        const response = await fetch(url + PRICING_PATH, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (response.status === 200) ok += 1;
        else failures.push(`${response.status} ${text.slice(0, 200)}`);
      } catch (error) {
        failures.push(`network: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, THINK_MS));
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, (_, w) => loop(w));
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { ok, failures };
    },
  };
}

function servedPricing(ope: OpeProcess): number {
  return ope.logs().filter((l) => l.event === 'request.complete' && l.route === PRICING_PATH && l.status_code === 200)
    .length;
}

describe('two OPE instances behind nginx', () => {
  const skip = skipUnlessInstalled('nginx', ['-v'], 'nginx', 'the nginx rolling-restart test');
  let dir: string;
  let nginx: ChildProcess | null = null;
  const instances: OpeProcess[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ope-nginx-'));
  });
  after(async () => {
    for (const ope of instances) ope.kill();
    if (nginx !== null && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'serve steady traffic through a rolling restart of both (SIGTERM, exit 0, start again) with zero failed requests',
    { skip, timeout: 180_000 },
    async () => {
      const [portA, portB, portNginx] = [await freePort(), await freePort(), await freePort()];
      const first = [startOpe(portA), startOpe(portB)];
      instances.push(...first);
      await Promise.all(first.map((ope) => waitHealthy(`http://127.0.0.1:${ope.port}/healthz`, ope)));

      writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, portNginx, [portA, portB]));
      let nginxErr = '';
      nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      nginx.stderr!.on('data', (chunk: Buffer) => (nginxErr += chunk.toString('utf8')));
      const front = `http://127.0.0.1:${portNginx}`;
      await waitHealthy(`${front}/healthz`, null, 10_000).catch((error: Error) => {
        throw new Error(`${error.message}; nginx: ${nginxErr}`);
      });

      const token = await mintDevToken({ secret: new TextEncoder().encode(DEV_SECRET), scopes: ['pricing:read'] });
      const traffic = driveTraffic(front, token);
      const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
      try {
        await pause(1_000);
        const replacements: OpeProcess[] = [];
        for (const old of first) {
          assert.equal(await old.stop(), 0, `instance on ${old.port} did not exit 0 after SIGTERM: ${old.stderr()}`);
          const fresh = startOpe(old.port);
          instances.push(fresh);
          replacements.push(fresh);
          await waitHealthy(`http://127.0.0.1:${fresh.port}/healthz`, fresh);
          await pause(SETTLE_MS);
        }
        const { ok, failures } = await traffic.stop();
        // Stopping the replacements too flushes their last log lines (and shows they also drain cleanly).
        for (const ope of replacements) assert.equal(await ope.stop(), 0, `replacement on ${ope.port} did not exit 0`);

        assert.deepEqual(
          failures,
          [],
          `failed requests through nginx (nginx error log: ${readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000)})`,
        );
        const served = [...first, ...replacements].map(servedPricing);
        assert.ok(ok > 50, `only ${ok} requests completed`);
        assert.equal(
          served.reduce((a, b) => a + b, 0),
          ok,
          `instances logged ${served.join(' + ')} priced requests, clients saw ${ok}`,
        );
        for (const [i, count] of served.entries())
          assert.ok(count > 0, `process ${i} (${['A', 'B', "A'", "B'"][i]}) served no traffic`);
        for (const ope of [...first, ...replacements]) {
          const events = ope.logs().map((l) => l.event);
          assert.ok(
            events.includes('shutdown.start') && events.includes('shutdown.complete'),
            `instance ${ope.port}: no clean drain in the logs`,
          );
        }
      } finally {
        await traffic.stop();
      }
    },
  );
});
