/**
 * An open-loop load generator: requests leave at a fixed rate whether or not earlier ones were answered, the way
 * independent clients offer load to a service. autocannon is closed-loop (a connection sends its next request
 * only after an answer), so against a service that refuses fast it offers whatever rate the refusals allow, not
 * "k times capacity"; and its own rate option sends each connection's quota as a burst at the top of every second.
 * Keep-alive connections are reused; a request that finds none idle opens one.
 */
import http from 'node:http';

export interface OpenLoopOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body: string | null;
  /** Requests per second offered. */
  readonly rate: number;
  readonly seconds: number;
}

export interface OpenLoopResult {
  /** Latencies in ms of the answers by status code; requests still unanswered 10 s after the run are not counted. */
  readonly latencies: ReadonlyMap<number, number[]>;
  readonly sent: number;
  readonly errors: number;
  /** Seconds from the first request sent to the last one. */
  readonly duration: number;
}

/** How often the pacer wakes; each wake sends what the rate owes since the start, so timer drift is not lost. */
const TICK_MS = 2;
const DRAIN_MS = 10_000;

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const target = new URL(options.url);
  const headers = options.body === null ? options.headers : { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) };
  const latencies = new Map<number, number[]>();
  let sent = 0;
  let errors = 0;
  let outstanding = 0;
  let drained: (() => void) | undefined;

  const fire = (): void => {
    sent += 1;
    outstanding += 1;
    const started = performance.now();
    const done = (status: number | null): void => {
      if (status === null) errors += 1;
      else {
        const list = latencies.get(status) ?? [];
        list.push(performance.now() - started);
        latencies.set(status, list);
      }
      outstanding -= 1;
      if (outstanding === 0) drained?.();
    };
    const request = http.request(target, { method: options.method, headers, agent }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode ?? 0));
      response.on('error', () => done(null));
    });
    request.on('error', () => done(null));
    request.end(options.body ?? undefined);
  };

  const begin = performance.now();
  const total = Math.round(options.rate * options.seconds);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const owed = Math.min(total, Math.floor(((performance.now() - begin) / 1000) * options.rate)) - sent;
      for (let i = 0; i < owed; i++) fire();
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const duration = (performance.now() - begin) / 1000;
  if (outstanding > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, DRAIN_MS).unref();
    });
  }
  agent.destroy();
  return { latencies, sent, errors, duration };
}
