import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * OPE as operators run it: `node --import tsx src/main.ts` in its own process, configured only by environment
 * variables, on a loopback port chosen up front so it can be restarted on the same port behind a load balancer.
 * Whoever starts an instance stops it (by its pid, through this object).
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A development HMAC secret (DEV_JWT_SECRET) for tests; never a production value. */
export const DEV_SECRET = 'deploy-test-secret-of-at-least-32-bytes';

export interface OpeProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Every JSON log line written so far. */
  logs(): Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL if still running (cleanup after a failed test). */
  kill(): void;
}

/** A free loopback port: bind port 0, read it, release it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function startOpe(port: number, env: Record<string, string> = {}): OpeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // Only what the test sets: no OIDC settings or secrets leak in from the developer's shell.
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DEV_JWT_SECRET: DEV_SECRET,
      OPE_THREADS: '1',
      RATE_LIMIT_DEFAULT: '1000000/second',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const lines: Record<string, unknown>[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    const complete = out.lastIndexOf('\n');
    if (complete < 0) return;
    for (const line of out.slice(0, complete).split('\n'))
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    out = out.slice(complete + 1);
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    port,
    child,
    logs: () => lines,
    stderr: () => err,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls `GET url` until it answers 200 (or the deadline passes, or the process exits). */
export async function waitHealthy(url: string, ope: OpeProcess | null = null, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ope !== null && ope.child.exitCode !== null)
      throw new Error(`OPE exited with ${ope.child.exitCode} before it was healthy: ${ope.stderr()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} not healthy within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
