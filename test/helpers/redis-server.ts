import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A private redis-server for one test file: loopback, a free port, no persistence, a child of the test process
 * (stopped by its pid, never by name). `stop()` and `start()` simulate an outage on the same port.
 *
 *   const redis = await startRedisServer();
 *   redis.url;            // redis://127.0.0.1:<port>
 *   await redis.stop();   // connection refused from now on
 *   await redis.start();  // back, empty, same port
 *   redis.pause();        // hung: connections open, no answers (SIGSTOP); redis.resume() ends it
 *   await redis.close();    // stops it for good
 *
 * CI (.ci/run) also starts a shared redis-server and exports OPE_TEST_REDIS_URL; `sharedRedisUrl()` prefers that
 * one, for tests that only need a Redis and never stop it.
 */

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing is answered (a hung Redis). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPing(url: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 200,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server at ${url} did not answer PING within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const server: RedisServer = {
    url,
    port,
    get running() {
      return child !== null;
    },
    async start() {
      if (child !== null) return;
      const started = spawn(
        'redis-server',
        ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      await new Promise<void>((resolve, reject) => {
        started.once('spawn', resolve);
        started.once('error', (error) =>
          reject(new Error(`cannot run redis-server (is it installed?): ${error.message}`)),
        );
      });
      child = started;
      await waitForPing(url);
    },
    async stop() {
      const running = child;
      if (running === null) return;
      child = null;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      // A paused process would hold SIGTERM pending until it is continued.
      running.kill('SIGCONT');
      running.kill('SIGTERM');
      await exited;
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async close() {
      await server.stop();
    },
  };
  await server.start();
  return server;
}

/** OPE_TEST_REDIS_URL when CI provides one, else null (start a private one with startRedisServer). */
export function sharedRedisUrl(): string | null {
  const url = process.env.OPE_TEST_REDIS_URL;
  return url === undefined || url.trim() === '' ? null : url.trim();
}
