import { connect } from 'node:net';

/**
 * HTTP/1.1 over a bare TCP socket, for the cases fetch cannot produce: a Content-Length with no body behind it,
 * a chunked body sent piece by piece. The request is written as given (head, then each body part after `gapMs`);
 * sending stops as soon as a response has arrived, and the socket errors that follow a server's early close
 * (EPIPE, ECONNRESET) are expected rather than failures.
 */

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Body parts that were written before the response arrived. */
  readonly partsSent: number;
  /** True when the server closed the connection after answering. */
  readonly closed: boolean;
}

export interface RawRequestOptions {
  /** Written after the head, one by one. */
  readonly parts?: readonly (string | Buffer)[];
  /** Pause between parts, so a server that answers early is seen answering early. Default 5 ms. */
  readonly gapMs?: number;
  /** Give up after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
}

interface ParsedHead {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly bodyStart: number;
}

function parseHead(buffer: Buffer): ParsedHead | null {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, bodyStart: end + 4 };
}

/** A chunked-encoding frame for `data` (or the terminating frame for an empty string). */
export function chunk(data: string): string {
  return `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;
}

export async function rawRequest(url: string, head: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const { port, hostname } = new URL(url);
  const parts = options.parts ?? [];
  const gapMs = options.gapMs ?? 5;
  const socket = connect({ port: Number(port), host: hostname });
  let received = Buffer.alloc(0);
  let answered = false;
  let closed = false;
  let partsSent = 0;

  const response = new Promise<RawResponse>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no complete response within ${options.timeoutMs ?? 5000} ms; received: ${received.toString('latin1').slice(0, 300)}`,
        ),
      );
    }, options.timeoutMs ?? 5000);

    const tryResolve = (final: boolean): void => {
      const parsed = parseHead(received);
      if (parsed === null) {
        if (final) {
          clearTimeout(timer);
          reject(
            new Error(`connection closed without a response; received: ${received.toString('latin1').slice(0, 300)}`),
          );
        }
        return;
      }
      answered = true;
      const length = Number(parsed.headers['content-length'] ?? NaN);
      const body = received.subarray(parsed.bodyStart);
      if (!final && !(Number.isFinite(length) && body.length >= length)) return;
      // Wait a moment for the close that follows a refusal, so `closed` reports it.
      setTimeout(
        () => {
          clearTimeout(timer);
          socket.destroy();
          resolve({ status: parsed.status, headers: parsed.headers, body: body.toString('utf8'), partsSent, closed });
        },
        final ? 0 : 50,
      );
    };

    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      tryResolve(false);
    });
    socket.on('end', () => {
      closed = true;
    });
    socket.on('close', () => {
      closed = true;
      tryResolve(true);
    });
    socket.on('error', () => {
      // EPIPE / ECONNRESET after the server refused and closed: the 'close' handler reports what was received.
    });
  });

  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(head);
  for (const part of parts) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (answered || socket.destroyed || !socket.writable) break;
    socket.write(part);
    partsSent += 1;
  }
  return response;
}
