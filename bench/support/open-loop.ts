/**
 * An open-loop load generator: requests leave at a fixed rate whether or not earlier ones were answered, the way
 * independent clients offer load to a service. autocannon is closed-loop (a connection sends its next request
 * only after an answer), so against a service that refuses fast it offers whatever rate the refusals allow, not
 * "k times capacity"; and its own rate option sends each connection's quota as a burst at the top of every second.
 *
 * Client and service share the machine's cores, so every microsecond the client spends is taken from the service
 * under test. Like autocannon, this client speaks HTTP/1.1 on plain sockets instead of node:http: the request is
 * one prebuilt buffer written whole, and of a response only the status line and Content-Length are read, the body
 * merely counted. That costs a fraction of node:http's client (bench/results/2026-11-29-measurement-notes.md, "open-loop client"). Keep-alive
 * connections are reused; a request that finds none idle opens one. The service must answer with Content-Length
 * (OPE always does); any other framing, a parse failure or a socket error counts as an error.
 */
import net from 'node:net';

export interface OpenLoopOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body: string | null;
  /** Requests per second offered. */
  readonly rate: number;
  readonly seconds: number;
  /** Called when the last request has been sent, before waiting for the answers still due. */
  readonly onOfferEnd?: () => void;
}

export interface OpenLoopResult {
  /** Latencies in ms of the answers by status code; requests still unanswered 10 s after the run are not counted. */
  readonly latencies: ReadonlyMap<number, number[]>;
  /**
   * Answers by status code that arrived while requests were being offered. Goodput is counted from these: a queue
   * still draining after the offer stops would otherwise add its backlog to the rate (32 queued 0.1 s jobs are
   * about 15 % of a 10 s run).
   */
  readonly answeredInWindow: ReadonlyMap<number, number>;
  readonly sent: number;
  readonly errors: number;
  /** Seconds from the first request sent to the last one. */
  readonly duration: number;
  /** CPU seconds (user + system) this process spent while offering the load: the client's share of the machine. */
  readonly clientCpuSeconds: number;
}

/** How often the pacer wakes; each wake sends what the rate owes since the start, so timer drift is not lost. */
const TICK_MS = 2;
const DRAIN_MS = 10_000;
const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;

/** Encodes one HTTP/1.1 request, headers and body, as the bytes every send writes. */
export function encodeRequest(url: URL, method: string, headers: Record<string, string>, body: string | null): Buffer {
  const payload = body === null ? Buffer.alloc(0) : Buffer.from(body);
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'connection: keep-alive'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== null) lines.push(`content-length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]);
}

/** What is known of the response being read on a connection. */
interface Reading {
  /** Header bytes so far, until the blank line is found. */
  head: Buffer;
  status: number;
  /** Body bytes still to come once the head is parsed; -1 before. */
  remaining: number;
  close: boolean;
}

/**
 * Reads responses off one connection, one at a time: feed() takes each chunk and reports every complete response
 * as (status, keepOpen), or throws on a response it cannot frame.
 */
export class ResponseReader {
  #reading: Reading = { head: Buffer.alloc(0), status: 0, remaining: -1, close: false };

  feed(chunk: Buffer, onResponse: (status: number, keepOpen: boolean) => void): void {
    let data = chunk;
    while (data.length > 0) {
      const reading = this.#reading;
      if (reading.remaining < 0) {
        const head = reading.head.length === 0 ? data : Buffer.concat([reading.head, data]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) {
          reading.head = head;
          return;
        }
        const text = head.toString('latin1', 0, end);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        const length = CONTENT_LENGTH.exec(text);
        if (status === null || length === null) throw new Error(`cannot frame the response: ${text.slice(0, 80)}`);
        reading.status = Number(status[1]);
        reading.remaining = Number(length[1]);
        reading.close = CONNECTION_CLOSE.test(text);
        reading.head = Buffer.alloc(0);
        data = head.subarray(end + HEADER_END.length);
      }
      const taken = Math.min(reading.remaining, data.length);
      reading.remaining -= taken;
      data = data.subarray(taken);
      if (reading.remaining === 0) {
        this.#reading = { head: Buffer.alloc(0), status: 0, remaining: -1, close: false };
        onResponse(reading.status, !reading.close);
      }
    }
  }
}

/** One keep-alive connection: at most one request in flight, answered by `onAnswer` (status, or null if lost). */
class Connection {
  readonly #request: Buffer;
  readonly #socket: net.Socket;
  readonly #reader = new ResponseReader();
  #started = 0;
  #waiting = false;

  constructor(
    host: string,
    port: number,
    request: Buffer,
    hooks: {
      readonly onAnswer: (status: number | null, started: number) => void;
      readonly onIdle: (connection: Connection) => void;
      readonly onClose: (connection: Connection) => void;
    },
  ) {
    this.#request = request;
    this.#socket = net.connect({ host, port, noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => {
      try {
        this.#reader.feed(chunk, (status, keepOpen) => {
          this.#waiting = false;
          hooks.onAnswer(status, this.#started);
          if (keepOpen) hooks.onIdle(this);
          else this.#socket.destroy();
        });
      } catch {
        this.#socket.destroy();
      }
    });
    this.#socket.on('close', () => {
      hooks.onClose(this);
      if (this.#waiting) {
        this.#waiting = false;
        hooks.onAnswer(null, this.#started);
      }
    });
    this.#socket.on('error', () => {});
  }

  send(): void {
    this.#started = performance.now();
    this.#waiting = true;
    this.#socket.write(this.#request);
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(options.url);
  const request = encodeRequest(target, options.method, options.headers, options.body);
  const port = Number(target.port || 80);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const idle: Connection[] = [];
  const open = new Set<Connection>();
  const latencies = new Map<number, number[]>();
  const answeredInWindow = new Map<number, number>();
  let windowEnd = Number.POSITIVE_INFINITY;
  let sent = 0;
  let errors = 0;
  let outstanding = 0;
  let drained: (() => void) | undefined;

  const hooks = {
    onAnswer(status: number | null, started: number): void {
      if (status === null) errors += 1;
      else {
        const now = performance.now();
        const list = latencies.get(status) ?? [];
        list.push(now - started);
        latencies.set(status, list);
        if (now <= windowEnd) answeredInWindow.set(status, (answeredInWindow.get(status) ?? 0) + 1);
      }
      outstanding -= 1;
      if (outstanding === 0) drained?.();
    },
    onIdle(connection: Connection): void {
      idle.push(connection);
    },
    onClose(connection: Connection): void {
      open.delete(connection);
      const at = idle.indexOf(connection);
      if (at >= 0) idle.splice(at, 1);
    },
  };

  const fire = (): void => {
    sent += 1;
    outstanding += 1;
    let connection = idle.pop();
    if (connection === undefined) {
      connection = new Connection(host, port, request, hooks);
      open.add(connection);
    }
    connection.send();
  };

  const cpuBefore = process.cpuUsage();
  const begin = performance.now();
  windowEnd = begin + options.seconds * 1000;
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
  const cpu = process.cpuUsage(cpuBefore);
  options.onOfferEnd?.();
  if (outstanding > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, DRAIN_MS).unref();
    });
  }
  for (const connection of open) connection.destroy();
  return { latencies, answeredInWindow, sent, errors, duration, clientCpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
