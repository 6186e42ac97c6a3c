import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { mintDevToken } from '../../src/auth/dev-token.js';

/**
 * Tracing end to end: the service (src/main.ts, a real process) with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
 * loopback OTLP/HTTP receiver (a plain node:http server collecting what the exporter posts). A request carrying a
 * W3C traceparent must produce a span in the caller's trace, parented on the caller's span; its log lines carry the
 * same trace id; probes are neither traced nor logged at info.
 */

const SECRET = 'tracing-test-secret-of-at-least-32-bytes';

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: { key: string; value: { stringValue?: string } }[];
}

function spansOf(body: unknown): OtlpSpan[] {
  const resourceSpans = (body as { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] }).resourceSpans ?? [];
  return resourceSpans.flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []));
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes.find((a) => a.key === key)?.value.stringValue;
}

describe('OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let receiver: Server;
  const posts: { path: string; contentType: string | undefined; body: unknown }[] = [];
  let service: ChildProcessByStdio<null, Readable, Readable>;
  const logs: Record<string, unknown>[] = [];
  let baseUrl: string;
  let exited: Promise<number | null>;

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        posts.push({ path: request.url ?? '', contentType: request.headers['content-type'], body: JSON.parse(text) });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    service = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        OPE_THREADS: '1',
        DEV_JWT_SECRET: SECRET,
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => service.once('exit', (code) => resolve(code)));
    let stderr = '';
    service.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const lines = createInterface({ input: service.stdout });
    baseUrl = await new Promise<string>((resolve, reject) => {
      service.once('exit', () => reject(new Error(`the service exited: ${stderr}`)));
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.event === 'service.start') resolve(`http://127.0.0.1:${String(entry.port)}`);
      });
    });
  });

  after(async () => {
    if (service.exitCode === null) service.kill('SIGKILL');
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("exports the request span in the caller's trace, logs the trace id, and leaves probes out", async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const token = await mintDevToken({ secret: new TextEncoder().encode(SECRET), scopes: ['pricing:read'] });
    const priced = await fetch(`${baseUrl}/api/v1/pricing/single`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${parentSpanId}-01`,
      },
      body: JSON.stringify({
        contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' }],
        market_data: { spot_price: 102, risk_free_rate: 0.01, volatility: 0.2 },
      }),
    });
    assert.equal(priced.status, 200, await priced.text());
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);

    // SIGTERM: the drain ends with the tracer provider's shutdown, which exports the buffered spans.
    service.kill('SIGTERM');
    assert.equal(await exited, 0);

    assert.ok(posts.length > 0, 'the exporter posted nothing');
    assert.ok(
      posts.every((p) => p.path === '/v1/traces' && p.contentType?.startsWith('application/json')),
      JSON.stringify(posts.map((p) => [p.path, p.contentType])),
    );
    const spans = posts.flatMap((p) => spansOf(p.body));
    const request = spans.find((s) => s.name === 'request' && attribute(s, 'http.route') === '/api/v1/pricing/single');
    assert.ok(request, `no request span for the pricing route among ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(request.traceId.toLowerCase(), traceId, 'the span continues the incoming trace');
    assert.equal(request.parentSpanId?.toLowerCase(), parentSpanId, "the span is a child of the caller's span");
    assert.ok(
      spans.every(
        (s) => !['/healthz', '/health', '/livez', '/readyz', '/metrics'].includes(attribute(s, 'url.path') ?? ''),
      ),
      'a probe was traced',
    );

    const access = logs.filter((l) => l.event === 'request.complete');
    const pricing = access.find((l) => l.route === '/api/v1/pricing/single');
    assert.equal(pricing?.trace_id, traceId, 'the access line carries the trace id');
    assert.equal(
      access.find((l) => l.route === '/healthz'),
      undefined,
      'a successful probe is not logged at info',
    );
  });
});
